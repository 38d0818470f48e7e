"""供应商/客户: add, change, the card with last prices and the list, through the fake unit of work."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain import commands as c
from domain import partner_services as ps
from domain import services
from domain.audit import Action
from domain.errors import NothingToChange, PartnerExists, UnknownPartner
from domain.partners import PartnerKind
from tests.factories import make_context, make_product
from tests.fakes import FakeUnitOfWork

D = Decimal


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def add(uow: FakeUnitOfWork, kind: str, name: str, *fields: tuple[str, object]) -> ps.PartnerAdded:
    return ps.add_partner(uow, make_context(), c.AddPartner(kind, name, tuple(fields)))


def test_adding_a_partner_stores_it_and_logs_it(uow: FakeUnitOfWork) -> None:
    added = add(uow, "供应商", "华东饮料", ("contact", "王经理"), ("phone", "13800000000"), ("terms_days", 30))
    assert (added.partner.kind, added.partner.name, added.partner.terms_days) == (PartnerKind.SUPPLIER, "华东饮料", 30)
    assert added.partner.id > 0
    assert uow.audit.entries[-1].action is Action.ADD_PARTNER


def test_a_name_is_unique_per_kind_but_may_be_both_supplier_and_customer(uow: FakeUnitOfWork) -> None:
    add(uow, "供应商", "华东饮料")
    before = uow.state()
    with pytest.raises(PartnerExists):
        add(uow, "供应商", "华东饮料")
    assert uow.state() == before
    assert add(uow, "客户", "华东饮料").partner.kind is PartnerKind.CUSTOMER


def test_changing_reports_before_and_after_and_refuses_no_change(uow: FakeUnitOfWork) -> None:
    add(uow, "客户", "张三超市", ("credit_limit", D("20000")))
    changed = ps.change_partner(uow, make_context(), c.ChangePartner("客户", "张三超市", (("credit_limit", D("30000")),)))
    assert [(ch.field, ch.before, ch.after) for ch in changed.changes] == [("credit_limit", D("20000"), D("30000"))]
    with pytest.raises(NothingToChange):
        ps.change_partner(uow, make_context(), c.ChangePartner("客户", "张三超市", (("credit_limit", D("30000")),)))
    with pytest.raises(UnknownPartner) as unknown:
        ps.change_partner(uow, make_context(), c.ChangePartner("客户", "张三", (("terms_days", 5),)))
    assert unknown.value.suggestions == ["张三超市"]


def test_the_card_shows_the_latest_price_per_product_with_this_partner(uow: FakeUnitOfWork) -> None:
    add(uow, "供应商", "华东饮料")
    uow.seed(make_product("A001", unit="罐"), make_product("A002", unit="罐"))
    for code, price in (("A001", "2.40"), ("A002", "3.00"), ("A001", "2.50")):
        services.receive_stock(
            uow, make_context(), c.ReceiveStock(code, D(10), unit_price=D(price), counterparty="华东饮料", confirmed=True)
        )
    services.receive_stock(uow, make_context(), c.ReceiveStock("A002", D(1), unit_price=D(9), counterparty="别家", confirmed=True))
    card = ps.find_partners(uow, make_context(), c.FindPartners("供应商", "华东饮料"))
    assert isinstance(card, ps.PartnerCard)
    assert [(code, price) for code, _, price in card.last_prices] == [("A001", D("2.50")), ("A002", D("3.00"))]


def test_the_list_pages_by_ten_and_a_fragment_with_one_match_is_its_card(uow: FakeUnitOfWork) -> None:
    for number in range(12):
        add(uow, "客户", f"客户{number:02d}")
    listing = ps.find_partners(uow, make_context(), c.FindPartners("客户", None, 2))
    assert isinstance(listing, ps.PartnerList)
    assert (listing.page, listing.pages, listing.total, [p.name for p in listing.partners]) == (2, 2, 12, ["客户10", "客户11"])
    one = ps.find_partners(uow, make_context(), c.FindPartners("客户", "11"))
    assert isinstance(one, ps.PartnerCard) and one.partner.name == "客户11"
    with pytest.raises(UnknownPartner):
        ps.find_partners(uow, make_context(), c.FindPartners("供应商", "客户"))
