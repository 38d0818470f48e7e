"""Partner services: 供应商/客户 新增, 修改, the list and the card (with last prices)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from domain import commands as c
from domain.audit import Action
from domain.billing import LEDGER_OF
from domain.documents import OpenItem, Order, OrderKind
from domain.errors import NothingToChange, PartnerExists, UnknownPartner
from domain.partners import Partner, PartnerKind
from domain.ports import UnitOfWork
from domain.products import FieldChange
from domain.services import PAGE_SIZE, Context, _clamp_page, _pages, audit


@dataclass(frozen=True, slots=True)
class PartnerAdded:
    partner: Partner


@dataclass(frozen=True, slots=True)
class PartnerChanged:
    partner: Partner
    changes: list[FieldChange]


@dataclass(frozen=True, slots=True)
class PartnerCard:
    partner: Partner
    last_prices: list[tuple[str, str, Decimal]]  # (code, name, last unit price with this partner)
    balance: Decimal = Decimal(0)  # what they owe us (customer) / we owe them (supplier); < 0: their credit
    open_items: tuple[OpenItem, ...] = ()  # the oldest open documents
    overdue: Decimal = Decimal(0)
    orders: tuple[Order, ...] = ()  # their latest orders
    today: date | None = None


@dataclass(frozen=True, slots=True)
class PartnerList:
    kind: PartnerKind
    partners: list[Partner]
    page: int
    pages: int
    total: int


def _kind(cmd: c.AddPartner | c.ChangePartner | c.FindPartners) -> PartnerKind:
    return PartnerKind(cmd.kind)


def add_partner(uow: UnitOfWork, ctx: Context, cmd: c.AddPartner) -> PartnerAdded:
    kind = _kind(cmd)
    partner = Partner(kind, cmd.name.strip(), **dict(cmd.fields))  # type: ignore[arg-type]
    with uow.writing():
        if uow.partners.get(kind, partner.name) is not None:
            raise PartnerExists(kind.value, partner.name)
        partner = uow.partners.add(partner)
        audit(uow, ctx, Action.ADD_PARTNER, partner.name)
        uow.commit()
    return PartnerAdded(partner)


def change_partner(uow: UnitOfWork, ctx: Context, cmd: c.ChangePartner) -> PartnerChanged:
    kind = _kind(cmd)
    with uow.writing():
        partner = uow.partners.get(kind, cmd.name)
        if partner is None:
            raise UnknownPartner(kind.value, cmd.name, [p.name for p in uow.partners.search(kind, cmd.name, 3)])
        updated = replace(partner, **dict(cmd.fields))  # type: ignore[arg-type]
        changes = [
            FieldChange(field, getattr(partner, field), getattr(updated, field))
            for field, _ in cmd.fields
            if getattr(partner, field) != getattr(updated, field)
        ]
        if not changes:
            raise NothingToChange(partner.name)
        uow.partners.update(updated)
        audit(uow, ctx, Action.CHANGE_PARTNER, partner.name, changes=tuple(changes))
        uow.commit()
    return PartnerChanged(updated, changes)


def find_partners(uow: UnitOfWork, ctx: Context, cmd: c.FindPartners) -> PartnerCard | PartnerList:
    """One partner's card by exact name, or the (matching) partners of a kind, paged."""
    kind = _kind(cmd)
    with uow:
        if cmd.query is not None:
            exact = uow.partners.get(kind, cmd.query)
            if exact is not None:
                return _card(uow, ctx, exact)
        matches = uow.partners.search(kind, cmd.query, 1000)
        if cmd.query is not None and not matches:
            raise UnknownPartner(kind.value, cmd.query, [])
        if cmd.query is not None and len(matches) == 1:
            return _card(uow, ctx, matches[0])
    pages = _pages(len(matches))
    page = _clamp_page(cmd.page, pages)
    return PartnerList(kind, matches[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], page, pages, len(matches))


CARD_ITEMS = 5


def _card(uow: UnitOfWork, ctx: Context, partner: Partner) -> PartnerCard:
    """The card: terms, what is owed and overdue, the oldest open documents, recent orders, last prices."""
    ledger = LEDGER_OF[partner.kind]
    items = uow.documents.open_items(ledger, partner.id)
    today = ctx.today
    order_kind = OrderKind.PURCHASE if partner.kind is PartnerKind.SUPPLIER else OrderKind.SALE
    orders = tuple(o for o in uow.documents.orders(order_kind, 0, 50) if o.partner_id == partner.id)[:CARD_ITEMS]
    return PartnerCard(
        partner,
        uow.stock.last_prices_with(partner.name, _movement_kind(partner.kind)),
        uow.documents.balance(ledger, partner.id),
        tuple(items[:CARD_ITEMS]),
        sum((i.open for i in items if i.days_overdue(today) > 0), Decimal(0)),
        orders,
        today,
    )


def _movement_kind(kind: PartnerKind) -> str:
    return "receipt" if kind is PartnerKind.SUPPLIER else "issue"
