"""Partner services: 供应商/客户 新增, 修改, the list and the card (with last prices)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from domain import commands as c
from domain.audit import Action
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
                return PartnerCard(exact, uow.stock.last_prices_with(exact.name, _movement_kind(kind)))
        matches = uow.partners.search(kind, cmd.query, 1000)
        if cmd.query is not None and not matches:
            raise UnknownPartner(kind.value, cmd.query, [])
        if cmd.query is not None and len(matches) == 1:
            only = matches[0]
            return PartnerCard(only, uow.stock.last_prices_with(only.name, _movement_kind(kind)))
    pages = _pages(len(matches))
    page = _clamp_page(cmd.page, pages)
    return PartnerList(kind, matches[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], page, pages, len(matches))


def _movement_kind(kind: PartnerKind) -> str:
    return "receipt" if kind is PartnerKind.SUPPLIER else "issue"
