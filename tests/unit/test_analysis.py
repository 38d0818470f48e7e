"""ABC classes and replenishment suggestions, with the arithmetic in the tests."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from domain import analysis, document_services, partner_services
from domain import commands as c
from domain import services
from domain.products import Product
from tests.fakes import FakeUnitOfWork
from tests.unit.support import BUYER, KEEPER, NOW, OWNER, ctx_of, shop

D = Decimal


def product(code: str, **fields: object) -> Product:
    return Product(code=code, name=f"商品{code}", unit="件", **fields)  # type: ignore[arg-type]


# ---- classify ----------------------------------------------------------------------------


def test_abc_boundaries_follow_the_cumulative_share_before_each_product() -> None:
    # Values 500, 300, 120, 50, 30 of a total 1000: shares 50 %, 30 %, 12 %, 5 %, 3 %.
    # Before each: 0 %, 50 %, 80 %, 92 %, 97 % → A, A (still below 80 % when it starts), B
    # (80 % is not below 80 %), B (92 % < 95 %), C.
    items = [(product(code), D(1), D(value)) for code, value in [("A", 500), ("B", 300), ("C", 120), ("D", 50), ("E", 30)]]
    lines = analysis.classify(items, D("0.80"), D("0.15"))
    assert [(line.product.code, line.grade) for line in lines] == [("A", "A"), ("B", "A"), ("C", "B"), ("D", "B"), ("E", "C")]
    assert [line.share for line in lines] == [D("0.5"), D("0.3"), D("0.12"), D("0.05"), D("0.03")]
    assert lines[-1].cumulative == D("1")


def test_products_that_did_not_sell_are_c_and_ranked_last() -> None:
    items = [(product("Z"), D(0), D(0)), (product("Y"), D(3), D("9.00"))]
    lines = analysis.classify(items, D("0.80"), D("0.15"))
    assert [(line.product.code, line.grade) for line in lines] == [("Y", "A"), ("Z", "C")]


def test_nothing_sold_gives_every_product_c_without_dividing_by_zero() -> None:
    lines = analysis.classify([(product("A"), D(0), D(0))], D("0.8"), D("0.15"))
    assert [(line.grade, line.share) for line in lines] == [("C", D(0))]


# ---- suggest -------------------------------------------------------------------------------


def test_suggestion_formula_with_safety_stock_only() -> None:
    # Sold 60 in 30 days: daily 2. ROP = 10 + 2 × 7 = 24. Target = 10 + 2 × (7 + 14) = 52.
    # On hand 20 ≤ 24 → order ⌈52 − 20⌉ = 32.
    found = analysis.suggest(product("A", safety_stock=D(10)), D(20), D(0), D(60), 30, "华东饮料")
    assert found is not None
    assert (found.daily, found.reorder_point, found.target, found.quantity) == (D(2), D(24), D(52), D(32))
    assert found.supplier == "华东饮料"


def test_max_stock_is_the_target_when_set() -> None:
    # Daily 1, ROP = 5 + 7 = 12; on hand 12 ≤ 12 → order max 40 − 12 = 28.
    found = analysis.suggest(product("A", safety_stock=D(5), max_stock=D(40)), D(12), D(0), D(30), 30, "")
    assert found is not None and found.quantity == D(28)


def test_no_suggestion_above_the_reorder_point_or_for_nothing_to_order() -> None:
    assert analysis.suggest(product("A", safety_stock=D(10)), D(25), D(0), D(60), 30, "") is None  # 25 > 24
    assert analysis.suggest(product("A"), D(0), D(0), D(0), 30, "") is None  # no sales, no safety stock


def test_counted_goods_round_up_and_weighed_goods_keep_three_decimals() -> None:
    # Daily 10/30 = 0.333…; target 21 × 0.333… = 7 (exactly 7.000…) → 7; weighed keeps 7.000.
    counted = analysis.suggest(product("A"), D(0), D(0), D(10), 30, "")
    weighed = analysis.suggest(Product(code="B", name="鸡蛋", unit="kg"), D("0.5"), D(0), D(10), 30, "")
    assert counted is not None and counted.quantity == D(7)
    assert weighed is not None and weighed.quantity == D("6.500")


# ---- through the unit of work --------------------------------------------------------------


def sell(uow: FakeUnitOfWork, code: str, quantity: str, price: str | None, days_ago: int = 1) -> None:
    ctx = ctx_of(KEEPER, now=NOW - timedelta(days=days_ago))
    services.issue_stock(uow, ctx, c.IssueStock(code, D(quantity), unit_price=D(price) if price else None, confirmed=True))


def stocked_shop() -> FakeUnitOfWork:
    uow = shop()
    uow.seed(product("A001", sale_price=D("3.50"), safety_stock=D(10)), product("B001"), product("C001", active=False))
    for code in ("A001", "B001"):
        services.receive_stock(
            uow, ctx_of(KEEPER, now=NOW - timedelta(days=40)),
            c.ReceiveStock(code, D(100), unit_price=D(2), counterparty="华东饮料", confirmed=True),
        )
    return uow


def test_abc_counts_priced_revenue_and_unpriced_issues_at_the_list_price_else_cost() -> None:
    uow = stocked_shop()
    sell(uow, "A001", "10", "4.00")  # 40.00 revenue
    sell(uow, "A001", "2", None)  # no price: list price 3.50 × 2 = 7.00
    sell(uow, "B001", "5", None)  # no price, no list price: cost 5 × 2.00 = 10.00
    sell(uow, "B001", "50", "9.00", days_ago=100)  # outside the 90 days
    report = analysis.abc_analysis(uow, ctx_of(OWNER), c.AnalyseAbc())
    assert report.total == D("57.00")
    assert [(line.product.code, line.value, line.grade) for line in report.lines] == [
        ("A001", D("47.00"), "A"),
        ("B001", D("10.00"), "B"),  # 47/57 = 82.5 % before it: ≥ 80 % → B
    ]


def test_an_undone_issue_did_not_sell() -> None:
    uow = stocked_shop()
    sell(uow, "A001", "10", "4.00")
    services_ctx = ctx_of(KEEPER, now=NOW - timedelta(days=1) + timedelta(minutes=1))
    from domain import history

    history.undo(uow, services_ctx, c.Undo(None, confirmed=True))
    report = analysis.abc_analysis(uow, ctx_of(OWNER), c.AnalyseAbc())
    assert report.total == D(0)


def test_replenishment_groups_by_the_last_supplier_and_skips_inactive_products() -> None:
    uow = stocked_shop()
    sell(uow, "A001", "95", "3.50")  # 5 left; daily 95/30; ROP 10 + 22.17 → order
    report = analysis.replenishment(uow, ctx_of(OWNER), c.SuggestReplenishment(30))
    assert [(s.product.code, s.supplier) for s in report.suggestions] == [("A001", "华东饮料")]
    # Target 10 + 95/30 × 21 = 76.5; minus 5 on hand → ⌈71.5⌉ = 72.
    assert report.suggestions[0].quantity == D(72)
    assert report.by_supplier() == [("华东饮料", report.suggestions)]


@pytest.mark.parametrize("shares", [(D("0.7"), D("0.2")), (None, None)])
def test_requested_shares_are_used_and_defaults_otherwise(shares: tuple[Decimal | None, Decimal | None]) -> None:
    report = analysis.abc_analysis(stocked_shop(), ctx_of(OWNER), c.AnalyseAbc(90, *shares))
    assert (report.a_share, report.b_share) == (shares[0] or D("0.80"), shares[1] or D("0.15"))


# ---- replenishment: the supplier's lead time, young products, what is on order -----------------------


def test_the_usual_supplier_s_lead_time_is_used() -> None:
    from domain import partner_services

    uow = stocked_shop()
    partner_services.add_partner(uow, ctx_of(OWNER), c.AddPartner("供应商", "华东饮料", (("lead_days", 3),)))
    sell(uow, "A001", "95", "3.50")  # 5 left
    report = analysis.replenishment(uow, ctx_of(OWNER), c.SuggestReplenishment(30))
    (found,) = report.suggestions
    # daily 95/30; ROP 10 + 95/30 × 3 = 19.5 ≥ 5; target 10 + 95/30 × (3 + 14) = 63.83 → ⌈58.83⌉ = 59.
    assert (found.lead_days, found.reorder_point.quantize(D("0.01")), found.quantity) == (3, D("19.50"), D(59))


def test_a_young_product_is_averaged_over_the_days_it_has_existed() -> None:
    uow = shop()
    uow.seed(product("N001", safety_stock=D(5)))
    # First received 9 days ago (10 days with today), 40 sold yesterday: 40 ÷ 10 = 4 a day, not 40 ÷ 30.
    services.receive_stock(uow, ctx_of(KEEPER, now=NOW - timedelta(days=9)), c.ReceiveStock("N001", D(50), unit_price=D(1), confirmed=True))
    sell(uow, "N001", "40", None)
    (found,) = analysis.replenishment(uow, ctx_of(OWNER), c.SuggestReplenishment(30)).suggestions
    # ROP 5 + 4 × 7 = 33 ≥ 10 on hand; target 5 + 4 × 21 = 89 → 79.
    assert (found.days, found.daily, found.reorder_point, found.quantity) == (10, D(4), D(33), D(79))


def test_what_is_on_order_counts_against_the_suggestion() -> None:
    uow = stocked_shop()
    sell(uow, "A001", "95", "3.50")  # 5 left, target 76.5 (see above)
    with uow:
        a001 = uow.products.get("A001")
    assert a001 is not None and a001.id is not None
    partner_services.add_partner(uow, ctx_of(OWNER), c.AddPartner("供应商", "华东饮料"))
    ordered = document_services.create_purchase_order(
        uow, ctx_of(BUYER), c.CreatePurchaseOrder("华东饮料", (c.LineInput("A001", D(20), unit_price=D("2.40")),))
    ).order
    # A draft is not on order yet; approved, its 20 are: 5 + 20 = 25 ≤ ROP 10 + 95/30 × 7 = 32.17.
    assert analysis.replenishment(uow, ctx_of(OWNER), c.SuggestReplenishment(30)).suggestions[0].on_order == 0
    document_services.approve_order(uow, ctx_of(OWNER), c.ApproveOrder(ordered.number))
    (found,) = analysis.replenishment(uow, ctx_of(OWNER), c.SuggestReplenishment(30)).suggestions
    assert (found.on_order, found.quantity) == (D(20), D(52))  # ⌈76.5 − 5 − 20⌉
    # 10 more on a second order: 5 + 30 > 32.17, nothing more to order.
    more = document_services.create_purchase_order(
        uow, ctx_of(BUYER), c.CreatePurchaseOrder("华东饮料", (c.LineInput("A001", D(10), unit_price=D("2.40")),))
    ).order
    document_services.approve_order(uow, ctx_of(OWNER), c.ApproveOrder(more.number))
    assert analysis.replenishment(uow, ctx_of(OWNER), c.SuggestReplenishment(30)).suggestions == []


def test_history_days() -> None:
    ctx = ctx_of(OWNER)
    assert analysis.history_days(ctx, None, 30) == 30
    assert analysis.history_days(ctx, NOW, 30) == 1
    assert analysis.history_days(ctx, NOW - timedelta(days=100), 30) == 30
