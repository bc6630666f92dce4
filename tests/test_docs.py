"""Documentation is tested: a command, setting or API operation that is not documented fails
the build (Datasette's habit)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def test_cli_reference_is_generated_from_the_current_help():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import generate_cli_docs
    finally:
        sys.path.pop(0)
    assert (DOCS / "cli.md").read_text() == generate_cli_docs.render(), (
        "docs/cli.md is out of date: run `make docs`"
    )


def test_every_environment_variable_is_documented():
    read = set()
    for path in [ROOT / "src/stabforce/settings.py", *ROOT.glob("scripts/*.py"),
                 *ROOT.glob("benchmarks/*.py"), *ROOT.glob("src/stabforce/**/*.py")]:  # fmt: skip
        read |= set(re.findall(r'(?:environ\.get|_env_bool|_env_list)\(\s*"([A-Z_]+)"',
                               path.read_text()))  # fmt: skip
    assert {"STABFORCE_HOME", "DATABASE_URL", "STABFORCE_PROFILE"} <= read
    documented = (DOCS / "configuration.md").read_text()
    missing = sorted(name for name in read if f"`{name}`" not in documented)
    assert not missing, f"undocumented in docs/configuration.md: {missing}"


def test_every_api_operation_is_documented(db):
    from stabforce.api import api

    schema = api.get_openapi_schema()
    documented = (DOCS / "api.md").read_text()
    missing = []
    for path, operations in schema["paths"].items():
        for method in operations:
            if f"`{method.upper()} {path}`" not in documented:
                missing.append(f"{method.upper()} {path}")
    assert not missing, f"undocumented in docs/api.md: {missing}"


def test_readme_quick_start_is_exactly_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1]
    block = re.search(r"```sh\n(.*?)```", quick_start, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make demo", "make test"]
    assert "make test" in (ROOT / ".ci/run").read_text()


@pytest.mark.parametrize("document", ["README.md", *[p.name for p in DOCS.glob("*.md")]])
def test_links_between_documents_resolve(document):
    path = ROOT / document if document == "README.md" else DOCS / document
    for target in re.findall(r"\]\(([^)#]+\.md)(?:#[^)]*)?\)", path.read_text()):
        assert (path.parent / target).exists(), f"{document} links to missing {target}"
