"""Documents generated from code stay in step with it."""

from __future__ import annotations

from pathlib import Path

from bot import permissions_doc
from domain import commands as c
from domain.access import COMMAND_PERMISSION

ROOT = Path(__file__).resolve().parents[1]


def test_permissions_doc_is_generated_from_the_table() -> None:
    written = (ROOT / "docs" / "permissions.md").read_text(encoding="utf-8")
    assert written == permissions_doc.render(), "run: python -m bot.permissions_doc > docs/permissions.md"


def test_every_command_has_a_permission_and_a_written_example() -> None:
    import typing

    commands = set(typing.get_args(c.Command))
    assert set(COMMAND_PERMISSION) == commands
    assert set(permissions_doc._EXAMPLES) == commands
