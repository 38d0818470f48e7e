"""Remembered product picks over the fake unit of work."""

from __future__ import annotations

from domain import lookup
from domain.errors import AmbiguousProduct, ProductHint
from tests.factories import make_context
from tests.fakes import FakeUnitOfWork

CTX = make_context()
QUESTION = AmbiguousProduct("可乐", [ProductHint("A001", "可口可乐"), ProductHint("A002", "百事可乐")])


def test_a_pick_is_remembered_per_user_and_only_while_it_still_matches() -> None:
    uow = FakeUnitOfWork()
    assert lookup.remembered_pick(uow, CTX, QUESTION) is None
    lookup.remember_pick(uow, CTX, "可乐", "A002")
    assert lookup.remembered_pick(uow, CTX, QUESTION) == "A002"
    assert lookup.remembered_pick(uow, make_context(user_id=2002), QUESTION) is None
    gone = AmbiguousProduct("可乐", [ProductHint("A001", "可口可乐"), ProductHint("A003", "零度可乐")])
    assert lookup.remembered_pick(uow, CTX, gone) is None


def test_a_later_pick_replaces_the_earlier_one() -> None:
    uow = FakeUnitOfWork()
    lookup.remember_pick(uow, CTX, "可乐", "A002")
    lookup.remember_pick(uow, CTX, "可乐", "A001")
    assert lookup.remembered_pick(uow, CTX, QUESTION) == "A001"
