"""The layers stay apart: the domain never imports the CLI's presentation or Rich.

Read from the source with `ast` (no import runs), so a stray import inside a function counts
too. The CLI is cli.py, invocation.py, commands/ and views/; everything else is the domain.
"""

from __future__ import annotations

import ast

from conftest import ROOT

PACKAGE = ROOT / "src" / "cahtracker"
CLI = {"cli.py", "invocation.py", "__main__.py"}


def imported_modules(path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def domain_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in ("commands", "views") or str(relative) in CLI:
            continue
        yield relative, path


def test_no_domain_module_imports_the_views_typer_or_rich():
    found = {
        str(relative): sorted(
            m
            for m in imported_modules(path)
            if m.split(".")[0] in ("rich", "typer", "click")
            or m.startswith(("cahtracker.views", "cahtracker.commands", "cahtracker.cli"))
        )
        for relative, path in domain_modules()
    }
    assert {k: v for k, v in found.items() if v} == {}
    assert len(found) > 20  # the walk did find the domain


def test_commands_hold_no_format_branches():
    for path in (PACKAGE / "commands").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "if fmt" not in text and "fmt is" not in text and "fmt in" not in text, path.name
