"""Regenerate docs/cli.md from the commands' own --help (the help text is the reference).

usage: python scripts/generate_cli_docs.py [--check]

With --check, exit 1 when docs/cli.md is out of date (the test suite does the same).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "cli.md"

HEADER = """# Command-line reference

Generated from each command's `--help` by `make docs` (scripts/generate_cli_docs.py); a test
fails when this file is out of date. Every Django management command also works through
`stabforce` (`stabforce migrate`, `stabforce check --deploy`, `stabforce changepassword`, ...).
"""


def _help_of(argv: list[str]) -> str:
    from django.core.management import ManagementUtility

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.suppress(SystemExit):
        utility = ManagementUtility(["stabforce", *argv])
        utility.execute()
    return buffer.getvalue().rstrip()


def subcommands(name: str) -> list[str]:
    """Sub-actions of a command that has them (e.g. `token create`)."""
    from django.core.management import load_command_class

    command = load_command_class(_app_of(name), name)
    parser = command.create_parser("stabforce", name)
    for action in parser._actions:  # argparse keeps sub-parsers here
        if action.__class__.__name__ == "_SubParsersAction":
            return list(action.choices)
    return []


def _app_of(name: str) -> str:
    from django.core.management import get_commands

    return get_commands()[name]


def render() -> str:
    # argparse wraps help to the terminal width; fix it so the file is the same everywhere.
    os.environ["COLUMNS"] = "100"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stabforce.settings")
    import django

    django.setup()
    from stabforce.cli import COMMANDS, usage

    parts = [HEADER, "## stabforce", "", "```text", usage(), "```", ""]
    for name in COMMANDS:
        parts += [f"## stabforce {name}", "", "```text", _help_of([name, "--help"]), "```", ""]
        for sub in subcommands(name):
            parts += [
                f"### stabforce {name} {sub}",
                "",
                "```text",
                _help_of([name, sub, "--help"]),
                "```",
                "",
            ]
    return "\n".join(parts).rstrip() + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = render()
    if args.check:
        if not TARGET.exists() or TARGET.read_text() != text:
            print("docs/cli.md is out of date: run `make docs`", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text)
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
