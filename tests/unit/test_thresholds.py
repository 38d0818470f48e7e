"""Per-warehouse safety and maximum stock (商品 修改 A001 安全库存 20 仓库 二仓) and the statuses
缺货 / 低于安全库存 / 正常 / 超储 against them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain import commands as c
from domain import services, thresholds
from domain.audit import Action
from domain.errors import InvalidProduct, NothingToChange, UnknownWarehouse
from domain.products import StockLevels, StockStatus, stock_status
from tests.factories import make_product
from tests.fakes import FakeUnitOfWork
from tests.unit.support import KEEPER, OWNER, ctx_of, shop

D = Decimal


@pytest.fixture
def uow() -> FakeUnitOfWork:
    uow = shop()
    uow.seed(make_product("A001", name="可乐", unit="罐", safety_stock=D(10), max_stock=D(100)))
    uow.seed_warehouses("二仓")
    return uow


def test_stock_status_against_the_product_s_levels_or_the_levels_given() -> None:
    product = make_product("A001", safety_stock=D(10), max_stock=D(100))
    assert [stock_status(product, D(q)) for q in ("0", "9", "10", "100", "101")] == [
        StockStatus.OUT, StockStatus.LOW, StockStatus.OK, StockStatus.OK, StockStatus.OVER,
    ]
    # A warehouse with 20/30: 15 is low there though the product's 10 would call it normal.
    assert stock_status(product, D(15), safety_stock=D(20), max_stock=D(30)) is StockStatus.LOW
    assert stock_status(product, D(31), safety_stock=D(20), max_stock=D(30)) is StockStatus.OVER
    assert stock_status(product, D(500), safety_stock=None, max_stock=None) is StockStatus.OK
    with pytest.raises(InvalidProduct):
        StockLevels(D(20), D(10))


def test_levels_of_one_warehouse_set_the_status_of_that_warehouse(uow: FakeUnitOfWork) -> None:
    services.receive_stock(uow, ctx_of(KEEPER), c.ReceiveStock("A001", D(15), unit_price=D(2), confirmed=True))
    services.receive_stock(uow, ctx_of(KEEPER), c.ReceiveStock("A001", D(15), unit_price=D(2), warehouse="二仓", confirmed=True))
    done = thresholds.set_stock_levels(uow, ctx_of(OWNER), c.SetStockLevels("A001", "二仓", (("safety_stock", D(20)), ("max_stock", D(50)))))
    assert [(ch.label, ch.before, ch.after) for ch in done.changes] == [("本仓安全库存", None, D(20)), ("本仓最高库存", None, D(50))]
    with uow:
        assert uow.audit.entries[-1].action is Action.SET_STOCK_LEVELS
    card = services.show_stock(uow, ctx_of(KEEPER), c.ShowStock("A001"))
    # 30 in all against the product's 10/100: 正常; 二仓's 15 against its own 20: 低于安全库存.
    assert card.status is StockStatus.OK
    assert [(w.name, levels, status) for w, levels, status in card.warehouse_levels] == [
        ("二仓", StockLevels(D(20), D(50)), StockStatus.LOW)
    ]
    # 无 clears one level; clearing both drops the warehouse's row.
    thresholds.set_stock_levels(uow, ctx_of(OWNER), c.SetStockLevels("A001", "二仓", (("max_stock", None),)))
    thresholds.set_stock_levels(uow, ctx_of(OWNER), c.SetStockLevels("A001", "二仓", (("safety_stock", None),)))
    assert uow.thresholds.levels == {}


def test_refusals_change_nothing(uow: FakeUnitOfWork) -> None:
    thresholds.set_stock_levels(uow, ctx_of(OWNER), c.SetStockLevels("A001", "二仓", (("safety_stock", D(20)),)))
    for cmd, error in (
        (c.SetStockLevels("A001", "二仓", (("safety_stock", D(20)),)), NothingToChange),
        (c.SetStockLevels("A001", "二仓", (("max_stock", D(5)),)), InvalidProduct),  # below its safety stock
        (c.SetStockLevels("A001", "三仓", (("safety_stock", D(5)),)), UnknownWarehouse),
    ):
        before = uow.state()
        with pytest.raises(error):
            thresholds.set_stock_levels(uow, ctx_of(OWNER), cmd)
        assert uow.state() == before
