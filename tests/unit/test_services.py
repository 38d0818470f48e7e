"""Use cases, run against the in-memory unit of work."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from domain import commands as c
from domain import services
from domain.audit import Action
from domain.errors import (
    ConcurrentChange,
    FractionalQuantity,
    FutureDate,
    InsufficientStock,
    InvalidProduct,
    NeedsConfirmation,
    NothingToChange,
    ProductAlreadyExists,
    ProductHint,
    ProductInactive,
    SameWarehouse,
    UnitMismatch,
    UnknownProduct,
    UnknownWarehouse,
    WarehouseExists,
    WarehouseNotAllowed,
)
from domain.guards import Risk, RiskKind
from domain.periods import between
from domain.ports import Warehouse
from domain.products import FieldChange, Product, StockStatus
from domain.services import PriceSource
from domain.stock import MovementKind, Posting, StockBalance
from tests.factories import SHANGHAI, make_context, make_product
from tests.fakes import FakeIntegrityError, FakeUnitOfWork

D = Decimal
CTX = make_context()  # 2026-03-10 09:30 Asia/Shanghai


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def seed(uow: FakeUnitOfWork, *products: Product) -> list[Product]:
    return uow.seed(*products)


def receive(uow: FakeUnitOfWork, code: str, quantity: str, price: str | None = None, **kw: object) -> services.StockReceived:
    ctx = kw.pop("ctx", CTX)
    cmd = c.ReceiveStock(code, D(quantity), unit_price=None if price is None else D(price), **kw)  # type: ignore[arg-type]
    return services.receive_stock(uow, ctx, cmd)  # type: ignore[arg-type]


def issue(uow: FakeUnitOfWork, code: str, quantity: str, **kw: object) -> services.StockIssued:
    ctx = kw.pop("ctx", CTX)
    return services.issue_stock(uow, ctx, c.IssueStock(code, D(quantity), **kw))  # type: ignore[arg-type]


# ---- the fake itself (the services' tests are only as good as it is) ------------------------


def test_fake_discards_changes_of_a_block_that_does_not_commit(uow: FakeUnitOfWork) -> None:
    before = uow.state()
    with uow.writing():
        uow.products.add(make_product())
    assert uow.state() == before
    assert uow.rollbacks == 1
    assert uow.commits == 0


def test_fake_discards_changes_made_after_the_commit(uow: FakeUnitOfWork) -> None:
    with uow.writing():
        uow.products.add(make_product("A001"))
        uow.commit()
        uow.products.add(make_product("A002"))
    assert [p.code for p in uow.products.by_id.values()] == ["A001"]
    assert uow.committed


def test_fake_refuses_repository_use_outside_a_block_and_writes_in_a_read_block(uow: FakeUnitOfWork) -> None:
    with pytest.raises(AssertionError):
        uow.products.get("A001")
    with uow, pytest.raises(AssertionError):
        uow.products.add(make_product())


def test_fake_refuses_a_duplicate_code_like_the_unique_constraint(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    with uow.writing(), pytest.raises(FakeIntegrityError):
        uow.products.add(make_product("A001"))


# ---- add_product -----------------------------------------------------------------------------


def test_add_product_stores_it_with_an_id_and_an_upper_case_code(uow: FakeUnitOfWork) -> None:
    result = services.add_product(
        uow, CTX, c.AddProduct("a001", "  可口可乐 330ml ", (("unit", "罐"), ("sale_price", D("3.50"))))
    )
    assert result.product.id == 1
    assert result.product.code == "A001"
    assert result.product.name == "可口可乐 330ml"
    assert result.product.sale_price == D("3.50")
    assert uow.products.by_id == {1: result.product}
    assert uow.commits == 1


def test_add_product_refuses_a_duplicate_code_and_writes_nothing(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", name="可乐"))
    before, commits = uow.state(), uow.commits
    with pytest.raises(ProductAlreadyExists) as caught:
        services.add_product(uow, CTX, c.AddProduct("a001", "另一个可乐"))
    assert (caught.value.code, caught.value.name) == ("A001", "可乐")
    assert uow.state() == before
    assert uow.commits == commits


def test_add_product_refuses_an_invalid_product_and_writes_nothing(uow: FakeUnitOfWork) -> None:
    with pytest.raises(InvalidProduct):
        services.add_product(uow, CTX, c.AddProduct("A001", "可乐", (("sale_price", D(-1)),)))
    assert uow.products.by_id == {}
    assert uow.commits == 0


# ---- change_product / set_product_active -----------------------------------------------------


def test_change_product_reports_before_and_after_of_the_changed_fields(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", sale_price=D("3.00")))
    result = services.change_product(
        uow, CTX, c.ChangeProduct("a001", (("sale_price", D("3.50")), ("unit", "罐"), ("spec", "330ml")))
    )
    assert result.changes == [FieldChange("sale_price", D("3.00"), D("3.50")), FieldChange("spec", "", "330ml")]
    assert result.product.sale_price == D("3.50")
    assert uow.products.by_id[1] == result.product
    assert uow.commits == 2


def test_change_product_with_only_the_same_values_is_nothing_to_change(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", sale_price=D("3.00")))
    before, commits = uow.state(), uow.commits
    with pytest.raises(NothingToChange) as caught:
        services.change_product(uow, CTX, c.ChangeProduct("A001", (("sale_price", D("3.00")),)))
    assert caught.value.code == "A001"
    assert uow.state() == before
    assert uow.commits == commits


@pytest.mark.parametrize(("field", "value"), [("code", "B001"), ("id", 2)])
def test_change_product_refuses_fields_that_are_not_editable(uow: FakeUnitOfWork, field: str, value: object) -> None:
    # A code "never changes" (Product docstring) and an id is not master data; only the
    # EDITABLE_FIELDS may be changed. Changing `id` would make the repository overwrite
    # another product (B001 here) with A001's data.
    seed(uow, make_product("A001", name="可乐"), make_product("B001", name="雪碧"))
    before = uow.state()
    with pytest.raises(InvalidProduct):
        services.change_product(uow, CTX, c.ChangeProduct("A001", ((field, value),)))
    assert uow.state() == before


def test_change_product_of_an_unknown_code_is_refused(uow: FakeUnitOfWork) -> None:
    with pytest.raises(UnknownProduct):
        services.change_product(uow, CTX, c.ChangeProduct("A001", (("name", "雪碧"),)))


def test_deactivated_product_is_refused_by_receive_and_issue(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", name="可乐"))
    receive(uow, "A001", "10", "2.50")
    result = services.set_product_active(uow, CTX, c.SetProductActive("A001", False))
    assert result.product.active is False
    assert uow.products.by_id[1].active is False
    before, commits = uow.state(), uow.commits
    with pytest.raises(ProductInactive) as caught:
        receive(uow, "A001", "1", "2.50")
    assert (caught.value.code, caught.value.name) == ("A001", "可乐")
    with pytest.raises(ProductInactive):
        issue(uow, "A001", "1")
    assert uow.state() == before
    assert uow.commits == commits


def test_reactivated_product_can_be_booked_again(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", active=False))
    services.set_product_active(uow, CTX, c.SetProductActive("A001", True))
    assert receive(uow, "A001", "1", "2.50").balance == StockBalance(D(1), D("2.50"))


def test_deactivating_an_inactive_product_is_nothing_to_change(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", active=False))
    with pytest.raises(NothingToChange):
        services.set_product_active(uow, CTX, c.SetProductActive("A001", False))
    assert uow.commits == 1


# ---- receive_stock ---------------------------------------------------------------------------


def test_receipt_at_a_given_price_books_quantity_value_and_movement(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", purchase_price=D("2.40")))
    result = receive(uow, "a001", "10", "2.50", counterparty="百事批发", note="周一到货")
    assert result.price_source == PriceSource.GIVEN
    assert result.unit_cost == D("2.50")
    assert result.balance == StockBalance(D(10), D("25.00"))
    movement = result.movement
    assert movement.kind is MovementKind.RECEIPT
    assert (movement.quantity, movement.value) == (D(10), D("25.00"))
    assert (movement.balance_quantity, movement.balance_value) == (D(10), D("25.00"))
    assert movement.unit_price == D("2.50")
    assert (movement.counterparty, movement.note) == ("百事批发", "周一到货")
    assert (movement.actor_id, movement.actor_name, movement.chat_id) == (1001, "老王", -100123)
    assert movement.occurred_at == movement.recorded_at == CTX.now
    assert uow.stock.ledger == [movement]
    assert uow.stock.balances == {(1, 1): StockBalance(D(10), D("25.00"))}


def test_receipt_without_a_price_uses_the_list_purchase_price(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", purchase_price=D("2.40")))
    result = receive(uow, "A001", "10")
    assert result.price_source == PriceSource.PURCHASE_PRICE
    assert result.unit_cost == D("2.40")
    assert result.movement.value == D("24.00")
    assert result.movement.unit_price is None  # nothing was typed


def test_receipt_without_any_price_uses_the_moving_average(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    receive(uow, "A001", "10", "2.50")
    receive(uow, "A001", "10", "2.60")  # 20 worth 51.00 → 2.55
    result = receive(uow, "A001", "4")
    assert result.price_source == PriceSource.AVERAGE
    assert result.unit_cost == D("2.55")
    assert result.movement.value == D("10.20")
    assert result.balance == StockBalance(D(24), D("61.20"))


def test_receipt_without_any_price_on_empty_stock_is_unvalued(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    result = receive(uow, "A001", "4")
    assert result.price_source == PriceSource.NONE
    assert result.unit_cost is None
    assert result.balance == StockBalance(D(4), D(0))


def test_receipt_of_a_fraction_of_a_weighed_good(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("R01", name="大米", unit="kg"))
    result = receive(uow, "R01", "2.5", "12.80", unit="KG")
    assert result.balance == StockBalance(D("2.5"), D("32.00"))


def test_receipts_are_numbered_per_year_from_0001(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    assert receive(uow, "A001", "1", "1").movement.number == "RK-2026-0001"
    assert receive(uow, "A001", "1", "1").movement.number == "RK-2026-0002"
    assert issue(uow, "A001", "1").movement.number == "CK-2026-0001"
    next_year = make_context(now=datetime(2027, 1, 2, 10, 0, tzinfo=SHANGHAI))
    assert receive(uow, "A001", "1", "1", ctx=next_year).movement.number == "RK-2027-0001"
    assert receive(uow, "A001", "1", "1").movement.number == "RK-2026-0003"


def test_receipt_number_takes_the_year_of_the_shanghai_calendar(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    # 2025-12-31 16:30 UTC is already 2026-01-01 00:30 in Shanghai.
    new_year = make_context(now=datetime(2025, 12, 31, 16, 30, tzinfo=timezone.utc))
    assert receive(uow, "A001", "1", "1", ctx=new_year).movement.number == "RK-2026-0001"


def test_document_numbers_and_ids_of_a_refused_booking_are_not_used_up(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    receive(uow, "A001", "1", "1")
    with pytest.raises(InsufficientStock):
        issue(uow, "A001", "5")
    assert issue(uow, "A001", "1").movement.number == "CK-2026-0001"
    assert [m.id for m in uow.stock.ledger] == [1, 2]


def test_back_dated_receipt_occurs_on_that_day_at_the_current_local_time(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    result = receive(uow, "A001", "1", "1", occurred_on=date(2026, 3, 8))
    assert result.movement.occurred_at == datetime(2026, 3, 8, 9, 30, tzinfo=SHANGHAI)
    assert result.movement.recorded_at == CTX.now


def test_receipt_dated_in_the_future_is_refused_and_nothing_committed(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    before, commits = uow.state(), uow.commits
    with pytest.raises(FutureDate) as caught:
        receive(uow, "A001", "1", "1", occurred_on=date(2026, 3, 11))
    assert caught.value.day == date(2026, 3, 11)
    with pytest.raises(FutureDate):
        issue(uow, "A001", "1", occurred_on=date(2026, 3, 11))
    assert uow.state() == before
    assert uow.commits == commits


def test_future_is_judged_by_the_shanghai_calendar_not_utc(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    # 2026-03-10 17:00 UTC is 2026-03-11 01:00 in Shanghai: the 11th is today there.
    late = make_context(now=datetime(2026, 3, 10, 17, 0, tzinfo=timezone.utc))
    result = receive(uow, "A001", "1", "1", occurred_on=date(2026, 3, 11), ctx=late)
    assert result.movement.occurred_at == datetime(2026, 3, 11, 1, 0, tzinfo=SHANGHAI)
    with pytest.raises(FutureDate):
        receive(uow, "A001", "1", "1", occurred_on=date(2026, 3, 12), ctx=late)


def test_receipt_in_the_wrong_unit_is_refused_and_nothing_written(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", unit="罐"))
    before = uow.state()
    with pytest.raises(UnitMismatch):
        receive(uow, "A001", "2", "30", unit="箱")
    with pytest.raises(FractionalQuantity):
        receive(uow, "A001", "2.5", "3")
    assert uow.state() == before


def test_receipt_of_an_unknown_code_suggests_the_look_alike(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", name="可乐"))
    with pytest.raises(UnknownProduct) as caught:
        receive(uow, "A00l", "1", "1")
    assert caught.value.suggestions == [ProductHint("A001", "可乐")]


# ---- issue_stock -----------------------------------------------------------------------------


def test_issue_is_costed_at_the_moving_average(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    receive(uow, "A001", "10", "2.50")
    receive(uow, "A001", "10", "2.60")
    result = issue(uow, "A001", "3", unit_price=D("4.00"), counterparty="张三小卖部")
    assert result.cost == D("7.65")
    assert result.revenue == D("12.00")
    assert (result.movement.quantity, result.movement.value) == (D(-3), D("-7.65"))
    assert result.movement.kind is MovementKind.ISSUE
    assert result.balance == StockBalance(D(17), D("43.35"))
    assert uow.stock.balances[(1, 1)] == StockBalance(D(17), D("43.35"))


def test_issue_without_a_price_has_no_revenue(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    receive(uow, "A001", "1", "2")
    assert issue(uow, "A001", "1").revenue is None


def test_issue_reports_the_stock_status_after_it(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", safety_stock=D(10)))
    receive(uow, "A001", "12", "1")
    assert issue(uow, "A001", "2").status is StockStatus.OK
    assert issue(uow, "A001", "1").status is StockStatus.LOW
    assert issue(uow, "A001", "9").status is StockStatus.OUT


def test_issue_beyond_stock_is_refused_and_leaves_the_books_unchanged(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", name="可乐", unit="罐"))
    receive(uow, "A001", "5", "2.50")
    before, commits = uow.state(), uow.commits
    with pytest.raises(InsufficientStock) as caught:
        issue(uow, "A001", "8")
    error = caught.value
    assert (error.code, error.name, error.unit, error.requested, error.available) == ("A001", "可乐", "罐", D(8), D(5))
    assert uow.state() == before
    assert uow.commits == commits
    assert not uow.committed


def test_issue_of_a_product_never_stocked_is_refused_with_nothing_available(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    before = uow.state()
    with pytest.raises(InsufficientStock) as caught:
        issue(uow, "A001", "1")
    assert caught.value.available == 0
    assert uow.state() == before  # not even the zero balance row


def test_issue_of_a_fraction_of_a_counted_good_is_refused(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", unit="罐"))
    receive(uow, "A001", "5", "2.50")
    with pytest.raises(FractionalQuantity):
        issue(uow, "A001", "0.5")


# ---- find_products ---------------------------------------------------------------------------


def test_find_products_by_exact_code_shows_the_card(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", safety_stock=D(10)), make_product("A0011", name="可口可乐 2L"))
    receive(uow, "A001", "4", "2.50")
    result = services.find_products(uow, CTX, c.FindProducts("a001"))
    assert isinstance(result, services.ProductCard)
    assert result.product.code == "A001"
    assert result.balance == StockBalance(D(4), D("10.00"))
    assert result.status is StockStatus.LOW


def test_find_products_by_a_fragment_lists_the_matches_in_pages(uow: FakeUnitOfWork) -> None:
    seed(uow, *[make_product(f"K{i:02d}", name=f"可乐 {i}号") for i in range(1, 13)], make_product("S01", name="雪碧"))
    first = services.find_products(uow, CTX, c.FindProducts("可乐"))
    assert isinstance(first, services.ProductMatches)
    assert (first.total, first.pages, first.page) == (12, 2, 1)
    assert [p.code for p in first.products] == [f"K{i:02d}" for i in range(1, 11)]
    second = services.find_products(uow, CTX, c.FindProducts("可乐", page=2))
    assert [p.code for p in second.products] == ["K11", "K12"]
    beyond = services.find_products(uow, CTX, c.FindProducts("可乐", page=99))
    assert beyond.page == 2


def test_find_products_lists_active_products_before_inactive_ones(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", active=False), make_product("A002"), make_product("A003"))
    result = services.find_products(uow, CTX, c.FindProducts(None))
    assert isinstance(result, services.ProductMatches)
    assert [p.code for p in result.products] == ["A002", "A003", "A001"]


def test_find_products_by_a_fragment_with_one_match_shows_its_card(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", name="可乐"), make_product("S01", name="雪碧"))
    result = services.find_products(uow, CTX, c.FindProducts("雪"))
    assert isinstance(result, services.ProductCard)
    assert result.product.code == "S01"


def test_find_products_of_an_unknown_code_raises_with_suggestions(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", name="可乐"), make_product("B105", name="矿泉水"))
    with pytest.raises(UnknownProduct) as caught:
        services.find_products(uow, CTX, c.FindProducts("A00l"))
    assert caught.value.query == "A00l"
    assert caught.value.suggestions == [ProductHint("A001", "可乐")]


def test_find_products_of_an_unknown_name_raises_without_suggestions(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", name="可乐"))
    with pytest.raises(UnknownProduct) as caught:
        services.find_products(uow, CTX, c.FindProducts("牛奶"))
    assert caught.value.suggestions == []


def test_listing_all_products_of_an_empty_catalogue_is_an_empty_list(uow: FakeUnitOfWork) -> None:
    # `商品` with no products yet: the list template already says "商品共 0 个".
    result = services.find_products(uow, CTX, c.FindProducts(None))
    assert result == services.ProductMatches(None, [], 1, 1, 0)


# ---- show_stock ------------------------------------------------------------------------------


def test_show_stock_of_one_code_is_its_card(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", max_stock=D(10)))
    receive(uow, "A001", "11", "1.00")
    result = services.show_stock(uow, CTX, c.ShowStock("a001"))
    assert isinstance(result, services.StockCard)
    assert result.balance == StockBalance(D(11), D("11.00"))
    assert result.status is StockStatus.OVER


def test_show_stock_of_an_unknown_code_is_refused(uow: FakeUnitOfWork) -> None:
    with pytest.raises(UnknownProduct):
        services.show_stock(uow, CTX, c.ShowStock("A001"))


def test_stock_overview_lists_lowest_against_safety_stock_first(uow: FakeUnitOfWork) -> None:
    seed(
        uow,
        make_product("P1", safety_stock=D(10)),  # 2 on hand: ratio 0.2
        make_product("P2", safety_stock=D(10)),  # 8 on hand: ratio 0.8
        make_product("P3", safety_stock=D(5)),  # 1 on hand: ratio 0.2, fewer units than P1
        make_product("P4"),  # no threshold, nothing on hand
        make_product("P5"),  # no threshold, 50 on hand
        make_product("P6", safety_stock=D(0)),  # a zero threshold is no threshold; 3 on hand
        make_product("P7", safety_stock=D(10)),  # deactivated: not listed
    )
    for code, quantity in [("P1", "2"), ("P2", "8"), ("P3", "1"), ("P5", "50"), ("P6", "3"), ("P7", "1")]:
        receive(uow, code, quantity, "1.00")
    services.set_product_active(uow, CTX, c.SetProductActive("P7", False))
    result = services.show_stock(uow, CTX, c.ShowStock())
    assert isinstance(result, services.StockOverview)
    assert [(line.product.code, status) for line, status in result.lines] == [
        ("P3", StockStatus.LOW),
        ("P1", StockStatus.LOW),
        ("P2", StockStatus.LOW),
        ("P4", StockStatus.OUT),
        ("P6", StockStatus.OK),
        ("P5", StockStatus.OK),
    ]
    assert result.totals.products == 6
    assert result.totals.value == D("64.00")
    assert (result.totals.out_of_stock, result.totals.below_safety) == (1, 3)
    assert (result.page, result.pages) == (1, 1)


def test_stock_overview_pages_by_ten(uow: FakeUnitOfWork) -> None:
    seed(uow, *[make_product(f"A{i:03d}") for i in range(1, 13)])
    second = services.show_stock(uow, CTX, c.ShowStock(page=2))
    assert isinstance(second, services.StockOverview)
    assert (second.page, second.pages) == (2, 2)
    assert [line.product.code for line, _ in second.lines] == ["A011", "A012"]


def test_stock_overview_of_an_empty_catalogue_is_one_empty_page(uow: FakeUnitOfWork) -> None:
    result = services.show_stock(uow, CTX, c.ShowStock(page=3))
    assert isinstance(result, services.StockOverview)
    assert (result.lines, result.page, result.pages, result.totals.products) == ([], 1, 1, 0)


# ---- show_ledger -----------------------------------------------------------------------------


def test_ledger_lists_the_newest_movement_first(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    receive(uow, "A001", "10", "2.50")
    issue(uow, "A001", "3")
    receive(uow, "A001", "5", "2.60")
    page = services.show_ledger(uow, CTX, c.ShowLedger("a001"))
    assert [m.number for m in page.movements] == ["RK-2026-0002", "CK-2026-0001", "RK-2026-0001"]
    assert [m.balance_quantity for m in page.movements] == [D(12), D(7), D(10)]
    assert (page.total, page.page, page.pages) == (3, 1, 1)
    assert page.product.code == "A001"


def test_ledger_only_shows_the_product_asked_for(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"), make_product("A002"))
    receive(uow, "A001", "1", "1")
    receive(uow, "A002", "1", "1")
    page = services.show_ledger(uow, CTX, c.ShowLedger("A002"))
    assert [m.product_id for m in page.movements] == [2]


def test_ledger_filters_by_period_in_shanghai_days(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    # Booked at 07:00 Shanghai, i.e. 23:00 UTC of the day before.
    early = make_context(now=datetime(2026, 3, 10, 7, 0, tzinfo=SHANGHAI))
    for day in (date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 5), date(2026, 3, 6)):
        receive(uow, "A001", "1", "1", occurred_on=day, ctx=early)
    period = between(date(2026, 3, 1), date(2026, 3, 5))
    page = services.show_ledger(uow, CTX, c.ShowLedger("A001", period))
    assert [m.occurred_at.astimezone(SHANGHAI).date() for m in page.movements] == [date(2026, 3, 5), date(2026, 3, 1)]
    assert page.total == 2
    assert page.period == period


def test_ledger_pages_by_ten_and_clamps_the_page(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    for _ in range(25):
        receive(uow, "A001", "1", "1")
    last = services.show_ledger(uow, CTX, c.ShowLedger("A001", page=3))
    assert (last.total, last.pages, last.page) == (25, 3, 3)
    assert [m.number for m in last.movements] == [f"RK-2026-{n:04d}" for n in range(5, 0, -1)]
    assert services.show_ledger(uow, CTX, c.ShowLedger("A001", page=0)).page == 1
    assert services.show_ledger(uow, CTX, c.ShowLedger("A001", page=9)).page == 3


def test_ledger_of_a_product_without_movements_is_one_empty_page(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    page = services.show_ledger(uow, CTX, c.ShowLedger("A001"))
    assert (page.movements, page.total, page.page, page.pages) == ([], 0, 1, 1)


# ---- check_books -----------------------------------------------------------------------------


def scenario(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"), make_product("R01", name="大米", unit="kg"))
    receive(uow, "A001", "10", "2.50")
    receive(uow, "A001", "10", "2.60")
    issue(uow, "A001", "3")
    receive(uow, "R01", "2.5", "12.80")
    issue(uow, "R01", "2.5")
    with pytest.raises(InsufficientStock):
        issue(uow, "A001", "100")


def test_check_books_passes_after_receipts_and_issues(uow: FakeUnitOfWork) -> None:
    scenario(uow)
    report = services.check_books(uow)
    assert report.ok
    assert (report.balances, report.movements) == (2, 5)


def test_check_books_finds_a_balance_that_differs_from_its_movements(uow: FakeUnitOfWork) -> None:
    scenario(uow)
    uow.stock.balances[(1, 1)] = StockBalance(D(17), D("43.36"))  # one fen off
    report = services.check_books(uow)
    assert not report.ok
    (mismatch,) = report.mismatches
    assert mismatch.product_code == "A001"
    assert mismatch.stored == StockBalance(D(17), D("43.36"))
    assert mismatch.derived == StockBalance(D(17), D("43.35"))


def test_check_books_finds_movements_whose_balance_row_is_missing(uow: FakeUnitOfWork) -> None:
    scenario(uow)
    del uow.stock.balances[(1, 1)]
    report = services.check_books(uow)
    (mismatch,) = report.mismatches
    assert mismatch.product_code == "A001"
    assert mismatch.stored == StockBalance(D(0), D(0))
    assert mismatch.derived == StockBalance(D(17), D("43.35"))


def test_check_books_does_not_write(uow: FakeUnitOfWork) -> None:
    scenario(uow)
    before, commits = uow.state(), uow.commits
    services.check_books(uow)
    assert (uow.state(), uow.commits) == (before, commits)


def test_contexts_today_is_the_shanghai_date() -> None:
    assert make_context(now=datetime(2026, 3, 10, 17, 0, tzinfo=timezone.utc)).today == date(2026, 3, 11)
    assert make_context(now=datetime(2026, 3, 10, 15, 59, tzinfo=timezone.utc)).today == date(2026, 3, 10)


# ---- warehouses ------------------------------------------------------------------------------

def in_warehouses(*ids: int):  # type: ignore[no-untyped-def]
    """A context for a member limited to some warehouses."""
    return replace(CTX, actor=replace(CTX.actor, warehouse_ids=frozenset(ids)))


def with_text(text: str, ctx=CTX):  # type: ignore[no-untyped-def]
    return replace(ctx, text=text)


def test_add_and_list_warehouses(uow: FakeUnitOfWork) -> None:
    result = services.add_warehouse(uow, with_text("仓库 新增 二仓"), c.AddWarehouse("二仓"))
    assert result == services.WarehouseAdded(Warehouse(2, "二仓"))
    listed = services.list_warehouses(uow, in_warehouses(2), c.ListWarehouses())
    assert listed == services.WarehouseList([Warehouse(1, "主仓"), Warehouse(2, "二仓")], frozenset({2}))
    (entry,) = uow.audit.entries
    assert (entry.action, entry.subject, entry.text) == (Action.ADD_WAREHOUSE, "二仓", "仓库 新增 二仓")


def test_adding_a_warehouse_twice_is_refused(uow: FakeUnitOfWork) -> None:
    uow.seed_warehouses("二仓")
    before = uow.state()
    for name in ("二仓", "主仓"):
        with pytest.raises(WarehouseExists) as caught:
            services.add_warehouse(uow, CTX, c.AddWarehouse(name))
        assert caught.value.name == name
    assert uow.state() == before


def test_receipt_in_a_named_warehouse_books_there(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    uow.seed_warehouses("二仓")
    receive(uow, "A001", "4", "2.50")
    result = receive(uow, "A001", "6", "2.50", warehouse="二仓")
    assert result.movement.warehouse_id == 2
    assert uow.stock.balances == {(1, 1): StockBalance(D(4), D("10.00")), (1, 2): StockBalance(D(6), D("15.00"))}
    assert result.balance == StockBalance(D(10), D("25.00"))  # the product's total over all warehouses
    issued = issue(uow, "A001", "6", warehouse="二仓")
    assert issued.movement.warehouse_id == 2
    with pytest.raises(InsufficientStock) as caught:
        issue(uow, "A001", "1", warehouse="二仓")  # 主仓's stock does not help 二仓
    assert caught.value.available == 0


def test_an_unknown_warehouse_is_refused_with_the_known_names(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    uow.seed_warehouses("二仓", "三仓")
    before = uow.state()
    with pytest.raises(UnknownWarehouse) as caught:
        receive(uow, "A001", "1", "1", warehouse="四仓")
    assert (caught.value.name, caught.value.known) == ("四仓", ["主仓", "二仓", "三仓"])
    # A limited member is only told of the warehouses they may use.
    with pytest.raises(UnknownWarehouse) as caught:
        issue(uow, "A001", "1", warehouse="四仓", ctx=in_warehouses(2))
    assert caught.value.known == ["二仓"]
    assert uow.state() == before


def test_a_member_limited_to_the_second_warehouse_is_refused_in_the_first(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    uow.seed_warehouses("二仓")
    receive(uow, "A001", "5", "1.00")
    before = uow.state()
    for attempt in (
        lambda: receive(uow, "A001", "1", "1", ctx=in_warehouses(2)),  # 主仓 by default
        lambda: receive(uow, "A001", "1", "1", warehouse="主仓", ctx=in_warehouses(2)),
        lambda: issue(uow, "A001", "1", ctx=in_warehouses(2)),
    ):
        with pytest.raises(WarehouseNotAllowed) as caught:
            attempt()
        assert caught.value.name == "主仓"
    assert uow.state() == before
    result = receive(uow, "A001", "2", "3.00", warehouse="二仓", ctx=in_warehouses(2), confirmed=True)
    assert result.balance == StockBalance(D(2), D("6.00"))  # what the member may see: 二仓 only


def test_a_member_limited_to_a_warehouse_sees_only_its_stock(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"), make_product("B001", name="雪碧"))
    uow.seed_warehouses("二仓")
    receive(uow, "A001", "5", "1.00")
    receive(uow, "A001", "2", "3.00", warehouse="二仓", confirmed=True)
    receive(uow, "B001", "7", "1.00")
    only_second = in_warehouses(2)
    card = services.show_stock(uow, only_second, c.ShowStock("A001"))
    assert card.balance == StockBalance(D(2), D("6.00"))  # type: ignore[union-attr]
    overview = services.show_stock(uow, only_second, c.ShowStock())
    assert isinstance(overview, services.StockOverview)
    assert [(line.product.code, line.balance) for line, _ in overview.lines] == [
        ("B001", StockBalance(D(0), D(0))),
        ("A001", StockBalance(D(2), D("6.00"))),
    ]
    assert (overview.totals.products, overview.totals.value, overview.totals.out_of_stock) == (2, D("6.00"), 1)
    ledger = services.show_ledger(uow, only_second, c.ShowLedger("A001"))
    assert ([m.number for m in ledger.movements], ledger.total) == (["RK-2026-0002"], 1)
    found = services.find_products(uow, only_second, c.FindProducts("A001"))
    assert found.balance == StockBalance(D(2), D("6.00"))  # type: ignore[union-attr]
    everything = services.show_stock(uow, CTX, c.ShowStock())
    assert everything.totals.value == D("18.00")  # type: ignore[union-attr]  # 5 + 6 + 7


# ---- guard rails -----------------------------------------------------------------------------


def test_an_outsized_receipt_is_asked_about_before_anything_is_written(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    for _ in range(3):
        receive(uow, "A001", "10", "2.50")
    before, commits = uow.state(), uow.commits
    cmd = c.ReceiveStock("A001", D(101), unit_price=D("2.50"))
    with pytest.raises(NeedsConfirmation) as caught:
        services.receive_stock(uow, CTX, cmd)
    assert caught.value.reasons == [Risk(RiskKind.LARGE_QUANTITY, D(101), D(10))]
    assert caught.value.command == replace(cmd, confirmed=True)
    assert caught.value.preview == uow.products.by_id[1]
    assert (uow.state(), uow.commits) == (before, commits)
    booked = services.receive_stock(uow, CTX, caught.value.command)
    assert booked.balance == StockBalance(D(131), D("327.50"))


def test_exactly_ten_times_the_usual_quantity_is_booked_without_asking(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    receive(uow, "A001", "10", "2.50")
    assert receive(uow, "A001", "100", "2.50").balance.quantity == D(110)


def test_the_usual_quantity_is_the_mean_of_the_last_twenty_of_the_same_kind(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    receive(uow, "A001", "1000", "1.00")  # old and large: falls out of the sample
    for _ in range(20):
        receive(uow, "A001", "1", "1.00")
    with pytest.raises(NeedsConfirmation):
        receive(uow, "A001", "11", "1.00")
    issue(uow, "A001", "500")  # issues have a typical size of their own
    assert issue(uow, "A001", "11").movement.quantity == D(-11)


@pytest.mark.parametrize(("price", "risky"), [("3.75", False), ("3.76", True), ("1.25", False), ("1.24", True)])
def test_a_price_more_than_half_away_from_the_last_is_asked_about(uow: FakeUnitOfWork, price: str, risky: bool) -> None:
    seed(uow, make_product("A001"))
    receive(uow, "A001", "10", "2.00")
    receive(uow, "A001", "10", "2.50")  # the last price counts, not the average
    if not risky:
        assert receive(uow, "A001", "10", price).movement.unit_price == D(price)
        return
    before = uow.state()
    with pytest.raises(NeedsConfirmation) as caught:
        receive(uow, "A001", "10", price)
    assert caught.value.reasons == [Risk(RiskKind.PRICE_JUMP, D(price), D("2.50"))]
    assert uow.state() == before
    assert receive(uow, "A001", "10", price, confirmed=True).movement.unit_price == D(price)


def test_without_history_the_list_price_is_the_reference(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", purchase_price=D("2.40"), sale_price=D("3.00")))
    with pytest.raises(NeedsConfirmation) as caught:
        receive(uow, "A001", "10", "24.00")  # a slipped decimal point
    assert caught.value.reasons == [Risk(RiskKind.PRICE_JUMP, D("24.00"), D("2.40"))]
    receive(uow, "A001", "10", "2.40")
    with pytest.raises(NeedsConfirmation) as caught:
        issue(uow, "A001", "1", unit_price=D("30.00"))
    assert caught.value.reasons == [Risk(RiskKind.PRICE_JUMP, D("30.00"), D("3.00"))]
    assert uow.stock.balances[(1, 1)] == StockBalance(D(10), D("24.00"))


def test_an_outsized_issue_is_asked_about_and_booked_when_confirmed(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    receive(uow, "A001", "100", "1.00")
    issue(uow, "A001", "2")
    before = uow.state()
    with pytest.raises(NeedsConfirmation) as caught:
        issue(uow, "A001", "21")
    assert caught.value.reasons == [Risk(RiskKind.LARGE_QUANTITY, D(21), D(2))]
    assert uow.state() == before
    assert services.issue_stock(uow, CTX, caught.value.command).balance == StockBalance(D(77), D("77.00"))


def test_a_shortage_is_reported_before_a_risk(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    receive(uow, "A001", "1", "1.00")
    issue(uow, "A001", "1")
    with pytest.raises(InsufficientStock):
        issue(uow, "A001", "50")


# ---- the audit trail of bookings and master data ----------------------------------------------


def test_every_booking_leaves_one_audit_entry_with_its_number_and_the_text(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    received = services.receive_stock(uow, with_text("入库 A001 10 单价 2.5"), c.ReceiveStock("A001", D(10), unit_price=D("2.5")))
    issued = services.issue_stock(uow, with_text("出库 A001 3"), c.IssueStock("A001", D(3)))
    receipt_entry, issue_entry = uow.audit.entries
    assert (receipt_entry.action, receipt_entry.subject, receipt_entry.numbers, receipt_entry.text) == (
        Action.RECEIVE,
        "A001",
        (received.movement.number,),
        "入库 A001 10 单价 2.5",
    )
    assert (issue_entry.action, issue_entry.numbers, issue_entry.text) == (Action.ISSUE, ("CK-2026-0001",), "出库 A001 3")
    assert issued.movement.number == "CK-2026-0001"
    assert (receipt_entry.user_id, receipt_entry.user_name, receipt_entry.chat_id, receipt_entry.at) == (1001, "老王", -100123, CTX.now)
    assert [e.id for e in uow.audit.entries] == [1, 2]


def test_master_data_changes_are_audited_with_before_and_after(uow: FakeUnitOfWork) -> None:
    services.add_product(uow, with_text("商品 新增 A001 可乐"), c.AddProduct("A001", "可乐"))
    services.change_product(uow, with_text("商品 修改 A001 售价 3.5"), c.ChangeProduct("A001", (("sale_price", D("3.5")),)))
    services.set_product_active(uow, with_text("商品 停用 A001"), c.SetProductActive("A001", False))
    assert [(e.action, e.subject, e.changes, e.text) for e in uow.audit.entries] == [
        (Action.ADD_PRODUCT, "A001", (), "商品 新增 A001 可乐"),
        (Action.CHANGE_PRODUCT, "A001", (FieldChange("sale_price", None, D("3.5")),), "商品 修改 A001 售价 3.5"),
        (Action.DEACTIVATE_PRODUCT, "A001", (FieldChange("active", True, False),), "商品 停用 A001"),
    ]


def test_refusals_and_reads_leave_no_audit_entry(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    with pytest.raises(InsufficientStock):
        issue(uow, "A001", "1")
    with pytest.raises(NothingToChange):
        services.set_product_active(uow, CTX, c.SetProductActive("A001", True))
    services.show_stock(uow, CTX, c.ShowStock())
    services.find_products(uow, CTX, c.FindProducts("A001"))
    assert uow.audit.entries == []


# ---- append_movement: every change of stock goes through it ------------------------------------


def test_append_movement_appends_the_row_and_moves_the_balance_with_it(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    receive(uow, "A001", "10", "2.50")  # 10 worth 25.00
    with uow.writing():
        before = uow.stock.lock_balance(1, 1)
        movement, after = services.append_movement(
            uow, CTX, MovementKind.SCRAP, 1, 1, before, Posting(D(-4), D("-10.00")), "BS-2026-0042", note="破损"
        )
        uow.commit()
    assert after == StockBalance(D(6), D("15.00"))
    assert uow.stock.balances[(1, 1)] == after
    assert (movement.kind, movement.quantity, movement.value) == (MovementKind.SCRAP, D(-4), D("-10.00"))
    assert (movement.balance_quantity, movement.balance_value) == (D(6), D("15.00"))
    assert (movement.number, movement.note, movement.occurred_at, movement.recorded_at) == ("BS-2026-0042", "破损", CTX.now, CTX.now)
    assert (movement.actor_id, movement.actor_name, movement.chat_id) == (1001, "老王", -100123)
    assert uow.stock.ledger[-1] == movement
    assert services.check_books(uow).ok


def test_append_movement_on_a_stale_balance_is_a_concurrent_change(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    receive(uow, "A001", "10", "2.50")
    before_state = uow.state()
    with uow.writing(), pytest.raises(ConcurrentChange):
        stale = StockBalance(D(9), D("22.50"))  # not what the row holds
        services.append_movement(uow, CTX, MovementKind.ISSUE, 1, 1, stale, Posting(D(-1), D("-2.50")), "CK-X")
    assert uow.state() == before_state


# ---- 调拨 (transfer) -------------------------------------------------------------------------------


def transfer(uow: FakeUnitOfWork, code: str, quantity: str, source: str, target: str, **kw: object) -> services.StockTransferred:
    ctx = kw.pop("ctx", CTX)
    return services.transfer_stock(uow, ctx, c.TransferStock(code, D(quantity), source, target, **kw))  # type: ignore[arg-type]


def scrap(uow: FakeUnitOfWork, code: str, quantity: str, reason: str = "破损", **kw: object) -> services.StockScrapped:
    ctx = kw.pop("ctx", CTX)
    return services.scrap_stock(uow, ctx, c.ScrapStock(code, D(quantity), reason, **kw))  # type: ignore[arg-type]


MAIN, SECOND, THIRD = Warehouse(1, "主仓"), Warehouse(2, "二仓"), Warehouse(3, "三仓")


def test_transfer_moves_quantity_and_value_at_the_moving_average(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", name="可乐"))
    uow.seed_warehouses("二仓")
    receive(uow, "A001", "100", "2.40")  # 100 worth 240.00
    result = services.transfer_stock(
        uow, with_text("调拨 A001 30 主仓→二仓 备注 补货"), c.TransferStock("A001", D(30), "主仓", "二仓", note="补货")
    )
    # 30 × 240.00 / 100 = 72.00 leaves 主仓 and arrives in 二仓
    assert result == services.StockTransferred(
        product=uow.products.by_id[1],
        number="DB-2026-0001",
        quantity=D(30),
        value=D("72.00"),
        source=MAIN,
        target=SECOND,
        source_balance=StockBalance(D(70), D("168.00")),
        target_balance=StockBalance(D(30), D("72.00")),
    )
    assert uow.stock.balances == {(1, 1): StockBalance(D(70), D("168.00")), (1, 2): StockBalance(D(30), D("72.00"))}
    _, out, into = uow.stock.ledger
    assert (out.kind, out.warehouse_id, out.quantity, out.value, out.balance_quantity, out.balance_value) == (
        MovementKind.TRANSFER_OUT, 1, D(-30), D("-72.00"), D(70), D("168.00")
    )
    assert (into.kind, into.warehouse_id, into.quantity, into.value, into.balance_quantity, into.balance_value) == (
        MovementKind.TRANSFER_IN, 2, D(30), D("72.00"), D(30), D("72.00")
    )
    # Both legs carry one document number and name the other warehouse.
    assert (out.number, into.number) == ("DB-2026-0001", "DB-2026-0001")
    assert (out.counterparty, into.counterparty, out.note, into.note) == ("二仓", "主仓", "补货", "补货")
    assert (out.unit_cost, into.unit_cost) == (D("2.40"), D("2.40"))
    # One audit entry, with the DB number and the text as typed.
    entry = uow.audit.entries[-1]
    assert (entry.action, entry.subject, entry.numbers, entry.text) == (
        Action.TRANSFER, "A001", ("DB-2026-0001",), "调拨 A001 30 主仓→二仓 备注 补货"
    )
    # The product's total is what it was.
    with uow:
        assert uow.stock.total_balance(1) == StockBalance(D(100), D("240.00"))
    assert services.check_books(uow).ok


def test_transfer_at_a_non_round_average_rounds_to_the_fen_and_keeps_the_total(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    uow.seed_warehouses("二仓")
    receive(uow, "A001", "7", "1.4286")  # 7 × 1.4286 = 10.0002 → 10.00
    assert uow.stock.balances[(1, 1)] == StockBalance(D(7), D("10.00"))
    result = transfer(uow, "A001", "3", "主仓", "二仓")
    # 3 × 10.00 / 7 = 4.2857… → 4.29; 5.71 stays behind; 5.71 + 4.29 = 10.00
    assert result.value == D("4.29")
    assert (result.source_balance, result.target_balance) == (StockBalance(D(4), D("5.71")), StockBalance(D(3), D("4.29")))
    assert result.source_balance.value + result.target_balance.value == D("10.00")
    # and back again: 1 × 4.29 / 3 = 1.43
    back = transfer(uow, "A001", "1", "二仓", "主仓")
    assert back.number == "DB-2026-0002"
    assert (back.value, back.source_balance, back.target_balance) == (
        D("1.43"), StockBalance(D(2), D("2.86")), StockBalance(D(5), D("7.14"))
    )
    assert services.check_books(uow).ok


def test_transfer_that_empties_the_source_takes_its_whole_value(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    uow.seed_warehouses("二仓")
    receive(uow, "A001", "3000", "0.3333333")  # 3000 × 0.3333333 = 999.9999 → 1000.00
    first = transfer(uow, "A001", "1000", "主仓", "二仓")
    assert first.value == D("333.33")  # 1000 × 1000.00 / 3000 = 333.333…
    assert first.source_balance == StockBalance(D(2000), D("666.67"))
    # The average is now 0.3333, and 2000 × 0.3333 = 666.60 would leave 0.07 on empty stock:
    # the emptying transfer takes all 666.67 instead.
    rest = transfer(uow, "A001", "2000", "主仓", "二仓")
    assert rest.value == D("666.67")
    assert rest.source_balance == StockBalance(D(0), D(0))
    assert rest.target_balance == StockBalance(D(3000), D("1000.00"))


def test_transfer_of_more_than_the_source_holds_is_refused_naming_the_warehouse(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", name="可乐", unit="罐"))
    uow.seed_warehouses("二仓")
    receive(uow, "A001", "5", "2.50")
    receive(uow, "A001", "20", "2.50", warehouse="二仓")
    before, commits = uow.state(), uow.commits
    with pytest.raises(InsufficientStock) as caught:
        transfer(uow, "A001", "8", "主仓", "二仓")
    error = caught.value
    assert (error.code, error.name, error.unit, error.requested, error.available, error.warehouse) == (
        "A001", "可乐", "罐", D(8), D(5), "主仓"
    )
    uow.seed_warehouses("三仓")
    before, commits = uow.state(), uow.commits
    with pytest.raises(InsufficientStock) as caught:
        transfer(uow, "A001", "1", "三仓", "主仓")  # 三仓 never held any
    assert (caught.value.available, caught.value.warehouse) == (D(0), "三仓")
    # Nothing written: no movement, no number used up, no zero balance row for 三仓, no audit entry.
    assert (uow.state(), uow.commits) == (before, commits)
    assert transfer(uow, "A001", "5", "主仓", "二仓").number == "DB-2026-0001"


def test_transfer_within_one_warehouse_is_refused(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    receive(uow, "A001", "5", "2.50")
    before = uow.state()
    with pytest.raises(SameWarehouse) as caught:
        transfer(uow, "A001", "1", "主仓", "主仓")
    assert caught.value.name == "主仓"
    assert uow.state() == before


@pytest.mark.parametrize(("source", "target"), [("四仓", "主仓"), ("主仓", "四仓")])
def test_transfer_from_or_to_an_unknown_warehouse_is_refused(uow: FakeUnitOfWork, source: str, target: str) -> None:
    seed(uow, make_product("A001"))
    uow.seed_warehouses("二仓")
    receive(uow, "A001", "5", "2.50")
    before = uow.state()
    with pytest.raises(UnknownWarehouse) as caught:
        transfer(uow, "A001", "1", source, target)
    assert (caught.value.name, caught.value.known) == ("四仓", ["主仓", "二仓"])
    assert uow.state() == before


@pytest.mark.parametrize(
    ("allowed", "source", "target", "forbidden"),
    [
        ((2,), "主仓", "二仓", "主仓"),  # out of a warehouse the member may not use
        ((2,), "二仓", "主仓", "主仓"),  # into one
        ((1,), "主仓", "二仓", "二仓"),
        ((1, 2), "主仓", "三仓", "三仓"),
    ],
)
def test_a_member_limited_to_some_warehouses_cannot_transfer_outside_them(
    uow: FakeUnitOfWork, allowed: tuple[int, ...], source: str, target: str, forbidden: str
) -> None:
    seed(uow, make_product("A001"))
    uow.seed_warehouses("二仓", "三仓")
    receive(uow, "A001", "5", "2.50")
    receive(uow, "A001", "5", "2.50", warehouse="二仓")
    before = uow.state()
    with pytest.raises(WarehouseNotAllowed) as caught:
        transfer(uow, "A001", "1", source, target, ctx=in_warehouses(*allowed))
    assert caught.value.name == forbidden
    assert uow.state() == before


def test_a_member_limited_to_both_warehouses_may_transfer_between_them(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    uow.seed_warehouses("二仓", "三仓")
    receive(uow, "A001", "5", "2.50")
    result = transfer(uow, "A001", "2", "主仓", "二仓", ctx=in_warehouses(1, 2))
    assert (result.value, result.target_balance) == (D("5.00"), StockBalance(D(2), D("5.00")))


@pytest.mark.parametrize(
    ("kw", "error"),
    [({"quantity": "2.5"}, FractionalQuantity), ({"unit": "箱"}, UnitMismatch), ({"code": "A00l"}, UnknownProduct)],
)
def test_transfer_checks_the_product_and_its_unit(uow: FakeUnitOfWork, kw: dict[str, str], error: type) -> None:
    seed(uow, make_product("A001", unit="罐"))
    uow.seed_warehouses("二仓")
    receive(uow, "A001", "5", "2.50")
    before = uow.state()
    args = {"code": "A001", "quantity": "2", **kw}
    with pytest.raises(error):
        transfer(uow, args.pop("code"), args.pop("quantity"), "主仓", "二仓", **args)
    assert uow.state() == before


def test_transfer_and_scrap_of_a_deactivated_product_are_refused(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", name="可乐"))
    uow.seed_warehouses("二仓")
    receive(uow, "A001", "5", "2.50")
    services.set_product_active(uow, CTX, c.SetProductActive("A001", False))
    before = uow.state()
    with pytest.raises(ProductInactive):
        transfer(uow, "A001", "1", "主仓", "二仓")
    with pytest.raises(ProductInactive):
        scrap(uow, "A001", "1")
    assert uow.state() == before


def test_transfer_a_counted_good_in_a_generic_counter_is_accepted(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", unit="罐"))
    uow.seed_warehouses("二仓")
    receive(uow, "A001", "5", "2.50")
    assert transfer(uow, "A001", "2", "主仓", "二仓", unit="件").quantity == D(2)


def test_transfer_of_a_weighed_good_in_fractions(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("R01", name="大米", unit="kg"))
    uow.seed_warehouses("二仓")
    receive(uow, "R01", "2.5", "12.80")  # 2.5 × 12.80 = 32.00
    result = transfer(uow, "R01", "0.75", "主仓", "二仓")
    # 0.75 × 32.00 / 2.5 = 9.60
    assert (result.value, result.source_balance) == (D("9.60"), StockBalance(D("1.75"), D("22.40")))


# ---- 报损 (scrap) --------------------------------------------------------------------------------


def test_scrap_takes_stock_out_at_cost_with_the_reason(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", name="可乐", safety_stock=D(18)))
    receive(uow, "A001", "10", "2.50")
    receive(uow, "A001", "10", "2.60")  # 20 worth 51.00, average 2.55
    result = services.scrap_stock(uow, with_text("报损 A001 3 原因 破损"), c.ScrapStock("A001", D(3), "破损"))
    # 3 × 51.00 / 20 = 7.65
    assert result.cost == D("7.65")
    movement = result.movement
    assert (movement.kind, movement.number, movement.quantity, movement.value, movement.note) == (
        MovementKind.SCRAP, "BS-2026-0001", D(-3), D("-7.65"), "破损"
    )
    assert (movement.balance_quantity, movement.balance_value, movement.warehouse_id) == (D(17), D("43.35"), 1)
    assert (result.warehouse, result.balance, result.status) == (MAIN, StockBalance(D(17), D("43.35")), StockStatus.LOW)
    assert uow.stock.balances[(1, 1)] == StockBalance(D(17), D("43.35"))
    entry = uow.audit.entries[-1]
    assert (entry.action, entry.subject, entry.numbers, entry.text) == (
        Action.SCRAP, "A001", ("BS-2026-0001",), "报损 A001 3 原因 破损"
    )
    assert scrap(uow, "A001", "1", "过期").movement.number == "BS-2026-0002"


def test_scrap_of_everything_takes_the_whole_value(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    receive(uow, "A001", "3", "3.3333")  # 3 × 3.3333 = 9.9999 → 10.00
    assert scrap(uow, "A001", "1").cost == D("3.33")  # 10.00 / 3
    assert scrap(uow, "A001", "1").cost == D("3.34")  # 6.67 / 2 = 3.335 → 3.34
    last = scrap(uow, "A001", "1")
    assert (last.cost, last.balance, last.status) == (D("3.33"), StockBalance(D(0), D(0)), StockStatus.OUT)


def test_scrap_in_a_named_warehouse_reports_the_total_the_member_may_see(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    uow.seed_warehouses("二仓")
    receive(uow, "A001", "5", "2.00")
    receive(uow, "A001", "4", "3.00", warehouse="二仓")
    result = scrap(uow, "A001", "1", "鼠咬", warehouse="二仓")
    assert (result.warehouse, result.cost, result.movement.warehouse_id) == (SECOND, D("3.00"), 2)
    assert result.balance == StockBalance(D(8), D("19.00"))  # 5 worth 10.00 + 3 worth 9.00
    limited = scrap(uow, "A001", "1", "鼠咬", warehouse="二仓", ctx=in_warehouses(2))
    assert limited.balance == StockBalance(D(2), D("6.00"))  # only 二仓


def test_scrap_beyond_stock_is_refused_naming_the_warehouse(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", name="可乐", unit="罐"))
    uow.seed_warehouses("二仓")
    receive(uow, "A001", "2", "2.50")
    before, commits = uow.state(), uow.commits
    with pytest.raises(InsufficientStock) as caught:
        scrap(uow, "A001", "3")
    error = caught.value
    assert (error.code, error.requested, error.available, error.warehouse) == ("A001", D(3), D(2), "主仓")
    with pytest.raises(InsufficientStock) as caught:
        scrap(uow, "A001", "1", warehouse="二仓")
    assert (caught.value.available, caught.value.warehouse) == (D(0), "二仓")
    assert (uow.state(), uow.commits) == (before, commits)
    assert scrap(uow, "A001", "2").movement.number == "BS-2026-0001"  # no number used up


def test_scrap_in_a_warehouse_the_member_may_not_use_is_refused(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    uow.seed_warehouses("二仓")
    receive(uow, "A001", "2", "2.50")
    before = uow.state()
    with pytest.raises(WarehouseNotAllowed):
        scrap(uow, "A001", "1", ctx=in_warehouses(2))  # 主仓 by default
    assert uow.state() == before


# ---- 库存 A001: the card split by warehouse ------------------------------------------------------


def test_stock_card_shows_the_split_per_warehouse_and_the_total(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001", safety_stock=D(10)))
    uow.seed_warehouses("二仓", "三仓")
    receive(uow, "A001", "10", "2.50")  # 主仓 10 worth 25.00
    receive(uow, "A001", "4", "3.00", warehouse="二仓")  # 二仓 4 worth 12.00
    card = services.show_stock(uow, CTX, c.ShowStock("A001"))
    assert isinstance(card, services.StockCard)
    # 三仓 never held any: not listed
    assert card.by_warehouse == ((MAIN, StockBalance(D(10), D("25.00"))), (SECOND, StockBalance(D(4), D("12.00"))))
    assert (card.balance, card.status) == (StockBalance(D(14), D("37.00")), StockStatus.OK)
    transfer(uow, "A001", "4", "二仓", "三仓")
    card = services.show_stock(uow, CTX, c.ShowStock("A001"))
    assert card.by_warehouse == (  # type: ignore[union-attr]
        (MAIN, StockBalance(D(10), D("25.00"))),
        (SECOND, StockBalance(D(0), D(0))),
        (THIRD, StockBalance(D(4), D("12.00"))),
    )
    assert card.balance == StockBalance(D(14), D("37.00"))  # type: ignore[union-attr]
    only_third = services.show_stock(uow, in_warehouses(3), c.ShowStock("A001"))
    assert only_third.by_warehouse == ((THIRD, StockBalance(D(4), D("12.00"))),)  # type: ignore[union-attr]
    assert (only_third.balance, only_third.status) == (StockBalance(D(4), D("12.00")), StockStatus.LOW)  # type: ignore[union-attr]


def test_stock_card_of_a_product_never_stocked_has_no_split(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    card = services.show_stock(uow, CTX, c.ShowStock("A001"))
    assert (card.by_warehouse, card.balance, card.status) == ((), StockBalance(D(0), D(0)), StockStatus.OUT)  # type: ignore[union-attr]


def test_transfers_and_scraps_keep_the_books_and_are_numbered_apart(uow: FakeUnitOfWork) -> None:
    seed(uow, make_product("A001"))
    uow.seed_warehouses("二仓")
    receive(uow, "A001", "10", "2.50")
    assert transfer(uow, "A001", "4", "主仓", "二仓").number == "DB-2026-0001"
    assert scrap(uow, "A001", "1", warehouse="二仓").movement.number == "BS-2026-0001"
    assert transfer(uow, "A001", "3", "二仓", "主仓").number == "DB-2026-0002"
    assert issue(uow, "A001", "1").movement.number == "CK-2026-0001"
    assert [m.number for m in uow.stock.ledger] == [
        "RK-2026-0001", "DB-2026-0001", "DB-2026-0001", "BS-2026-0001", "DB-2026-0002", "DB-2026-0002", "CK-2026-0001"
    ]
    report = services.check_books(uow)
    assert report.ok
    assert (report.balances, report.movements) == (2, 7)
    # 10 − 1 scrapped − 1 issued = 8, worth 8 × 2.50
    with uow:
        assert uow.stock.total_balance(1) == StockBalance(D(8), D("20.00"))
