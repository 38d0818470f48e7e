"""The audit log read back (日志), undo (撤销) by reversal, and confirmations of risky input.

Undo never deletes: a receipt or issue is cancelled by an appended reversing movement (冲销,
CX-…), a master-data change by changing the values back; the undo is itself an audit entry
pointing at the original, which is how "已撤销" is known.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from domain import commands as c
from domain.access import Permission, can, roles_with
from domain.audit import UNDO_WINDOW, UNDOABLE, Action, AuditEntry
from domain.billing import post_item
from domain.documents import Ledger
from domain.partners import PartnerKind
from domain.errors import (
    ConfirmationExpired,
    NeedsConfirmation,
    NothingToUndo,
    NotPermitted,
    UndoRefused,
    UnknownOperation,
)
from domain.periods import Period
from domain.ports import PendingConfirmation, UnitOfWork
from domain.products import FieldChange, Product, apply_changes, normalise_code
from domain.services import (
    PAGE_SIZE,
    Context,
    _clamp_page,
    _number,
    _pages,
    append_movement,
    audit,
    get_product,
    refuse_batch_switch_with_stock,
)
from domain.batches import BatchTake
from domain.booking import is_fifo
from domain.stock import Movement, MovementKind, Posting, StockBalance, post_reversal
from domain.valuation import LayerDraw
from domain.workspaces import find_member

CONFIRMATION_LIFETIME = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class AuditPage:
    entries: list[AuditEntry]
    code: str | None
    member: str | None
    period: Period | None
    page: int
    pages: int
    total: int


@dataclass(frozen=True, slots=True)
class UndoPreview:
    """What 撤销 would reverse, shown before the issuer confirms."""

    entry: AuditEntry
    movement: Movement | None
    product: Product | None
    movements: tuple[Movement, ...] = ()


@dataclass(frozen=True, slots=True)
class Undone:
    entry: AuditEntry
    product: Product | None
    reversal: Movement | None = None
    balance: StockBalance | None = None
    changes: tuple[FieldChange, ...] = ()
    reversals: tuple[Movement, ...] = ()


# ---- 日志 --------------------------------------------------------------------------------


def show_audit(uow: UnitOfWork, ctx: Context, cmd: c.ShowAudit) -> AuditPage:
    since = until = None
    if cmd.period is not None:
        since = datetime.combine(cmd.period.begin, time(), tzinfo=ctx.tz)
        until = datetime.combine(cmd.period.end, time(), tzinfo=ctx.tz)
    with uow:
        user_id = find_member(uow, cmd.member).user_id if cmd.member else None
        subject = normalise_code(cmd.code) if cmd.code else None
        total = uow.audit.count(subject, user_id, since, until)
        pages = _pages(total)
        page = _clamp_page(cmd.page, pages)
        entries = uow.audit.page(subject, user_id, since, until, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    return AuditPage(entries, subject, cmd.member, cmd.period, page, pages, total)


# ---- 撤销 --------------------------------------------------------------------------------


def _find_target(uow: UnitOfWork, ctx: Context, target: str | None) -> AuditEntry:
    if target is None:
        # The last operation that 撤销 can reverse: an 邀请 or 加入 since does not hide a booking.
        entry = uow.audit.last_of(ctx.actor.user_id, frozenset(UNDOABLE))
        if entry is None or ctx.now - entry.at > UNDO_WINDOW:
            raise NothingToUndo(int(UNDO_WINDOW.total_seconds() // 60))
        return entry
    entry = None
    if target.startswith("#") and target[1:].isdigit() and len(target) < 20:
        entry = uow.audit.get(int(target[1:]))
    else:
        entry = uow.audit.by_number(target.upper())
    if entry is None:
        raise UnknownOperation(target)
    return entry


def _check_undo_rights(ctx: Context, entry: AuditEntry) -> None:
    label = _label(entry)
    if entry.action not in UNDOABLE or entry.action is Action.UNDO:
        raise UndoRefused(UndoRefused.NOT_UNDOABLE, label, action=entry.action.value)
    if entry.undone_by is not None:
        raise UndoRefused(UndoRefused.ALREADY_UNDONE, label)
    actor = ctx.actor
    needed = UNDOABLE[entry.action]
    if not can(actor.role, needed):
        raise NotPermitted(actor.role, needed, roles_with(needed))
    if can(actor.role, Permission.UNDO_ANY):
        return
    if entry.user_id != actor.user_id:
        raise UndoRefused(UndoRefused.NOT_YOURS, label)
    if ctx.now - entry.at > UNDO_WINDOW:
        raise UndoRefused(UndoRefused.TOO_OLD, label, minutes=int(UNDO_WINDOW.total_seconds() // 60))


def _label(entry: AuditEntry) -> str:
    return entry.numbers[0] if entry.numbers else f"#{entry.id}"


def undo(uow: UnitOfWork, ctx: Context, cmd: c.Undo) -> Undone:
    """Reverse an operation: asks first (NeedsConfirmation), then reverses when confirmed.

    The question is asked only about an undo that can be booked: the reversal is carried out
    either way and, unconfirmed, rolled back — so every refusal (stock since issued, changed
    since, another warehouse …) comes before the question, from the same code that books.
    """
    with uow.writing():
        entry = _find_target(uow, ctx, cmd.target)
        _check_undo_rights(ctx, entry)
        originals = tuple(uow.stock.movements_by_number(entry.numbers[0])) if entry.action in _STOCK_ACTIONS else ()
        product = uow.products.get(entry.subject)
        if entry.action in _STOCK_ACTIONS:
            result = _reverse_movement(uow, ctx, entry)
        else:
            result = _reverse_product_change(uow, ctx, entry)
        if not cmd.confirmed:
            preview = UndoPreview(entry, originals[0] if originals else None, product, originals)
            raise NeedsConfirmation([], c.Undo(f"#{entry.id}", confirmed=True), preview)  # rolls back
        uow.commit()
    return result


_STOCK_ACTIONS = frozenset({Action.RECEIVE, Action.ISSUE, Action.TRANSFER, Action.SCRAP, Action.STOCKTAKE_CONFIRM})


def _reverse_movement(uow: UnitOfWork, ctx: Context, entry: AuditEntry) -> Undone:
    """Cancel every movement of the entry's document (a transfer has two legs, a stocktake one
    per variance) with reversing movements under one CX number; all or nothing."""
    label = _label(entry)
    originals = uow.stock.movements_by_number(entry.numbers[0])
    if not originals:  # pragma: no cover - every undoable stock action books a movement
        raise UndoRefused(UndoRefused.NOT_UNDOABLE, label, action=entry.action.value)
    if any(original.reversed_by for original in originals):
        raise UndoRefused(UndoRefused.ALREADY_UNDONE, label)
    allowed = ctx.actor.warehouse_ids
    if allowed is not None and any(original.warehouse_id not in allowed for original in originals):
        raise UndoRefused(UndoRefused.NOT_YOURS, label)
    number = _number(uow, ctx, MovementKind.REVERSAL)
    reversals: list[Movement] = []
    product = None
    carried: Decimal | None = None  # the value a transfer's reversal took out of the target
    fifo = is_fifo(uow)
    layer_draws: list[LayerDraw] = []
    # Newest first: a transfer's incoming leg leaves the target before the outgoing one returns.
    for original in sorted(originals, key=lambda m: m.id or 0, reverse=True):
        product = uow.products.with_id(original.product_id)
        before = uow.stock.lock_balance(original.product_id, original.warehouse_id)
        if fifo:
            posting, layer_draws = _fifo_reversal(uow, original)
            if posting is None:
                raise UndoRefused(UndoRefused.LAYER_DRAWN, label, code=product.code, name=product.name)
        else:
            posting = post_reversal(before, original.quantity, original.value)
            if posting is not None and original.kind is MovementKind.TRANSFER_IN:
                carried = -posting.value
            elif posting is not None and original.kind is MovementKind.TRANSFER_OUT and carried is not None:
                # Back into the source goes exactly what left the target (which may differ from the
                # original value when the target's average moved): a transfer only moves value.
                posting = Posting(-original.quantity, carried)
        if posting is None:
            why = (
                UndoRefused.STOCK_SINCE_ISSUED
                if before.quantity < original.quantity
                else UndoRefused.VALUE_WOULD_BE_NEGATIVE
            )
            raise UndoRefused(why, label, code=product.code, name=product.name, unit=product.unit, on_hand=before.quantity)
        batch_moves = _batch_reversal(uow, original)
        if isinstance(batch_moves, Decimal):  # a batch no longer holds what the original brought in
            raise UndoRefused(
                UndoRefused.STOCK_SINCE_ISSUED, label, code=product.code, name=product.name, unit=product.unit, on_hand=batch_moves
            )
        reversal, _ = append_movement(
            uow,
            ctx,
            MovementKind.REVERSAL,
            original.product_id,
            original.warehouse_id,
            before,
            posting,
            number,
            unit_price=original.unit_price,
            counterparty=original.counterparty,
            note=f"冲销 {original.number}",
            reverses_id=original.id,
        )
        if fifo and layer_draws:
            assert reversal.id is not None
            uow.valuation.record_draws(reversal.id, layer_draws)
        if batch_moves:
            assert reversal.id is not None
            uow.batches.record_moves(reversal.id, original.product_id, original.warehouse_id, batch_moves)
        reversals.append(reversal)
    assert product is not None
    _reverse_billing(uow, ctx, entry.numbers[0], number)
    audit(uow, ctx, Action.UNDO, entry.subject, numbers=(number,), undoes=entry.id)
    total = uow.stock.total_balance(product.id, ctx.actor.warehouse_ids)
    return Undone(entry, product, reversals[0], total, reversals=tuple(reversals))


def _reverse_billing(uow: UnitOfWork, ctx: Context, original: str, reversal: str) -> None:
    """An undone 入库/出库 that billed a known partner takes the payable/receivable back with
    it: a credit of the same amount under the CX number (a 现款 payment stays as their credit)."""
    for item in uow.documents.items_numbered(original):
        kind = PartnerKind.SUPPLIER if item.ledger is Ledger.PAYABLE else PartnerKind.CUSTOMER
        partner = uow.partners.get(kind, item.partner_name)
        if partner is not None and item.amount:
            post_item(uow, partner, reversal, -item.amount, ctx.today)
def _batch_reversal(uow: UnitOfWork, original: Movement) -> list[BatchTake] | Decimal:
    """The batch moves that cancel the original's, or the quantity left in a batch that no
    longer holds what the original brought in (its goods have since been issued)."""
    assert original.id is not None
    moves = [BatchTake(take.code, -take.quantity, take.expires_on) for take in uow.batches.moves_of(original.id)]
    for take in moves:
        found = uow.batches.find(original.product_id, original.warehouse_id, take.code)
        held = found.quantity if found is not None else Decimal(0)
        if held + take.quantity < 0:
            return held
    return moves


def _fifo_reversal(uow: UnitOfWork, original: Movement) -> tuple[Posting | None, list[LayerDraw]]:
    """Under FIFO a reversal is the exact negation of the original, with its layers put back:
    an outgoing movement returns what it drew to the very layers it drew from; an incoming one
    takes its layers away again — refused (None) once any of them has been drawn from, since the
    issues that drew would have to be re-costed."""
    assert original.id is not None
    created = uow.valuation.layers_of(original.id)
    if created:
        if not all(layer.untouched for layer in created):
            return None, []
        draws = [LayerDraw(layer.id, layer.remaining_quantity, layer.remaining_value) for layer in created]
        return Posting(-original.quantity, -original.value), draws
    restored = [draw.negated() for draw in uow.valuation.draws_of(original.id)]
    return Posting(-original.quantity, -original.value), restored


def _reverse_product_change(uow: UnitOfWork, ctx: Context, entry: AuditEntry) -> Undone:
    label = _label(entry)
    product = get_product(uow, entry.subject)
    if entry.action is Action.ADD_PRODUCT:
        if uow.stock.has_movements(product.id):
            raise UndoRefused(UndoRefused.HAS_MOVEMENTS, label, code=product.code)
        wanted: dict[str, object] = {"active": False}
    else:
        if any(getattr(product, change.field) != change.after for change in entry.changes):
            raise UndoRefused(UndoRefused.CHANGED_SINCE, label, code=product.code)
        wanted = {change.field: change.before for change in entry.changes}
    updated, changes = apply_changes(product, wanted)
    refuse_batch_switch_with_stock(uow, product, updated)
    uow.products.update(updated)
    audit(uow, ctx, Action.UNDO, product.code, changes=tuple(changes), undoes=entry.id)
    return Undone(entry, updated, changes=tuple(changes))


# ---- confirmations -----------------------------------------------------------------------


def ask_confirmation(uow: UnitOfWork, ctx: Context, text: str) -> PendingConfirmation:
    """Keep what a confirmation button will run; only the issuer may press it, and only soon."""
    confirmation = PendingConfirmation(
        token=secrets.token_urlsafe(12),
        user_id=ctx.actor.user_id,
        chat_id=ctx.actor.chat_id,
        text=text,
        expires_at=ctx.now + CONFIRMATION_LIFETIME,
    )
    with uow.writing():
        uow.confirmations.add(confirmation)
        uow.commit()
    return confirmation


def _valid_confirmation(uow: UnitOfWork, ctx: Context, token: str) -> PendingConfirmation:
    confirmation = uow.confirmations.take(token)
    if confirmation is None or confirmation.used or ctx.now >= confirmation.expires_at:
        raise ConfirmationExpired()
    if confirmation.user_id != ctx.actor.user_id:
        raise ConfirmationExpired(foreign=True)
    return confirmation


def confirmation_text(uow: UnitOfWork, ctx: Context, token: str) -> str:
    """The command a confirmation button runs, if the presser may run it now.

    The button is used up by the transaction that carries the command out (the chat edge
    opens it with ``confirmation=token``), so a crash in between leaves it usable and two
    presses can never both book.

    Raises:
        ConfirmationExpired: unknown, used or expired (``foreign``: pressed by someone else).
    """
    with uow:
        return _valid_confirmation(uow, ctx, token).text


def cancel_confirmation(uow: UnitOfWork, ctx: Context, token: str) -> str:
    """Use a confirmation up without running it (the ✖ button); returns the command text."""
    with uow.writing():
        confirmation = _valid_confirmation(uow, ctx, token)
        uow.confirmations.mark_used(token)
        uow.commit()
    return confirmation.text
