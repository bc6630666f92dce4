"""The ``stabforce`` command: a thin dispatcher onto Django management commands.

``stabforce demo``, ``stabforce serve``, ``stabforce token create`` and every Django command
(``migrate``, ``check``, ``createsuperuser``, ...) run through here with stabforce's settings.
"""

from __future__ import annotations

import os
import sys

#: stabforce's own commands, shown first by ``stabforce --help``.
COMMANDS = {
    "demo": "build the demo mission (Gaza ISF) and serve it",
    "serve": "serve an existing database with a production WSGI server",
    "token": "create, list or revoke API tokens",
    "load_scenario": "load a scenario directory into the database",
    "forcegen": "force generation: gap analysis, CSV/XLSX import and export",
    "intake": "read a statement or report into the review queue; evaluate the extractor",
    "plan": "plan the deployment (checked, explained, what-ifs); Monte Carlo sweeps",
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "stabforce"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stabforce.settings")
    if len(argv) == 1 or argv[1] in {"-h", "--help", "help"} and len(argv) == 2:
        print(usage())
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


def usage() -> str:
    from stabforce import __version__

    lines = [
        f"stabforce {__version__} — coordination platform for a multinational stabilisation force",
        "",
        "usage: stabforce <command> [options]    (stabforce <command> --help for its options)",
        "",
        "stabforce commands:",
    ]
    lines += [f"  {name:<15} {text}" for name, text in COMMANDS.items()]
    lines += [
        "",
        "Every Django management command works too, e.g. migrate, check --deploy, createsuperuser,",
        "changepassword, dbshell. 'stabforce help --commands' lists them all.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
