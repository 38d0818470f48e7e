"""Batches over the fake unit of work: the preview rolls back, booking is all or nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.parsing import parse
from domain import batch, services
from domain import commands as c
from domain.errors import BatchLineFailed, UnknownProduct
from tests.factories import make_context
from tests.fakes import FakeUnitOfWork

CTX = make_context()
TODAY = date(2026, 3, 10)


def _shop() -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    services.add_product(uow, CTX, c.AddProduct("A001", "可口可乐", (("unit", "罐"), ("purchase_price", Decimal("2.50")))))
    return uow


def test_the_preview_reports_every_line_and_rolls_back() -> None:
    uow = _shop()
    commits = uow.commits
    preview = batch.preview_batch(uow, CTX, parse("入库\nA001 5\nA009 1\nA001 3", TODAY))
    assert [o.error is None for o in preview.outcomes[1:]] == [True, False, True]
    assert isinstance(preview.outcomes[2].error, UnknownProduct)
    assert not preview.ok and uow.commits == commits
    with uow:
        assert uow.stock.total_balance(1, None).quantity == 0


def test_booking_commits_once_and_a_refused_line_books_nothing() -> None:
    uow = _shop()
    booked = batch.book_batch(uow, CTX, parse("入库\nA001 5\nA001 3\n确认", TODAY))
    assert len(booked.outcomes) == 2
    with uow:
        assert uow.stock.total_balance(1, None).quantity == 8
    commits = uow.commits
    try:
        batch.book_batch(uow, CTX, parse("出库 A001 8\n出库 A001 1\n确认", TODAY))
    except BatchLineFailed as failed:
        assert failed.line.number == 2  # type: ignore[attr-defined]
    else:
        raise AssertionError("the second line must be refused")
    assert uow.commits == commits
    with uow:
        assert uow.stock.total_balance(1, None).quantity == 8
