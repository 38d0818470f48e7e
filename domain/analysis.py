"""Stock analysis: ABC classes by sales value, and replenishment suggestions.

ABC (分析 ABC): products ranked by the value they sold over a period; the top products making
up the first ``a_share`` of the total are A, the next ``b_share`` B, the rest (and products
that did not sell) C. A product straddling a boundary belongs to the class it starts in.

Replenishment (补货建议), per active product, over the last ``days`` (N) days::

    日均销量 d   = issued quantity ÷ min(N, days since the product's first movement)
    再订货点 ROP = 安全库存 + d × 交期
    目标库存 T   = 最高库存, if set, else 安全库存 + d × (交期 + 补货周期)
    建议采购量   = ⌈T − 现有库存 − 在途⌉, suggested when 现有库存 + 在途 ≤ ROP and it is > 0

A young product (fewer than N days of history) is averaged over the days it has existed, not N,
which would understate its sales. 交期 (lead time) is the usual supplier's (供应商 … 交期 7天),
else 7 days; the usual supplier is the counterparty of the product's latest receipt that named
one. 补货周期 (review cycle) is 14 days. 在途 (on order) is what approved purchase orders still
expect to receive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from domain import commands as c
from domain.documents import OrderKind
from domain.money import ZERO, quantize_money
from domain.partners import PartnerKind
from domain.ports import SaleTotal, UnitOfWork
from domain.products import Product
from domain.services import Context

A_SHARE = Decimal("0.80")
B_SHARE = Decimal("0.15")
LEAD_DAYS = 7
REVIEW_DAYS = 14


@dataclass(frozen=True, slots=True)
class AbcLine:
    product: Product
    quantity: Decimal
    value: Decimal
    share: Decimal  # of the period's total sales value
    cumulative: Decimal
    grade: str


@dataclass(frozen=True, slots=True)
class AbcReport:
    days: int
    a_share: Decimal
    b_share: Decimal
    total: Decimal
    lines: list[AbcLine]

    def count(self, grade: str) -> int:
        return sum(1 for line in self.lines if line.grade == grade)

    def value(self, grade: str) -> Decimal:
        return sum((line.value for line in self.lines if line.grade == grade), ZERO)


def classify(values: list[tuple[Product, Decimal, Decimal]], a_share: Decimal, b_share: Decimal) -> list[AbcLine]:
    """Rank (product, quantity, value) by value and give each its class.

    A product is A while the cumulative share *before* it is below ``a_share`` (so the product
    that crosses 80 % is still A), B below ``a_share + b_share``, else C; no sales is C.
    """
    total = sum((value for _, _, value in values), ZERO)
    ranked = sorted(values, key=lambda item: (-item[2], item[0].code))
    lines: list[AbcLine] = []
    before = ZERO
    for product, quantity, value in ranked:
        share = value / total if total > 0 else ZERO
        if value <= 0:
            grade = "C"
        elif before < a_share:
            grade = "A"
        elif before < a_share + b_share:
            grade = "B"
        else:
            grade = "C"
        before += share
        lines.append(AbcLine(product, quantity, value, share, before, grade))
    return lines


@dataclass(frozen=True, slots=True)
class Suggestion:
    product: Product
    on_hand: Decimal
    on_order: Decimal
    daily: Decimal
    reorder_point: Decimal
    target: Decimal
    quantity: Decimal
    supplier: str
    lead_days: int = LEAD_DAYS
    days: int = 0  # the days the daily average is taken over (fewer for a young product)


@dataclass(frozen=True, slots=True)
class ReplenishmentReport:
    days: int
    lead_days: int
    review_days: int
    suggestions: list[Suggestion]
    registered: frozenset[str] = frozenset()  # suppliers on file: a draft purchase order can go to them

    def by_supplier(self) -> list[tuple[str, list[Suggestion]]]:
        groups: dict[str, list[Suggestion]] = {}
        for suggestion in self.suggestions:
            groups.setdefault(suggestion.supplier, []).append(suggestion)
        return sorted(groups.items(), key=lambda item: (item[0] == "", item[0]))


def suggest(
    product: Product,
    on_hand: Decimal,
    on_order: Decimal,
    sold: Decimal,
    days: int,
    supplier: str,
    *,
    lead_days: int = LEAD_DAYS,
) -> Suggestion | None:
    """The order to place for one product, or None when its stock covers the lead time."""
    daily = sold / days
    safety = product.safety_stock or ZERO
    reorder_point = safety + daily * lead_days
    target = product.max_stock if product.max_stock else safety + daily * (lead_days + REVIEW_DAYS)
    if on_hand + on_order > reorder_point:
        return None
    needed = target - on_hand - on_order
    quantity = Decimal(math.ceil(needed)) if not product.is_measured else needed.quantize(Decimal("0.001"))
    if quantity <= 0:
        return None
    return Suggestion(product, on_hand, on_order, daily, reorder_point, target, quantity, supplier, lead_days, days)


def _since(ctx: Context, days: int) -> datetime:
    start = ctx.today - timedelta(days=days - 1)
    return datetime.combine(start, time(), tzinfo=ctx.tz)


def abc_analysis(uow: UnitOfWork, ctx: Context, cmd: c.AnalyseAbc) -> AbcReport:
    a_share, b_share = cmd.a_share or A_SHARE, cmd.b_share or B_SHARE
    with uow:
        sales = {sale.product_id: sale for sale in uow.stock.sales(_since(ctx, cmd.days), ctx.actor.warehouse_ids)}
        products = uow.products.active()
    values = [(p, sales[p.id].quantity if p.id in sales else ZERO, _sales_value(p, sales.get(p.id))) for p in products]
    total = sum((value for _, _, value in values), ZERO)
    return AbcReport(cmd.days, a_share, b_share, total, classify(values, a_share, b_share))


def _sales_value(product: Product, sale: SaleTotal | None) -> Decimal:
    """Revenue where a selling price was recorded; unpriced issues count at the list price,
    else at cost, so that a shop that never types prices still gets a ranking."""
    if sale is None:
        return ZERO
    unpriced = sale.unpriced_quantity * product.sale_price if product.sale_price else sale.unpriced_cost
    return quantize_money(sale.revenue + unpriced)


def history_days(ctx: Context, first: datetime | None, days: int) -> int:
    """The days to average over: N, or fewer for a product whose first movement was less than N
    days ago (counting its first day, as ``_since`` counts today)."""
    if first is None:
        return days
    return max(1, min(days, (ctx.today - first.astimezone(ctx.tz).date()).days + 1))


def replenishment(uow: UnitOfWork, ctx: Context, cmd: c.SuggestReplenishment) -> ReplenishmentReport:
    with uow:
        sales = {sale.product_id: sale for sale in uow.stock.sales(_since(ctx, cmd.days), ctx.actor.warehouse_ids)}
        suppliers = uow.stock.last_counterparties("receipt")
        products = uow.products.active()
        balances = {p.id: uow.stock.total_balance(p.id, ctx.actor.warehouse_ids).quantity for p in products}
        on_order = {p.id: uow.documents.remaining(OrderKind.PURCHASE, p.id) for p in products if p.id is not None}
        first = uow.planning.first_movements()
        lead: dict[str, int] = {}
        registered = set()
        for name in set(suppliers.values()):
            partner = uow.partners.get(PartnerKind.SUPPLIER, name)
            if partner is not None:
                registered.add(name)
                if partner.lead_days is not None:
                    lead[name] = partner.lead_days
    suggestions = []
    for product in products:
        assert product.id is not None
        sold = sales[product.id].quantity if product.id in sales else ZERO
        supplier = suppliers.get(product.id, "")
        found = suggest(
            product, balances[product.id], on_order[product.id], sold, history_days(ctx, first.get(product.id), cmd.days),
            supplier, lead_days=lead.get(supplier, LEAD_DAYS),
        )
        if found is not None:
            suggestions.append(found)
    suggestions.sort(key=lambda s: (s.supplier, s.product.code))
    return ReplenishmentReport(cmd.days, LEAD_DAYS, REVIEW_DAYS, suggestions, frozenset(registered))
