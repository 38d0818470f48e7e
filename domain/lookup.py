"""Remembering which product a user meant: when a name or pinyin matched several products and
the user picked one, the same words from the same user pick it again next time."""

from __future__ import annotations

from domain.errors import AmbiguousProduct
from domain.ports import UnitOfWork
from domain.services import Context


def remembered_pick(uow: UnitOfWork, ctx: Context, question: AmbiguousProduct) -> str | None:
    """The code this user picked before for the same words, if it is still one of the matches."""
    with uow:
        code = uow.lookup_choices.get(ctx.actor.user_id, question.query)
    return code if code in {hint.code for hint in question.candidates} else None


def remember_pick(uow: UnitOfWork, ctx: Context, query: str, code: str) -> None:
    """Keep the user's pick for these words (replacing an earlier one)."""
    with uow.writing():
        uow.lookup_choices.remember(ctx.actor.user_id, query, code, ctx.now)
        uow.commit()
