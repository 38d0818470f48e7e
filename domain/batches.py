"""Batches and expiry (批次 / 有效期) of batch-managed products (商品 修改 A001 批次管理 是).

A batch-managed product's stock in each warehouse is split into batches, each with its expiry
date (or none). Receipts name the batch (``批次 L2311``) and its expiry (``有效期 2027-03-01``, or
``生产日期 …`` plus the product's 保质期); issues take the batch that expires first (FEFO) unless
one is named; expired batches cannot be issued or shipped — only scrapped (报损 … 原因 过期),
transferred or counted away. Every movement records the batch quantities it moved, so an undo
moves exactly those back; the batches of a stock add up to its balance (``jxc check``).

Batches count quantities only; what the goods are worth follows the workspace's valuation
method (moving average or FIFO layers), not the batch.

A batch-managed product never goes below zero: a missing quantity belongs to no batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain.errors import BatchRefused
from domain.money import ZERO
from domain.products import Product

MAX_BATCH_LENGTH = 30


@dataclass(frozen=True, slots=True)
class Batch:
    """One batch of a product in a warehouse."""

    product_id: int
    warehouse_id: int
    code: str
    expires_on: date | None
    quantity: Decimal

    def expired(self, today: date) -> bool:
        """Usable through its expiry date, expired the day after."""
        return self.expires_on is not None and self.expires_on < today


@dataclass(frozen=True, slots=True)
class BatchTake:
    """What one movement moved in or out of one batch (signed: + in, − out)."""

    code: str
    quantity: Decimal
    expires_on: date | None = None


@dataclass(frozen=True, slots=True)
class BatchMismatch:
    """A batch-managed stock whose batches do not add up to its balance (or a batch whose
    quantity is not the sum of its moves, or is negative)."""

    product_code: str
    warehouse: str
    balance_quantity: Decimal
    batches_quantity: Decimal


def normalise_batch(code: str | None) -> str | None:
    """Batch codes compare case-insensitively, like product codes: stored upper-case."""
    return code.strip().upper() if code is not None else None


def fefo(batches: Sequence[Batch]) -> list[Batch]:
    """Earliest expiry first; batches without expiry last; then by batch code."""
    return sorted(batches, key=lambda b: (b.expires_on is None, b.expires_on or date.max, b.code))


def receipt_expiry(
    product: Product,
    batch: str | None,
    expires_on: date | None,
    produced_on: date | None,
    existing: Batch | None,
    today: date | None,
) -> date | None:
    """The expiry a receipt books its batch with, or the reason it cannot.

    ``有效期`` wins; else ``生产日期 + 保质期``; else the batch's known expiry (more of a batch
    already in stock); else none — refused when the product has a 保质期 (its goods expire).
    With ``today`` (a 入库), goods that arrive already expired are refused too; a customer
    return may bring back what has expired since (to be scrapped).
    """
    if not product.batch_managed:
        if batch is not None or expires_on is not None or produced_on is not None:
            raise BatchRefused(BatchRefused.NOT_MANAGED, product.code, product.name)
        return None
    if batch is None:
        raise BatchRefused(BatchRefused.REQUIRED, product.code, product.name)
    if expires_on is None and produced_on is not None:
        if product.shelf_life_days is None:
            raise BatchRefused(BatchRefused.NO_SHELF_LIFE, product.code, product.name)
        expires_on = produced_on + timedelta(days=product.shelf_life_days)
    if existing is not None and existing.quantity != 0 and expires_on is not None and existing.expires_on != expires_on:
        raise BatchRefused(
            BatchRefused.EXPIRY_CONFLICT, product.code, product.name, batch=batch, expires_on=existing.expires_on
        )
    if expires_on is None and existing is not None:
        expires_on = existing.expires_on
    if expires_on is None and product.shelf_life_days is not None:
        raise BatchRefused(BatchRefused.EXPIRY_REQUIRED, product.code, product.name, batch=batch)
    if today is not None and expires_on is not None and expires_on < today:
        raise BatchRefused(BatchRefused.EXPIRED_ON_ARRIVAL, product.code, product.name, batch=batch, expires_on=expires_on)
    return expires_on


def pick_batches(
    product: Product,
    batches: Sequence[Batch],
    quantity: Decimal,
    today: date,
    *,
    named: str | None = None,
    allow_expired: bool = False,
    action: str = "出库",
) -> list[BatchTake]:
    """Which batches an outgoing ``quantity`` comes from (negative takes), earliest expiry first.

    Worked example: L1 (3, expires 03-01), L2 (5, expires 06-01), L3 (4, no expiry); on 03-10
    an issue of 6 skips expired L1 and takes 5 of L2 and 1 of L3; a scrap of 6 (expired allowed)
    takes 3 of L1 and 3 of L2.

    Raises:
        BatchRefused: the named batch is unknown, short or expired; or the stock that has not
            expired is too little (the reply lists the expired batches).
    """
    stocked = [b for b in fefo(batches) if b.quantity > 0]
    if named is not None:
        found = next((b for b in stocked if b.code == named), None)
        if found is None:
            raise BatchRefused(
                BatchRefused.UNKNOWN_BATCH, product.code, product.name, batch=named, known=[b.code for b in stocked]
            )
        if found.expired(today) and not allow_expired:
            raise BatchRefused(
                BatchRefused.EXPIRED, product.code, product.name, unit=product.unit, action=action,
                requested=quantity, usable=ZERO, expired=[found],
            )
        if found.quantity < quantity:
            raise BatchRefused(
                BatchRefused.BATCH_SHORT, product.code, product.name, unit=product.unit, action=action,
                batch=named, requested=quantity, available=found.quantity,
            )
        return [BatchTake(found.code, -quantity, found.expires_on)]
    usable = stocked if allow_expired else [b for b in stocked if not b.expired(today)]
    if sum((b.quantity for b in usable), ZERO) < quantity:
        expired = [b for b in stocked if b.expired(today)] if not allow_expired else []
        raise BatchRefused(
            BatchRefused.EXPIRED if expired else BatchRefused.BATCH_SHORT, product.code, product.name,
            unit=product.unit, action=action, batch=None, requested=quantity,
            usable=sum((b.quantity for b in usable), ZERO), available=sum((b.quantity for b in usable), ZERO),
            expired=expired,
        )
    takes: list[BatchTake] = []
    need = quantity
    for found in usable:
        if need <= 0:
            break
        take = min(need, found.quantity)
        takes.append(BatchTake(found.code, -take, found.expires_on))
        need -= take
    return takes
