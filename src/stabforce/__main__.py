"""``python -m stabforce``: the ``stabforce`` command for when the venv's bin is not on PATH."""

from stabforce.cli import main

main()
