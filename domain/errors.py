"""Typed refusals of the business rules.

Each error carries the fields a reply template needs; the chat edge maps the type to a
template (``bot/errors.py``), so no domain code formats user-facing text beyond a log line.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


class DomainError(Exception):
    """A rule refused the request; nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class ProductHint:
    """A product offered as "did you mean"."""

    code: str
    name: str


class UnknownProduct(DomainError):
    def __init__(self, query: str, suggestions: list[ProductHint] | None = None) -> None:
        super().__init__(f"unknown product {query!r}")
        self.query = query
        self.suggestions = suggestions or []


class ProductAlreadyExists(DomainError):
    def __init__(self, code: str, name: str) -> None:
        super().__init__(f"product {code} already exists")
        self.code = code
        self.name = name


class ProductInactive(DomainError):
    def __init__(self, code: str, name: str) -> None:
        super().__init__(f"product {code} is deactivated")
        self.code = code
        self.name = name


class InsufficientStock(DomainError):
    def __init__(
        self,
        code: str,
        name: str,
        unit: str,
        requested: Decimal,
        available: Decimal,
        warehouse: str = "",
        action: str = "出库",
    ) -> None:
        super().__init__(f"{code}: requested {requested}, available {available}")
        self.code = code
        self.name = name
        self.unit = unit
        self.requested = requested
        self.available = available
        self.warehouse = warehouse
        self.action = action  # what could not be done: 出库, 调出, 报损


class UnitMismatch(DomainError):
    def __init__(self, code: str, name: str, unit: str, given: str, packs: list[str] | None = None) -> None:
        super().__init__(f"{code} counts in {unit}, not {given}")
        self.code = code
        self.name = name
        self.unit = unit
        self.given = given
        self.packs = packs or []  # the product's packing units, e.g. ["箱=24"]


class FractionalQuantity(DomainError):
    def __init__(self, code: str, name: str, unit: str, quantity: Decimal) -> None:
        super().__init__(f"{code} counts whole {unit}, got {quantity}")
        self.code = code
        self.name = name
        self.unit = unit
        self.quantity = quantity


