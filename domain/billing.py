"""Posting what is owed: an open item for a document, settled by the partner's credits.

Used by the documents (到货, 发货, 退货, 收款/付款) and by the quick forms (入库/出库 with a
known supplier or customer), so both book payables and receivables the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from domain.documents import Account, Allocation, Ledger, OpenItem, Payment, allocate, due_date
from domain.money import ZERO
from domain.partners import Partner, PartnerKind
from domain.ports import UnitOfWork
from domain.stock import Movement, MovementKind

if TYPE_CHECKING:
    from domain.services import Context

LEDGER_OF = {PartnerKind.CUSTOMER: Ledger.RECEIVABLE, PartnerKind.SUPPLIER: Ledger.PAYABLE}
PAYMENT_PREFIX = {Ledger.RECEIVABLE: "SK", Ledger.PAYABLE: "FK"}  # 收款单, 付款单


@dataclass(frozen=True, slots=True)
class Posted:
    """An item and the allocations that settled it (or, for a credit, that it settled)."""

    item: OpenItem
    allocations: list[Allocation]

    @property
    def settled(self) -> Decimal:
        return sum((a.amount for a in self.allocations), ZERO)


def document_number(uow: UnitOfWork, ctx: Context, prefix: str) -> str:
    """A per-workspace, per-year, gap-free number: PO-2026-0001 (rolled back with the transaction)."""
    year = ctx.today.year
    return f"{prefix}-{year}-{uow.numbers.next(f'{prefix}-{year}'):04d}"


def settle(uow: UnitOfWork, ledger: Ledger, partner_id: int, only: set[int] | None = None) -> list[Allocation]:
    """Apply the partner's unused credits to their open items, oldest first (``only``: just these items)."""
    credits = uow.documents.credits(ledger, partner_id)
    if not credits:
        return []
    items = uow.documents.open_items(ledger, partner_id)
    if only is not None:
        items = [item for item in items if item.id in only]
    allocations = allocate(credits, items)
    for allocation in allocations:
        uow.documents.add_allocation(allocation)
    return allocations


def post_item(
    uow: UnitOfWork,
    partner: Partner,
    number: str,
    amount: Decimal,
    occurred_on: date,
    *,
    order_number: str = "",
) -> Posted:
    """Book what a document adds to (``amount`` > 0) or takes off (< 0) what is owed, due after
    the partner's terms, and settle it against their credits (or, a credit, against their items)."""
    ledger = LEDGER_OF[partner.kind]
    item = uow.documents.add_item(
        OpenItem(
            ledger=ledger, partner_id=partner.id, partner_name=partner.name, number=number, amount=amount,
            occurred_on=occurred_on, due_on=due_date(occurred_on, partner.terms_days), order_number=order_number,
        )
    )
    allocations = settle(uow, ledger, partner.id)
    mine = [a for a in allocations if a.item_id == item.id or (a.source == "item" and a.source_id == item.id)]
    return Posted(item, mine)


def record_payment(
    uow: UnitOfWork,
    ctx: Context,
    partner: Partner,
    amount: Decimal,
    account: Account,
    *,
    note: str = "",
    only: set[int] | None = None,
) -> tuple[Payment, list[Allocation]]:
    """收款 / 付款: the payment settles ``only`` these items first (a named document), then the
    oldest open items; what is left stays as the partner's credit."""
    ledger = LEDGER_OF[partner.kind]
    payment = uow.documents.add_payment(
        Payment(
            ledger=ledger, partner_id=partner.id, partner_name=partner.name,
            number=document_number(uow, ctx, PAYMENT_PREFIX[ledger]), amount=amount, account=account,
            occurred_at=ctx.now, occurred_on=ctx.today, note=note,
        )
    )
    allocations: list[Allocation] = []
    if only:
        allocations += settle(uow, ledger, partner.id, only)
    allocations += settle(uow, ledger, partner.id)
    return payment, [a for a in allocations if a.source == "payment" and a.source_id == payment.id]


# ---- the quick forms: 入库/出库 with a known partner ----------------------------------------


@dataclass(frozen=True, slots=True)
class QuickBilling:
    """What a one-step 入库/出库 did to what is owed: the item, and 现款's payment."""

    partner: Partner | None
    posted: Posted | None = None
    payment: Payment | None = None
    unknown: str = ""  # a counterparty that is no supplier/customer: nothing booked as owed


def bill_quick(uow: UnitOfWork, ctx: Context, movement: Movement, amount: Decimal | None, *, cash: bool = False) -> QuickBilling:
    """In the caller's transaction: a receipt from a known supplier creates a payable, an issue
    to a known customer a receivable (and 现款 pays it at once)."""
    if not movement.counterparty:
        return QuickBilling(None)
    kind = PartnerKind.SUPPLIER if movement.kind is MovementKind.RECEIPT else PartnerKind.CUSTOMER
    partner = uow.partners.get(kind, movement.counterparty)
    if partner is None:
        return QuickBilling(None, unknown=movement.counterparty)
    if amount is None or amount <= 0:
        return QuickBilling(partner)
    # Dated the day the goods moved (a back-dated 日期 11-20 is owed, and due, from then).
    day = movement.occurred_at.astimezone(ctx.tz).date()
    posted = post_item(uow, partner, movement.number, amount, day)
    payment = None
    if cash:
        payment, _ = record_payment(uow, ctx, partner, amount, Account.CASH, note="现款", only={posted.item.id})
    return QuickBilling(partner, posted, payment)

