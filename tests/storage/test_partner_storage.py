"""Partners on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from domain import commands as c
from domain import partner_services as ps
from domain import services
from domain.partners import Partner, PartnerKind
from storage.unit_of_work import SqlUnitOfWork
from storage.workspaces import create_workspace
from tests.conftest import make_context

D = Decimal


def test_partners_round_trip_exactly_and_search_by_fragment(uow_factory):
    ps.add_partner(uow_factory(), make_context(), c.AddPartner("客户", "张三超市", (("terms_days", 15), ("credit_limit", D("20000.00")))))
    ps.add_partner(uow_factory(), make_context(), c.AddPartner("客户", "李四便利", (("phone", "13900000000"),)))
    ps.change_partner(uow_factory(), make_context(), c.ChangePartner("客户", "张三超市", (("credit_limit", D("30000.50")),)))
    with uow_factory() as uow:
        found = uow.partners.get(PartnerKind.CUSTOMER, "张三超市")
        assert found is not None and (found.terms_days, found.credit_limit) == (15, D("30000.50"))
        assert [p.name for p in uow.partners.search(PartnerKind.CUSTOMER, "四", 10)] == ["李四便利"]
        assert uow.partners.search(PartnerKind.SUPPLIER, None, 10) == []


def test_the_database_refuses_a_second_partner_of_the_same_kind_and_name(uow_factory):
    with uow_factory().writing() as uow:
        uow.partners.add(Partner(PartnerKind.SUPPLIER, "华东饮料"))
        uow.partners.add(Partner(PartnerKind.CUSTOMER, "华东饮料"))  # another kind is fine
        with pytest.raises(IntegrityError):
            uow.partners.add(Partner(PartnerKind.SUPPLIER, "华东饮料"))


def test_last_prices_are_per_product_newest_first_and_only_with_that_partner(uow_factory):
    for code in ("A001", "A002"):
        services.add_product(uow_factory(), make_context(), c.AddProduct(code, f"商品{code}"))
    for code, price, partner in (("A001", "2.40", "华东饮料"), ("A002", "3", "华东饮料"), ("A001", "2.5", "华东饮料"), ("A002", "9", "别家")):
        services.receive_stock(
            uow_factory(), make_context(), c.ReceiveStock(code, D(1), unit_price=D(price), counterparty=partner, confirmed=True)
        )
    with uow_factory() as uow:
        prices = uow.stock.last_prices_with("华东饮料", "receipt")
    assert [(code, price) for code, _, price in prices] == [("A001", D("2.5")), ("A002", D("3"))]


def test_partners_of_one_workspace_are_invisible_in_another(engine, workspace_id, uow_factory):
    from sqlmodel import Session

    from storage.db import WRITE_OPTION

    with Session(engine.execution_options(**{WRITE_OPTION: True})) as session:
        other = create_workspace(session, "二号店")
        session.commit()
    ps.add_partner(uow_factory(), make_context(), c.AddPartner("供应商", "华东饮料"))
    with SqlUnitOfWork(engine, other) as uow:
        assert uow.partners.get(PartnerKind.SUPPLIER, "华东饮料") is None
        assert uow.partners.search(PartnerKind.SUPPLIER, None, 10) == []