class InvalidProduct(DomainError):
    """A product field breaks a rule (empty name, negative price …)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class NothingToChange(DomainError):
    def __init__(self, code: str) -> None:
        super().__init__(f"{code}: no change")
        self.code = code


class FutureDate(DomainError):
    def __init__(self, day: object) -> None:
        super().__init__(f"date {day} is in the future")
        self.day = day


class ConcurrentChange(DomainError):
    """Someone changed the same stock between our read and our write; retry."""

    def __init__(self) -> None:
        super().__init__("stock changed concurrently")


# ---- access ------------------------------------------------------------------------------


class NotAMember(DomainError):
    """The sender has no role here; the reply must reveal nothing about the workspace."""

    def __init__(self) -> None:
        super().__init__("not a member")


class NotPermitted(DomainError):
    def __init__(self, role: str, permission: str, roles: list[str]) -> None:
        super().__init__(f"{role} may not {permission}")
        self.role = role
        self.permission = permission
        self.roles = roles


class ChatNotBound(DomainError):
    """A group that belongs to no workspace yet."""

    def __init__(self) -> None:
        super().__init__("chat not bound")


class AlreadyBound(DomainError):
    def __init__(self, workspace_name: str) -> None:
        super().__init__(f"chat already bound to {workspace_name}")
        self.workspace_name = workspace_name


class InvalidInvitation(DomainError):
    """Unknown, used or expired: one refusal for all, so codes cannot be probed."""

    def __init__(self) -> None:
        super().__init__("invalid invitation")


class AlreadyMember(DomainError):
    def __init__(self, workspace_name: str, role: str) -> None:
        super().__init__(f"already {role} in {workspace_name}")
        self.workspace_name = workspace_name
        self.role = role


class UnknownMember(DomainError):
    def __init__(self, handle: str, candidates: list[str] | None = None) -> None:
        super().__init__(f"no member {handle!r}")
        self.handle = handle
        self.candidates = candidates or []


class CannotManageMember(DomainError):
    """An admin touching the owner or another admin, or anyone removing the last owner."""

    def __init__(self, name: str, role: str, last_owner: bool = False) -> None:
        super().__init__(f"cannot manage {name} ({role})")
        self.name = name
        self.role = role
        self.last_owner = last_owner


class TooManyWorkspaces(DomainError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} workspaces per owner")
        self.limit = limit


class UnknownWarehouse(DomainError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"no warehouse {name!r}")
        self.name = name
        self.known = known


class WarehouseExists(DomainError):
    def __init__(self, name: str) -> None:
        super().__init__(f"warehouse {name!r} exists")
        self.name = name


class WarehouseNotAllowed(DomainError):
    def __init__(self, name: str) -> None:
        super().__init__(f"not allowed in warehouse {name!r}")
        self.name = name


# ---- confirmation and undo ---------------------------------------------------------------


class NeedsConfirmation(DomainError):
    """Not done yet: the issuer must confirm. ``command`` is what a confirmation runs."""

    def __init__(self, reasons: list[object], command: object, preview: object = None) -> None:
        super().__init__("needs confirmation: " + "; ".join(map(str, reasons)))
        self.reasons = reasons
        self.command = command
        self.preview = preview


class NothingToUndo(DomainError):
    def __init__(self, minutes: int) -> None:
        super().__init__(f"nothing of yours to undo in the last {minutes} minutes")
        self.minutes = minutes


class UnknownOperation(DomainError):
    def __init__(self, target: str) -> None:
        super().__init__(f"no operation {target!r}")
        self.target = target


class UndoRefused(DomainError):
    """An operation that cannot be reversed; ``why`` names the rule (a template branch)."""

    ALREADY_UNDONE = "already_undone"
    NOT_UNDOABLE = "not_undoable"
    NOT_YOURS = "not_yours"
    TOO_OLD = "too_old"
    STOCK_SINCE_ISSUED = "stock_since_issued"
    VALUE_WOULD_BE_NEGATIVE = "value_negative"
    CHANGED_SINCE = "changed_since"
    HAS_MOVEMENTS = "has_movements"
    LAYER_DRAWN = "layer_drawn"  # FIFO: later issues drew from the layer this receipt opened

    def __init__(self, why: str, label: str, **details: object) -> None:
        super().__init__(f"cannot undo {label}: {why}")
        self.why = why
        self.label = label
        self.details = details


class ConfirmationExpired(DomainError):
    """The button is too old, already used, or was pressed by someone else."""

    def __init__(self, foreign: bool = False) -> None:
        super().__init__("confirmation expired" if not foreign else "confirmation belongs to someone else")
        self.foreign = foreign


class AlreadyProcessed(DomainError):
    """This Telegram update already took effect (a redelivery); nothing was done again."""

    def __init__(self, update_id: int) -> None:
        super().__init__(f"update {update_id} already processed")
        self.update_id = update_id


class PrivateChatOnly(DomainError):
    """A command that belongs in a private chat (or, with ``group``, in a group)."""

    def __init__(self, verb: str, group: bool = False, console: bool = False) -> None:
        super().__init__(f"{verb}: {'group' if group else 'private chat'} only")
        self.verb = verb
        self.group = group
        self.console = console


# ---- inventory ---------------------------------------------------------------------------


class SameWarehouse(DomainError):
    def __init__(self, name: str) -> None:
        super().__init__(f"transfer from {name!r} to itself")
        self.name = name


class StocktakeOpen(DomainError):
    """A warehouse already has an open count."""

    def __init__(self, number: str, warehouse: str) -> None:
        super().__init__(f"{number} is open in {warehouse}")
        self.number = number
        self.warehouse = warehouse


class NoOpenStocktake(DomainError):
    def __init__(self, warehouse: str | None) -> None:
        super().__init__(f"no open stocktake{f' in {warehouse}' if warehouse else ''}")
        self.warehouse = warehouse


class AmbiguousStocktake(DomainError):
    """Several warehouses are being counted: the command must name one."""

    def __init__(self, warehouses: list[str]) -> None:
        super().__init__(f"open stocktakes in {warehouses}")
        self.warehouses = warehouses


class EmptyStocktake(DomainError):
    def __init__(self, number: str) -> None:
        super().__init__(f"{number} has no counts")
        self.number = number


class StocktakeBelowZero(DomainError):
    """A loss larger than the stock left now (goods left after the count): recount first."""

    def __init__(self, code: str, name: str, unit: str, loss: Decimal, on_hand: Decimal) -> None:
        super().__init__(f"{code}: loss {loss} > on hand {on_hand}")
        self.code = code
        self.name = name
        self.unit = unit
        self.loss = loss
        self.on_hand = on_hand


class NegativeStockSetting(DomainError):
    """负库存 is already as requested."""

    def __init__(self, allow: bool) -> None:
        super().__init__(f"negative stock already {'allowed' if allow else 'forbidden'}")
        self.allow = allow


# ---- partners ----------------------------------------------------------------------------


class PartnerExists(DomainError):
    def __init__(self, kind: str, name: str) -> None:
        super().__init__(f"{kind} {name!r} exists")
        self.kind = kind
        self.name = name


class UnknownPartner(DomainError):
    def __init__(self, kind: str, name: str, suggestions: list[str]) -> None:
        super().__init__(f"no {kind} {name!r}")
        self.kind = kind
        self.name = name
        self.suggestions = suggestions


# ---- documents (进 · 销 · 财) ------------------------------------------------------------


class UnknownDocument(DomainError):
    def __init__(self, number: str) -> None:
        super().__init__(f"no document {number}")
        self.number = number


class IllegalTransition(DomainError):
    """A document cannot make this move from its status (shipping a closed order, approving twice)."""

    def __init__(self, number: str, status: str, action: str) -> None:
        super().__init__(f"{number} is {status}: cannot {action}")
        self.number = number
        self.status = status
        self.action = action


class NotOnOrder(DomainError):
    def __init__(self, number: str, code: str, codes: list[str]) -> None:
        super().__init__(f"{code} is not on {number}")
        self.number = number
        self.code = code
        self.codes = codes  # what the order does have


class CreditLimitExceeded(DomainError):
    """An order would take the customer's open receivables over the limit; only an admin may confirm."""

    def __init__(self, name: str, limit: object, owed: object, total: object) -> None:
        super().__init__(f"{name}: {owed} + {total} over limit {limit}")
        self.name = name
        self.limit = limit
        self.owed = owed
        self.total = total


