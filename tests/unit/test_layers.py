"""The domain stays pure: no database, chat, template or drawing imports; every module tested."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "domain"
UNIT_TESTS = ROOT / "tests" / "unit"
FORBIDDEN = {"sqlmodel", "sqlalchemy", "telegram", "jinja2", "matplotlib", "bot", "storage"}
DOMAIN_MODULES = sorted(DOMAIN.glob("*.py"))


def imported_top_level_names(source: str) -> set[str]:
    """Top-level package of every import, wherever it sits (module level, function, TYPE_CHECKING)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name | ast.Attribute)
            and getattr(node.func, "id", getattr(node.func, "attr", "")) in {"__import__", "import_module"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value.split(".")[0])
    return names


def test_the_import_scanner_sees_every_kind_of_import() -> None:
    source = (
        "import sqlmodel\n"
        "import a.b as c\n"
        "from telegram.ext import Application\n"
        "from . import sibling\n"
        "def f():\n"
        "    import jinja2\n"
        "    importlib.import_module('storage.db')\n"
        "    __import__('bot')\n"
    )
    assert imported_top_level_names(source) == {"sqlmodel", "a", "telegram", "jinja2", "storage", "bot"}


def test_there_are_domain_modules_to_scan() -> None:
    assert {path.stem for path in DOMAIN_MODULES} >= {"money", "stock", "services", "ports"}


@pytest.mark.parametrize("path", DOMAIN_MODULES, ids=lambda path: path.name)
def test_domain_module_imports_no_outer_layer_or_framework(path: Path) -> None:
    forbidden = imported_top_level_names(path.read_text(encoding="utf-8")) & FORBIDDEN
    assert not forbidden, f"domain/{path.name} imports {sorted(forbidden)}"


def test_every_domain_module_has_its_unit_test_module() -> None:
    missing = [
        f"tests/unit/test_{path.stem}.py (for domain/{path.name})"
        for path in DOMAIN_MODULES
        if path.name != "__init__.py" and not (UNIT_TESTS / f"test_{path.stem}.py").exists()
    ]
    assert not missing, "missing unit tests: " + ", ".join(missing)