class AmbiguousPartner(DomainError):
    """A name that is both a supplier and a customer, where the command does not say which."""

    def __init__(self, name: str, command: str) -> None:
        super().__init__(f"{name} is both a supplier and a customer")
        self.name = name
        self.command = command


class NothingToReturn(DomainError):
    """A return of more than was bought from / shipped to the partner (net of earlier returns)."""

    def __init__(self, kind: str, partner: str, code: str, name: str, unit: str, requested: object, returnable: object) -> None:
        super().__init__(f"{partner}: only {returnable} of {code} returnable")
        self.kind = kind
        self.partner = partner
        self.code = code
        self.name = name
        self.unit = unit
        self.requested = requested
        self.returnable = returnable


class DocumentRefused(DomainError):
    """A document command that cannot be done as written; ``why`` names the rule (a template branch)."""

    MISSING_PRICE = "missing_price"  # no price given and none known
    DUPLICATE_LINE = "duplicate_line"  # one product twice on an order
    ACCEPTED_OVER = "accepted_over"  # 合格 more than arrived
    NOTHING_LEFT = "nothing_left"  # 到货/发货 without lines when everything already came/went
    NOT_A_RECEIPT = "not_a_receipt"  # 退货 against a number that is not this partner's receipt/shipment
    FEES_WITHOUT_GOODS = "fees_without_goods"  # 运费 on a 到货 where nothing passed QC: no cost to carry it

    def __init__(self, why: str, **details: object) -> None:
        super().__init__(f"{why}: {details}")
        self.why = why
        self.details = details
# ---- operations --------------------------------------------------------------------------


class BackupNotAllowed(DomainError):
    """备份 from someone who is not one of the bot's operators (JXC_OWNER_IDS)."""

    def __init__(self) -> None:
        super().__init__("backup: operators only")


class BackupUnavailable(DomainError):
    """No backup could be sent; ``reason`` says why (too large, none could be made)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"backup unavailable: {reason}")
        self.reason = reason
# ---- faster entry ----


class BatchLineFailed(DomainError):
    """A line of a confirmed batch was refused (the books moved since the preview): nothing of
    the batch was booked. ``line`` is the batch line, ``error`` the refusal."""

    def __init__(self, line: object, error: DomainError) -> None:
        super().__init__(f"line {getattr(line, 'number', '?')} refused: {error.message}")
        self.line = line
        self.error = error


class ImportRefused(DomainError):
    """A sheet that cannot be imported as a whole (not a spreadsheet, too big, no header …)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"import refused: {reason}")
        self.reason = reason


class AmbiguousProduct(DomainError):
    """A name, pinyin or barcode query that several products match: the user picks one."""

    def __init__(self, query: str, candidates: list[ProductHint]) -> None:
        super().__init__(f"{query!r} matches {len(candidates)} products")
        self.query = query
        self.candidates = candidates
# ---- valuation ----------------------------------------------------------------------------


class ValuationRefused(DomainError):
    """设置 计价 (or 负库存 允许 under FIFO) cannot be done, and why."""

    ALREADY = "already"  # the workspace already values this way
    HAS_MOVEMENTS = "has_movements"  # stock was already booked under the current method
    FIFO_NO_NEGATIVE = "fifo_no_negative"  # FIFO has no layer to cost a deficit from

    def __init__(self, why: str, method: str, current: str = "") -> None:
        super().__init__(f"valuation {method}: {why}")
        self.why = why
        self.method = method
        self.current = current


class BatchRefused(DomainError):
    """A batch rule refused the command; ``why`` names the rule (a template branch)."""

    REQUIRED = "required"  # a batch-managed receipt without 批次
    NOT_MANAGED = "not_managed"  # 批次/有效期 for a product that is not batch-managed
    NO_SHELF_LIFE = "no_shelf_life"  # 生产日期 without the product's 保质期
    EXPIRY_REQUIRED = "expiry_required"  # the product has a 保质期: the new batch needs its expiry
    EXPIRY_CONFLICT = "expiry_conflict"  # more of a batch in stock, with another expiry
    EXPIRED_ON_ARRIVAL = "expired_on_arrival"
    UNKNOWN_BATCH = "unknown_batch"
    BATCH_SHORT = "batch_short"
    EXPIRED = "expired"  # not enough stock that has not expired (the expired batches are listed)
    STOCK_ON_HAND = "stock_on_hand"  # 批次管理 switched while the product has stock
    GAIN_WITHOUT_BATCH = "gain_without_batch"  # a stocktake gain with no batch in stock to join

    def __init__(self, why: str, code: str, name: str, **details: object) -> None:
        super().__init__(f"{code}: batch rule {why}")
        self.why = why
        self.code = code
        self.name = name
        self.details = details
# ---- alerts ----------------------------------------------------------------------------------


class AlertTopicRefused(DomainError):
    """A payment alert (应付/应收) would reveal money where it may not be seen: the subscriber
    lacks the money permission (``roles`` hold it), or the group is not marked for it."""

    def __init__(self, topic: str, roles: list[str] | None = None) -> None:
        super().__init__(f"topic {topic} refused here")
        self.topic = topic
        self.roles = roles or []
        self.group = roles is None
