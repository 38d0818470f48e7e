"""In-memory implementations of the ports in ``domain/ports.py`` for unit tests.

``FakeUnitOfWork`` behaves like ``storage.unit_of_work.SqlUnitOfWork`` where the services can
tell the difference:

* state is snapshotted on ``__enter__`` and on every ``commit()``; ``__exit__`` restores the
  last snapshot, so whatever was changed after the last commit (or without any commit) is
  discarded — exactly what a rolled-back transaction does;
* the product, movement, warehouse and audit-entry ids, like the document numbers, come from
  the number sequence and are rolled back with it;
* repositories refuse to be used outside a ``with`` block, and writes refuse to happen in a
  block that was not opened with ``writing()`` (the real one would write without the lock
  taken up front, and could fail half-way on a busy database);
* the unique constraints of ``storage/tables.py`` raise ``FakeIntegrityError``;
* ``commit()`` records ``update_id`` like the ``processed_update`` row: a second commit of the
  same update raises ``AlreadyProcessed`` and rolls the transaction back.

Chat bindings are global (a chat belongs to at most one workspace), so they live in a
``FakeWorld`` that several workspaces (and a ``FakeDirectory``) can share.

The raw state (``products.by_id``, ``stock.balances``, ``stock.ledger``, ``stock.warehouse_rows``,
``members.by_user``, ``invitations.by_code``, ``audit.entries``, ``confirmations.by_token``,
``world.chats``, ``processed``, ``numbers.values``) is public so that a test can inspect it or
tamper with it directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from types import TracebackType
from typing import Self

from domain.access import ChatSettings, Invitation, Member, Role
from domain.alerts import AlertSettings, Condition, DayFigures, OpenItem, OutboxEntry, StockLevel, Subscription, Topic
from domain.audit import Action, AuditEntry
from domain.documents import (
    AGING_BUCKETS,
    aging_bucket,
    OPEN_STATUSES,
    Account,
    Allocation,
    CashEntry,
    Credit,
    Discrepancy,
    Ledger,
    OpenItem,
    Order,
    OrderKind,
    OrderStatus,
    Payment,
)
from domain.batches import Batch, BatchMismatch, BatchTake, fefo
from domain.errors import AlreadyProcessed, ConcurrentChange, ConfirmationExpired, ProductHint
from domain.money import quantize_money
from domain.partners import Partner, PartnerKind
from domain.ports import (
    CashTotals,
    SupplierDelivery,
    CategoryStock,
    ChatAccess,
    ImportJob,
    FlowTotals,
    IdleStock,
    PurchaseTotals,
    SalesTotals,
    PendingConfirmation,
    SaleTotal,
    StockLine,
    Stocktake,
    StocktakeLine,
    StockTotals,
    Warehouse,
    WorkspaceSettings,
)
from domain.products import Product, StockLevels
from domain.stock import BalanceMismatch, Movement, MovementKind, StockBalance
from domain.valuation import CostLayer, LayerDraw, LayerMismatch, ValuationMethod
from storage.access_repositories import changes_from_text, changes_text
from storage.pinyin import best_matches

ZERO = Decimal(0)
DEFAULT_WORKSPACE_NAME = "默认账套"
DEFAULT_WAREHOUSE = Warehouse(1, "主仓")
# How many recent movements make a product's "typical" quantity (as storage.repositories).
TYPICAL_SAMPLE = 20
_ROLE_ORDER = {role: index for index, role in enumerate(Role)}
_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)


class FakeIntegrityError(Exception):
    """What the database would raise on a broken unique constraint."""


class TransactionError(AssertionError):
    """A repository was used outside a transaction, or written in a read-only one."""


@dataclass(frozen=True, slots=True)
class FakeBinding:
    workspace_id: int
    show_sensitive: bool
    bound_by: int
    bound_at: datetime


class FakeWorld:
    """What all workspaces share: their names and the chat bindings (the routing table)."""

    def __init__(self) -> None:
        self.workspaces: dict[int, str] = {}
        self.chats: dict[int, FakeBinding] = {}


class FakeNumberSequence:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self.values: dict[str, int] = {}

    def next(self, key: str) -> int:
        self._uow._require(write=True)
        self.values[key] = self.values.get(key, 0) + 1
        return self.values[key]


class FakeProductRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self.by_id: dict[int, Product] = {}

    def get(self, code: str) -> Product | None:
        self._uow._require()
        return next((p for p in self.by_id.values() if p.code == code), None)

    def with_id(self, product_id: int) -> Product:
        self._uow._require()
        return self.by_id[product_id]

    def add(self, product: Product) -> Product:
        self._uow._require(write=True)
        if any(p.code == product.code for p in self.by_id.values()):
            raise FakeIntegrityError(f"UNIQUE constraint failed: product.code {product.code}")
        stored = replace(product, id=self._uow.numbers.next("id:product"))
        self.by_id[stored.id] = stored
        return stored

    def update(self, product: Product) -> None:
        self._uow._require(write=True)
        if product.id not in self.by_id:
            raise KeyError(f"no product with id {product.id}")
        # As in storage: every field but the code is written.
        self.by_id[product.id] = replace(product, code=self.by_id[product.id].code)

    def _matching(self, fragment: str | None) -> list[Product]:
        products = list(self.by_id.values())
        if fragment:
            products = [
                p
                for p in products
                if fragment.upper() in p.code or fragment.casefold() in p.name.casefold() or p.barcode == fragment
            ]
        return sorted(products, key=lambda p: (not p.active, p.code))

    def search(self, fragment: str, limit: int) -> list[Product]:
        return self.page(fragment, 0, limit)

    def count_matching(self, fragment: str | None) -> int:
        self._uow._require()
        return len(self._matching(fragment))

    def page(self, fragment: str | None, offset: int, limit: int) -> list[Product]:
        self._uow._require()
        return self._matching(fragment)[offset : offset + limit]

    def active(self) -> list[Product]:
        self._uow._require()
        return sorted((p for p in self.by_id.values() if p.active), key=lambda p: p.code)

    def hints(self) -> list[ProductHint]:
        self._uow._require()
        return [p.hint() for p in self.by_id.values()]

    # ---- faster entry ----
    def lookup(self, query: str, limit: int) -> list[Product]:
        return best_matches(self.active(), query, limit)


def _in(warehouse_id: int, warehouse_ids: frozenset[int] | None) -> bool:
    return warehouse_ids is None or warehouse_id in warehouse_ids


class FakeStockRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self.warehouse_rows: dict[int, Warehouse] = {DEFAULT_WAREHOUSE.id: DEFAULT_WAREHOUSE}
        self.default_warehouse_id = DEFAULT_WAREHOUSE.id
        self.balances: dict[tuple[int, int], StockBalance] = {}
        self.ledger: list[Movement] = []

    # -- warehouses ----------------------------------------------------------------------

    def default_warehouse(self) -> Warehouse:
        self._uow._require()
        return self.warehouse_rows[self.default_warehouse_id]

    def warehouses(self) -> list[Warehouse]:
        self._uow._require()
        return [self.warehouse_rows[i] for i in sorted(self.warehouse_rows)]

    def warehouse_named(self, name: str) -> Warehouse | None:
        self._uow._require()
        return next((w for w in self.warehouse_rows.values() if w.name == name), None)

    def add_warehouse(self, name: str) -> Warehouse:
        self._uow._require(write=True)
        if any(w.name == name for w in self.warehouse_rows.values()):
            raise FakeIntegrityError(f"UNIQUE constraint failed: warehouse.name {name}")
        warehouse = Warehouse(self._uow.numbers.next("id:warehouse"), name)
        self.warehouse_rows[warehouse.id] = warehouse
        return warehouse

    # -- balances and the ledger ---------------------------------------------------------

    def lock_balance(self, product_id: int, warehouse_id: int) -> StockBalance:
        self._uow._require(write=True)
        if warehouse_id not in self.warehouse_rows:
            raise FakeIntegrityError(f"FOREIGN KEY constraint failed: warehouse {warehouse_id}")
        # Like the INSERT … ON CONFLICT DO NOTHING in storage: a zero row appears on first use.
        return self.balances.setdefault((product_id, warehouse_id), StockBalance(ZERO, ZERO))

    def save_balance(self, product_id: int, warehouse_id: int, before: StockBalance, after: StockBalance) -> None:
        self._uow._require(write=True)
        key = (product_id, warehouse_id)
        current = self.balances.get(key)
        if current is None or (current.quantity, current.value) != (before.quantity, before.value):
            raise ConcurrentChange()
        self.balances[key] = after

    def append(self, movement: Movement) -> Movement:
        self._uow._require(write=True)
        if movement.reverses_id is not None and any(m.reverses_id == movement.reverses_id for m in self.ledger):
            raise FakeIntegrityError(f"UNIQUE constraint failed: stock_movement.reverses_id {movement.reverses_id}")
        stored = replace(movement, id=self._uow.numbers.next("id:stock_movement"), reversed_by="")
        self.ledger.append(stored)
        return stored

    def total_balance(self, product_id: int, warehouse_ids: frozenset[int] | None = None) -> StockBalance:
        self._uow._require()
        return self._total(product_id, warehouse_ids)

    def _total(self, product_id: int, warehouse_ids: frozenset[int] | None) -> StockBalance:
        quantity, value = ZERO, ZERO
        for (pid, wid), balance in self.balances.items():
            if pid == product_id and _in(wid, warehouse_ids):
                quantity += balance.quantity
                value += balance.value
        return StockBalance(quantity, value)

    def _active_lines(self, warehouse_ids: frozenset[int] | None) -> list[StockLine]:
        return [
            StockLine(product, self._total(product.id, warehouse_ids))
            for product in self._uow.products.by_id.values()
            if product.active
        ]

    def overview(self, offset: int, limit: int, warehouse_ids: frozenset[int] | None = None) -> list[StockLine]:
        self._uow._require()

        def order(line: StockLine) -> tuple[object, ...]:
            safety = line.product.safety_stock
            if safety is not None and safety > 0:
                return (0, line.balance.quantity / safety, line.balance.quantity, line.product.code)
            return (1, ZERO, line.balance.quantity, line.product.code)

        return sorted(self._active_lines(warehouse_ids), key=order)[offset : offset + limit]

    def totals(self, warehouse_ids: frozenset[int] | None = None) -> StockTotals:
        self._uow._require()
        lines = self._active_lines(warehouse_ids)
        return StockTotals(
            products=len(lines),
            value=sum((line.balance.value for line in lines), ZERO),
            out_of_stock=sum(1 for line in lines if line.balance.quantity <= 0),
            below_safety=sum(
                1
                for line in lines
                if line.balance.quantity > 0
                and line.product.safety_stock is not None
                and line.balance.quantity < line.product.safety_stock
            ),
        )

    def _filtered(
        self, product_id: int, since: datetime | None, until: datetime | None, warehouse_ids: frozenset[int] | None
    ) -> list[Movement]:
        return [
            m
            for m in self.ledger
            if m.product_id == product_id
            and (since is None or m.occurred_at >= since)
            and (until is None or m.occurred_at < until)
            and _in(m.warehouse_id, warehouse_ids)
        ]

    def _with_reversed_by(self, movement: Movement) -> Movement:
        reversal = next((m for m in self.ledger if m.reverses_id == movement.id), None)
        return replace(movement, reversed_by=reversal.number if reversal else "")

    def movements(
        self,
        product_id: int,
        since: datetime | None,
        until: datetime | None,
        offset: int,
        limit: int,
        warehouse_ids: frozenset[int] | None = None,
    ) -> list[Movement]:
        self._uow._require()
        newest_first = sorted(self._filtered(product_id, since, until, warehouse_ids), key=lambda m: m.id, reverse=True)
        return [self._with_reversed_by(m) for m in newest_first[offset : offset + limit]]

    def count_movements(
        self,
        product_id: int,
        since: datetime | None,
        until: datetime | None,
        warehouse_ids: frozenset[int] | None = None,
    ) -> int:
        self._uow._require()
        return len(self._filtered(product_id, since, until, warehouse_ids))

    def movement_by_number(self, number: str) -> Movement | None:
        self._uow._require()
        found = next((m for m in self.ledger if m.number == number), None)
        return self._with_reversed_by(found) if found else None

    def movements_by_number(self, number: str) -> list[Movement]:
        self._uow._require()
        return [self._with_reversed_by(m) for m in sorted(self.ledger, key=lambda m: m.id) if m.number == number]

    def balances_by_warehouse(
        self, product_id: int, warehouse_ids: frozenset[int] | None = None
    ) -> list[tuple[Warehouse, StockBalance]]:
        self._uow._require()
        return [
            (self.warehouse_rows[wid], balance)
            for (pid, wid), balance in sorted(self.balances.items(), key=lambda item: item[0][1])
            if pid == product_id and _in(wid, warehouse_ids)
        ]

    def _recent(self, product_id: int, kind: str) -> list[Movement]:
        same = [m for m in self.ledger if m.product_id == product_id and m.kind == kind]
        return sorted(same, key=lambda m: m.id, reverse=True)

    def typical_quantity(self, product_id: int, kind: str) -> Decimal | None:
        self._uow._require()
        quantities = [m.quantity for m in self._recent(product_id, kind)[:TYPICAL_SAMPLE]]
        if not quantities:
            return None
        return sum((abs(q) for q in quantities), ZERO) / len(quantities)

    def last_unit_price(self, product_id: int, kind: str) -> Decimal | None:
        self._uow._require()
        return next((m.unit_price for m in self._recent(product_id, kind) if m.unit_price is not None), None)

    def has_movements(self, product_id: int) -> bool:
        self._uow._require()
        return any(m.product_id == product_id for m in self.ledger)

    def sales(self, since: datetime, warehouse_ids: frozenset[int] | None = None) -> list[SaleTotal]:
        self._uow._require()
        reversed_ids = {m.reverses_id for m in self.ledger if m.reverses_id is not None}
        totals: dict[int, list[Decimal]] = {}
        for m in self.ledger:
            if m.kind != MovementKind.ISSUE or m.occurred_at < since or m.id in reversed_ids:
                continue
            if not _in(m.warehouse_id, warehouse_ids):
                continue
            total = totals.setdefault(m.product_id, [ZERO, ZERO, ZERO, ZERO])
            total[0] -= m.quantity
            if m.unit_price is None:
                total[2] -= m.quantity
                total[3] -= m.value
            else:
                total[1] += quantize_money(-m.quantity * m.unit_price)
        return [SaleTotal(pid, *numbers) for pid, numbers in sorted(totals.items())]

    def last_prices_with(self, counterparty: str, kind: str) -> list[tuple[str, str, Decimal]]:
        self._uow._require()
        latest: dict[str, tuple[str, str, Decimal]] = {}
        for m in sorted(self.ledger, key=lambda m: m.id, reverse=True):
            if m.kind == kind and m.counterparty == counterparty and m.unit_price is not None:
                product = self._uow.products.by_id[m.product_id]
                latest.setdefault(product.code, (product.code, product.name, m.unit_price))
        return list(latest.values())[:10]

    def last_counterparties(self, kind: str) -> dict[int, str]:
        self._uow._require()
        return {m.product_id: m.counterparty for m in sorted(self.ledger, key=lambda m: m.id) if m.kind == kind and m.counterparty}

    def _with(self, product_id: int, counterparty: str, kind: str) -> list[Movement]:
        reversed_ids = {m.reverses_id for m in self.ledger if m.reverses_id is not None}
        return [
            m for m in self.ledger
            if m.product_id == product_id and m.counterparty == counterparty and m.kind == kind and m.id not in reversed_ids
        ]

    def quantity_with(self, product_id: int, counterparty: str, kind: str) -> Decimal:
        self._uow._require()
        return abs(sum((m.quantity for m in self._with(product_id, counterparty, kind)), ZERO))

    def last_movement_with(self, product_id: int, counterparty: str, kind: str) -> Movement | None:
        self._uow._require()
        found = self._with(product_id, counterparty, kind)
        return max(found, key=lambda m: m.id) if found else None

    def check(self) -> tuple[int, int, list[BalanceMismatch]]:
        self._uow._require()
        sums: dict[tuple[int, int], StockBalance] = {}
        for m in self.ledger:
            key = (m.product_id, m.warehouse_id)
            previous = sums.get(key, StockBalance(ZERO, ZERO))
            sums[key] = StockBalance(previous.quantity + m.quantity, previous.value + m.value)
        codes = {p.id: p.code for p in self._uow.products.by_id.values()}
        mismatches = []
        for key in sorted(set(sums) | set(self.balances)):
            derived = sums.get(key, StockBalance(ZERO, ZERO))
            stored = self.balances.get(key, StockBalance(ZERO, ZERO))
            if (derived.quantity, derived.value) != (stored.quantity, stored.value):
                product_id, warehouse_id = key
                warehouse = self.warehouse_rows.get(warehouse_id)
                name = warehouse.name if warehouse else "?"
                mismatches.append(BalanceMismatch(codes.get(product_id, f"#{product_id}"), name, stored, derived))
        return len(self.balances), len(self.ledger), mismatches


class FakeMemberRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self.by_user: dict[int, Member] = {}

    def get(self, user_id: int) -> Member | None:
        self._uow._require()
        return self.by_user.get(user_id)

    def add(self, member: Member) -> None:
        self._uow._require(write=True)
        if member.user_id in self.by_user:
            raise FakeIntegrityError(f"UNIQUE constraint failed: member {member.user_id}")
        if member.joined_at is None:
            raise FakeIntegrityError("NOT NULL constraint failed: member.joined_at")
        self.by_user[member.user_id] = replace(member, name=member.name[:64], username=member.username[:64])

    def update(self, member: Member) -> None:
        self._uow._require(write=True)
        current = self.by_user.get(member.user_id)
        if current is None:
            return  # an UPDATE that matches no row
        # As in storage: name, username, role and warehouses are written; joined_at stays.
        self.by_user[member.user_id] = replace(
            current,
            name=member.name[:64],
            username=member.username[:64],
            role=member.role,
            warehouse_ids=member.warehouse_ids,
        )

    def remove(self, user_id: int) -> None:
        self._uow._require(write=True)
        self.by_user.pop(user_id, None)

    def all(self) -> list[Member]:
        self._uow._require()
        return sorted(
            self.by_user.values(), key=lambda m: (_ROLE_ORDER[m.role], m.joined_at or _EARLIEST, m.user_id)
        )


class FakeInvitationRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self.by_code: dict[str, Invitation] = {}
        self.used_at: dict[str, datetime] = {}

    def add(self, invitation: Invitation) -> None:
        self._uow._require(write=True)
        if invitation.code in self.by_code:
            raise FakeIntegrityError(f"UNIQUE constraint failed: invitation.code {invitation.code}")
        self.by_code[invitation.code] = replace(invitation, used_by=None)

    def get(self, code: str) -> Invitation | None:
        self._uow._require()
        return self.by_code.get(code)

    def use(self, code: str, user_id: int, now: datetime) -> bool:
        self._uow._require(write=True)
        invitation = self.by_code.get(code)
        if invitation is None or invitation.used_by is not None:
            return False
        self.by_code[code] = replace(invitation, used_by=user_id)
        self.used_at[code] = now
        return True


class FakeChatRepository:
    """The chat bindings of the shared world, seen from one workspace."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    def get(self, chat_id: int) -> ChatSettings | None:
        self._uow._require()
        binding = self._uow.world.chats.get(chat_id)
        return ChatSettings(binding.workspace_id, binding.show_sensitive) if binding else None

    def bind(self, chat_id: int, bound_by: int, now: datetime) -> None:
        self._uow._require(write=True)
        # INSERT … ON CONFLICT (chat_id) DO UPDATE: a binding elsewhere is replaced.
        self._uow.world.chats[chat_id] = FakeBinding(self._uow.workspace_id, False, bound_by, now)

    def unbind(self, chat_id: int) -> None:
        self._uow._require(write=True)
        binding = self._uow.world.chats.get(chat_id)
        if binding is not None and binding.workspace_id == self._uow.workspace_id:
            del self._uow.world.chats[chat_id]

    def set_show_sensitive(self, chat_id: int, show: bool) -> None:
        self._uow._require(write=True)
        binding = self._uow.world.chats.get(chat_id)
        if binding is not None and binding.workspace_id == self._uow.workspace_id:
            self._uow.world.chats[chat_id] = replace(binding, show_sensitive=show)

    def workspace_name(self, workspace_id: int) -> str:
        self._uow._require()
        return self._uow.world.workspaces.get(workspace_id, "")


class FakeAuditLog:
    """Only ``add`` writes. Entries are stored as the table holds them (truncated text, the
    changes through the same JSON encoding), so what comes back is what storage gives back."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self.entries: list[AuditEntry] = []

    def add(self, entry: AuditEntry) -> AuditEntry:
        self._uow._require(write=True)
        if entry.undoes is not None and any(e.undoes == entry.undoes for e in self.entries):
            raise FakeIntegrityError(f"UNIQUE constraint failed: audit_entry.undoes {entry.undoes}")
        # The table's own encoding, so that what comes back is exactly what storage gives back.
        changes = changes_from_text(changes_text(entry.changes))
        entry_id = self._uow.numbers.next("id:audit_entry")
        stored = replace(
            entry,
            id=entry_id,
            user_name=entry.user_name[:64],
            text=entry.text[:1000],
            subject=entry.subject[:64],
            numbers=tuple(" ".join(entry.numbers).split()),
            changes=changes,
            undone_by=None,
        )
        self.entries.append(stored)
        return replace(entry, id=entry_id)

    def _read(self, entry: AuditEntry) -> AuditEntry:
        undo = next((e for e in self.entries if e.undoes == entry.id), None)
        return replace(entry, undone_by=undo.id if undo else None)

    def get(self, entry_id: int) -> AuditEntry | None:
        self._uow._require()
        found = next((e for e in self.entries if e.id == entry_id), None)
        return self._read(found) if found else None

    def by_number(self, number: str) -> AuditEntry | None:
        self._uow._require()
        found = [e for e in self.entries if e.numbers and e.numbers[0] == number]
        return self._read(max(found, key=lambda e: e.id)) if found else None

    def last_of(self, user_id: int, actions: frozenset[Action]) -> AuditEntry | None:
        self._uow._require()
        found = [e for e in self.entries if e.user_id == user_id and e.action in actions]
        return self._read(max(found, key=lambda e: e.id)) if found else None

    def _filtered(
        self, subject: str | None, user_id: int | None, since: datetime | None, until: datetime | None
    ) -> list[AuditEntry]:
        return [
            e
            for e in self.entries
            if (subject is None or e.subject == subject)
            and (user_id is None or e.user_id == user_id)
            and (since is None or e.at >= since)
            and (until is None or e.at < until)
        ]

    def page(
        self, subject: str | None, user_id: int | None, since: datetime | None, until: datetime | None, offset: int, limit: int
    ) -> list[AuditEntry]:
        self._uow._require()
        newest_first = sorted(self._filtered(subject, user_id, since, until), key=lambda e: e.id, reverse=True)
        return [self._read(e) for e in newest_first[offset : offset + limit]]

    def count(self, subject: str | None, user_id: int | None, since: datetime | None, until: datetime | None) -> int:
        self._uow._require()
        return len(self._filtered(subject, user_id, since, until))


class FakeConfirmationRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self.by_token: dict[str, PendingConfirmation] = {}

    def add(self, confirmation: PendingConfirmation) -> None:
        self._uow._require(write=True)
        if confirmation.token in self.by_token:
            raise FakeIntegrityError(f"UNIQUE constraint failed: confirmation.token {confirmation.token}")
        self.by_token[confirmation.token] = confirmation

    def take(self, token: str) -> PendingConfirmation | None:
        self._uow._require()  # SELECT (… FOR UPDATE in a writing transaction)
        return self.by_token.get(token)

    def mark_used(self, token: str) -> bool:
        self._uow._require(write=True)
        confirmation = self.by_token.get(token)
        if confirmation is None or confirmation.used:
            return False  # the conditional UPDATE matched no row
        self.by_token[token] = replace(confirmation, used=True)
        return True


class FakeStocktakeRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self.counts: dict[int, Stocktake] = {}
        self.recorded: dict[tuple[int, int], tuple[Decimal, Decimal, datetime, str]] = {}

    def open_in(self, warehouse_id: int) -> Stocktake | None:
        self._uow._require()
        return next((s for s in self.counts.values() if s.warehouse.id == warehouse_id and s.status == "open"), None)

    def open_counts(self) -> list[Stocktake]:
        self._uow._require()
        return [s for _, s in sorted(self.counts.items()) if s.status == "open"]

    def start(self, stocktake: Stocktake) -> Stocktake:
        self._uow._require(write=True)
        if stocktake.warehouse.id not in self._uow.stock.warehouse_rows:
            raise FakeIntegrityError(f"FOREIGN KEY constraint failed: warehouse {stocktake.warehouse.id}")
        # As storage: the name is cut to the column's 64 characters; what is returned is not.
        stored = replace(stocktake, id=self._uow.numbers.next("id:stocktake"))
        self.counts[stored.id] = replace(stored, opened_by=stored.opened_by[:64])
        return stored

    def record(self, stocktake_id: int, product_id: int, counted: Decimal, book_quantity: Decimal, at: datetime, by: str) -> None:
        self._uow._require(write=True)
        if stocktake_id not in self.counts or product_id not in self._uow.products.by_id:
            raise FakeIntegrityError(f"FOREIGN KEY constraint failed: stocktake {stocktake_id} / product {product_id}")
        # A recount replaces the earlier count (the upsert in storage).
        self.recorded[(stocktake_id, product_id)] = (counted, book_quantity, at, by[:64])

    def lines(self, stocktake_id: int) -> list[StocktakeLine]:
        self._uow._require()
        lines = [
            StocktakeLine(self._uow.products.by_id[pid], counted, book, at, by)
            for (sid, pid), (counted, book, at, by) in self.recorded.items()
            if sid == stocktake_id
        ]
        return sorted(lines, key=lambda line: line.product.code)

    def close(self, stocktake_id: int, status: str, at: datetime) -> None:
        self._uow._require(write=True)
        self.counts[stocktake_id] = replace(self.counts[stocktake_id], status=status)


class FakePartnerRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self.by_id: dict[int, Partner] = {}

    def get(self, kind: PartnerKind, name: str) -> Partner | None:
        self._uow._require()
        return next((p for p in self.by_id.values() if p.kind is kind and p.name == name), None)

    def add(self, partner: Partner) -> Partner:
        self._uow._require(write=True)
        if self.get(partner.kind, partner.name) is not None:
            raise FakeIntegrityError(f"UNIQUE constraint failed: partner.name {partner.name}")
        stored = replace(partner, id=self._uow.numbers.next("id:partner"))
        self.by_id[stored.id] = stored
        return stored

    def update(self, partner: Partner) -> None:
        self._uow._require(write=True)
        self.by_id[partner.id] = partner

    def search(self, kind: PartnerKind, fragment: str | None, limit: int) -> list[Partner]:
        self._uow._require()
        found = [p for p in self.by_id.values() if p.kind is kind and (not fragment or fragment in p.name)]
        return sorted(found, key=lambda p: p.name)[:limit]


class FakeDocumentRepository:
    """Orders, open items, payments, allocations and the cash book in memory (mirrors
    storage/document_repositories.py)."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self.orders_by_id: dict[int, Order] = {}
        self.items: dict[int, OpenItem] = {}
        self.payments: dict[int, Payment] = {}
        self.allocations: list[Allocation] = []
        self.cash: dict[int, CashEntry] = {}

    def _partner_name(self, partner_id: int) -> str:
        return self._uow.partners.by_id[partner_id].name

    def add_order(self, order: Order) -> Order:
        self._uow._require(write=True)
        if any(o.number == order.number for o in self.orders_by_id.values()):
            raise FakeIntegrityError(f"UNIQUE constraint failed: trade_order.number {order.number}")
        lines = tuple(replace(line, line_no=index) for index, line in enumerate(order.lines, start=1))
        stored = replace(order, id=self._uow.numbers.next("id:trade_order"), lines=lines)
        self.orders_by_id[stored.id] = stored
        return stored

    def _fresh(self, order: Order) -> Order:
        products = self._uow.products.by_id
        lines = tuple(replace(l, code=products[l.product_id].code, name=products[l.product_id].name, unit=products[l.product_id].unit) for l in order.lines)
        return replace(order, partner_name=self._partner_name(order.partner_id), lines=lines)

    def order(self, number: str, *, lock: bool = False) -> Order | None:
        self._uow._require(write=lock)
        found = next((o for o in self.orders_by_id.values() if o.number == number), None)
        return self._fresh(found) if found is not None else None

    def save_order(self, order: Order) -> None:
        self._uow._require(write=True)
        stored = self.orders_by_id[order.id]
        progress = {line.line_no: line for line in order.lines}
        lines = tuple(
            replace(
                l, done=progress[l.line_no].done, billed=progress[l.line_no].billed, rejected=progress[l.line_no].rejected,
                over_confirmed=progress[l.line_no].over_confirmed,
            )
            for l in stored.lines
        )
        self.orders_by_id[order.id] = replace(stored, status=order.status, lines=lines)

    def orders(self, kind: OrderKind, offset: int, limit: int) -> list[Order]:
        self._uow._require()
        waiting = set(OPEN_STATUSES[kind]) | {OrderStatus.DRAFT}
        found = sorted((o for o in self.orders_by_id.values() if o.kind is kind), key=lambda o: (o.status not in waiting, -o.id))
        return [self._fresh(o) for o in found[offset : offset + limit]]

    def count_orders(self, kind: OrderKind) -> int:
        self._uow._require()
        return sum(1 for o in self.orders_by_id.values() if o.kind is kind)

    def remaining(self, kind: OrderKind, product_id: int) -> Decimal:
        self._uow._require()
        return sum(
            (l.remaining for o in self.orders_by_id.values() if o.kind is kind and o.status in OPEN_STATUSES[kind] for l in o.lines if l.product_id == product_id),
            ZERO,
        )

    def _allocated_to(self, item_id: int) -> Decimal:
        return sum((a.amount for a in self.allocations if a.item_id == item_id), ZERO)

    def _allocated_from(self, source: str, source_id: int) -> Decimal:
        return sum((a.amount for a in self.allocations if a.source == source and a.source_id == source_id), ZERO)

    def _with_open(self, item: OpenItem) -> OpenItem:
        return replace(item, partner_name=self._partner_name(item.partner_id), open=item.amount - self._allocated_to(item.id))

    def add_item(self, item: OpenItem) -> OpenItem:
        self._uow._require(write=True)
        stored = replace(item, id=self._uow.numbers.next("id:open_item"), open=max(item.amount, ZERO))
        self.items[stored.id] = stored
        return stored

    def items_numbered(self, number: str) -> list[OpenItem]:
        self._uow._require()
        return [self._with_open(i) for i in sorted(self.items.values(), key=lambda i: i.id) if i.number == number]

    def open_items(self, ledger: Ledger, partner_id: int | None = None) -> list[OpenItem]:
        self._uow._require()
        found = [
            self._with_open(i) for i in self.items.values()
            if i.ledger is ledger and i.amount > 0 and (partner_id is None or i.partner_id == partner_id)
        ]
        return sorted((i for i in found if i.open > 0), key=lambda i: (i.due_on, i.occurred_on, i.id))

    def credits(self, ledger: Ledger, partner_id: int | None) -> list[Credit]:
        self._uow._require()
        mine = lambda row: row.ledger is ledger and partner_id in (None, row.partner_id)  # noqa: E731
        found = [
            (p.occurred_on, "payment", p.id, p.amount - self._allocated_from("payment", p.id))
            for p in self.payments.values() if mine(p)
        ]
        found += [
            (i.occurred_on, "item", i.id, -i.amount - self._allocated_from("item", i.id))
            for i in self.items.values() if mine(i) and i.amount < 0
        ]
        return [Credit(source, cid, left) for _, source, cid, left in sorted(found) if left > 0]

    def add_payment(self, payment: Payment) -> Payment:
        self._uow._require(write=True)
        stored = replace(payment, id=self._uow.numbers.next("id:payment"), unused=payment.amount)
        self.payments[stored.id] = stored
        return stored

    def add_allocation(self, allocation: Allocation) -> None:
        self._uow._require(write=True)
        self.allocations.append(allocation)

    def balance(self, ledger: Ledger, partner_id: int, before: date | None = None) -> Decimal:
        self._uow._require()
        items = sum((i.amount for i in self.items.values() if i.ledger is ledger and i.partner_id == partner_id and (before is None or i.occurred_on < before)), ZERO)
        paid = sum((p.amount for p in self.payments.values() if p.ledger is ledger and p.partner_id == partner_id and (before is None or p.occurred_on < before)), ZERO)
        return items - paid

    def items_between(self, ledger: Ledger, partner_id: int, since: date, until: date) -> list[OpenItem]:
        self._uow._require()
        found = [self._with_open(i) for i in self.items.values() if i.ledger is ledger and i.partner_id == partner_id and since <= i.occurred_on < until]
        return sorted(found, key=lambda i: (i.occurred_on, i.id))

    def payments_between(self, ledger: Ledger, partner_id: int, since: date, until: date) -> list[Payment]:
        self._uow._require()
        found = [replace(p, partner_name=self._partner_name(p.partner_id)) for p in self.payments.values() if p.ledger is ledger and p.partner_id == partner_id and since <= p.occurred_on < until]
        return sorted(found, key=lambda p: (p.occurred_on, p.id))

    def add_cash_entry(self, entry: CashEntry) -> CashEntry:
        self._uow._require(write=True)
        stored = replace(entry, id=self._uow.numbers.next("id:cash_entry"))
        self.cash[stored.id] = stored
        return stored

    def check(self) -> list[Discrepancy]:
        self._uow._require()
        found = []
        for item in self.items.values():
            taken = self._allocated_to(item.id)
            if taken < 0 or taken > max(item.amount, ZERO):
                found.append(Discrepancy(item.number, f"已核销 {taken}，超出单据金额 {item.amount}"))
        for source, rows in (("payment", self.payments.values()), ("item", self.items.values())):
            for row in rows:
                taken = self._allocated_from(source, row.id)
                if taken and taken > abs(row.amount):
                    found.append(Discrepancy(row.number, f"核销 {taken}，超出可用金额 {abs(row.amount)}"))
        for order in self.orders_by_id.values():
            for line in order.lines:
                expected = quantize_money(line.done * line.unit_price * (order.discount or Decimal(1)))
                if line.billed != expected:
                    found.append(Discrepancy(order.number, f"第 {line.line_no} 行已交 {line.done}，应计 {expected}，实计 {line.billed}"))
                if line.done > line.quantity and not line.over_confirmed:
                    found.append(Discrepancy(order.number, f"第 {line.line_no} 行已交 {line.done.normalize():f}，超过订购 {line.quantity.normalize():f}，且没有确认"))
                if line.done < 0 or line.rejected < 0:
                    found.append(Discrepancy(order.number, f"第 {line.line_no} 行数量为负"))
        return found

    def state(self) -> tuple[object, ...]:
        return (dict(self.orders_by_id), dict(self.items), dict(self.payments), list(self.allocations), dict(self.cash))

    def restore(self, state: tuple[object, ...]) -> None:
        orders, items, payments, allocations, cash = state
        self.orders_by_id, self.items, self.payments = dict(orders), dict(items), dict(payments)  # type: ignore[call-overload]
        self.allocations, self.cash = list(allocations), dict(cash)  # type: ignore[call-overload]


class FakeSettingsRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self.current = WorkspaceSettings()

    def get(self) -> WorkspaceSettings:
        self._uow._require()
        return self.current

    def set_allow_negative(self, allow: bool) -> None:
        self._uow._require(write=True)
        self.current = replace(self.current, allow_negative=allow)

    def set_tax_rate(self, rate: Decimal | None) -> None:
        self._uow._require(write=True)
        self.current = replace(self.current, tax_rate=rate)


# ---- faster entry ----


class FakeLookupChoiceRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self.picks: dict[tuple[int, str], str] = {}

    def get(self, user_id: int, query: str) -> str | None:
        self._uow._require()
        return self.picks.get((user_id, query.casefold()[:32]))

    def remember(self, user_id: int, query: str, code: str, at: datetime) -> None:
        self._uow._require(write=True)
        self.picks[(user_id, query.casefold()[:32])] = code


class FakeImportJobRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self.jobs: dict[str, ImportJob] = {}

    def add(self, job: ImportJob) -> None:
        self._uow._require(write=True)
        if job.token in self.jobs:
            raise FakeIntegrityError(f"UNIQUE constraint failed: import_job.token {job.token}")
        self.jobs = {t: j for t, j in self.jobs.items() if j.created_at >= job.created_at - timedelta(days=1)}
        self.jobs[job.token] = job

    def get(self, token: str) -> ImportJob | None:
        self._uow._require()
        return self.jobs.get(token)
# ---- valuation ----


class FakeValuationRepository:
    """The method and the FIFO cost layers, as storage/valuation_repositories.py keeps them."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self.current = ValuationMethod.MOVING_AVERAGE
        self.layers: dict[int, CostLayer] = {}
        self.draws: list[tuple[int, LayerDraw]] = []  # (movement id, draw), in booking order

    def method(self) -> ValuationMethod:
        self._uow._require()
        return self.current

    def set_method(self, method: ValuationMethod) -> None:
        self._uow._require(write=True)
        self.current = method

    def any_movement(self) -> bool:
        self._uow._require()
        return bool(self._uow.stock.ledger)

    def open_layers(self, product_id: int, warehouse_id: int) -> list[CostLayer]:
        self._uow._require()
        found = [
            layer
            for layer in self.layers.values()
            if layer.product_id == product_id and layer.warehouse_id == warehouse_id and layer.remaining_quantity > 0
        ]
        return sorted(found, key=lambda layer: (layer.received_at, layer.id))

    def add_layer(self, layer: CostLayer) -> CostLayer:
        self._uow._require(write=True)
        stored = replace(layer, id=self._uow.numbers.next("id:cost_layer"))
        self.layers[stored.id] = stored
        return stored

    def record_draws(self, movement_id: int, draws: Sequence[LayerDraw]) -> None:
        self._uow._require(write=True)
        for draw in draws:
            layer = self.layers[draw.layer_id]
            remaining = (layer.remaining_quantity - draw.quantity, layer.remaining_value - draw.value)
            if remaining[0] < 0 or remaining[0] > layer.quantity:  # the CHECK constraint in storage
                raise FakeIntegrityError(f"CHECK constraint failed: cost_layer {layer.id} remaining {remaining}")
            self.layers[layer.id] = replace(layer, remaining_quantity=remaining[0], remaining_value=remaining[1])
            self.draws.append((movement_id, LayerDraw(draw.layer_id, draw.quantity, draw.value, layer.received_at)))

    def draws_of(self, movement_id: int) -> list[LayerDraw]:
        self._uow._require()
        return [draw for mid, draw in self.draws if mid == movement_id]

    def layers_of(self, movement_id: int) -> list[CostLayer]:
        self._uow._require()
        return [layer for _, layer in sorted(self.layers.items()) if layer.movement_id == movement_id]

    def check(self) -> list[LayerMismatch]:
        self._uow._require()
        if self.current is not ValuationMethod.FIFO:
            return []
        sums: dict[tuple[int, int], tuple[Decimal, Decimal]] = {}
        broken: set[tuple[int, int]] = set()
        for layer in self.layers.values():
            key = (layer.product_id, layer.warehouse_id)
            quantity, value = sums.get(key, (ZERO, ZERO))
            sums[key] = (quantity + layer.remaining_quantity, value + layer.remaining_value)
            taken = [d for _, d in self.draws if d.layer_id == layer.id]
            expected = (layer.quantity - sum((d.quantity for d in taken), ZERO), layer.value - sum((d.value for d in taken), ZERO))
            if expected != (layer.remaining_quantity, layer.remaining_value) or (layer.remaining_quantity == 0 and layer.remaining_value != 0):
                broken.add(key)
        mismatches = []
        for key in sorted(set(sums) | set(self._uow.stock.balances)):
            balance = self._uow.stock.balances.get(key, StockBalance())
            quantity, value = sums.get(key, (ZERO, ZERO))
            if key in broken or (quantity, value) != (balance.quantity, balance.value):
                product = self._uow.products.by_id.get(key[0])
                warehouse = self._uow.stock.warehouse_rows.get(key[1])
                mismatches.append(
                    LayerMismatch(
                        product.code if product else f"#{key[0]}", warehouse.name if warehouse else "?",
                        balance.quantity, balance.value, quantity, value,
                    )
                )
        return mismatches


class FakeBatchRepository:
    """Batch quantities and the batch moves of each movement, as storage keeps them."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self.rows: dict[tuple[int, int, str], Batch] = {}
        self.moves: list[tuple[int, int, int, BatchTake]] = []  # (movement, product, warehouse, take)

    def batches(self, product_id: int, warehouse_id: int) -> list[Batch]:
        self._uow._require()
        return fefo([b for (p, w, _), b in self.rows.items() if (p, w) == (product_id, warehouse_id) and b.quantity != 0])

    def find(self, product_id: int, warehouse_id: int, code: str) -> Batch | None:
        self._uow._require()
        return self.rows.get((product_id, warehouse_id, code))

    def of_product(self, product_id: int, warehouse_ids: frozenset[int] | None = None) -> list[Batch]:
        self._uow._require()
        return fefo(
            [
                b
                for (p, w, _), b in self.rows.items()
                if p == product_id and b.quantity != 0 and (warehouse_ids is None or w in warehouse_ids)
            ]
        )

    def record_moves(self, movement_id: int, product_id: int, warehouse_id: int, takes: Sequence[BatchTake]) -> None:
        self._uow._require(write=True)
        for take in takes:
            key = (product_id, warehouse_id, take.code)
            found = self.rows.get(key)
            quantity = (found.quantity if found else ZERO) + take.quantity
            if quantity < 0:  # the CHECK constraint in storage
                raise FakeIntegrityError(f"CHECK constraint failed: stock_batch {key} quantity {quantity}")
            expires_on = found.expires_on if found is not None and found.quantity != 0 else take.expires_on
            self.rows[key] = Batch(product_id, warehouse_id, take.code, expires_on, quantity)
            self.moves.append((movement_id, product_id, warehouse_id, BatchTake(take.code, take.quantity, expires_on)))

    def moves_of(self, movement_id: int) -> list[BatchTake]:
        self._uow._require()
        return [take for mid, _, _, take in self.moves if mid == movement_id]

    def check(self) -> list[BatchMismatch]:
        self._uow._require()
        managed = {pid for pid, p in self._uow.products.by_id.items() if p.batch_managed}
        sums: dict[tuple[int, int], Decimal] = {}
        broken: set[tuple[int, int]] = set()
        for (pid, wid, code), batch in self.rows.items():
            sums[(pid, wid)] = sums.get((pid, wid), ZERO) + batch.quantity
            moved = sum((t.quantity for _, p, w, t in self.moves if (p, w, t.code) == (pid, wid, code)), ZERO)
            if moved != batch.quantity or batch.quantity < 0:
                broken.add((pid, wid))
        mismatches = []
        keys = {k for k in self._uow.stock.balances if k[0] in managed} | set(sums)
        for key in sorted(keys):
            balance = self._uow.stock.balances.get(key, StockBalance()).quantity
            if key[0] not in managed and balance == sums.get(key, ZERO) and key not in broken:
                continue
            if key in broken or balance != sums.get(key, ZERO):
                product = self._uow.products.by_id.get(key[0])
                warehouse = self._uow.stock.warehouse_rows.get(key[1])
                mismatches.append(
                    BatchMismatch(
                        product.code if product else f"#{key[0]}", warehouse.name if warehouse else "?", balance, sums.get(key, ZERO)
                    )
                )
        return mismatches


class FakeThresholdRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self.levels: dict[tuple[int, int], StockLevels] = {}

    def get(self, product_id: int, warehouse_id: int) -> StockLevels | None:
        self._uow._require()
        return self.levels.get((product_id, warehouse_id))

    def set(self, product_id: int, warehouse_id: int, levels: StockLevels) -> None:
        self._uow._require(write=True)
        if levels == StockLevels():
            self.levels.pop((product_id, warehouse_id), None)
        else:
            self.levels[(product_id, warehouse_id)] = levels

    def of_product(self, product_id: int) -> dict[int, StockLevels]:
        self._uow._require()
        return {wid: levels for (pid, wid), levels in self.levels.items() if pid == product_id}


class FakePlanningRepository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    def first_movements(self) -> dict[int, datetime]:
        self._uow._require()
        first: dict[int, datetime] = {}
        for m in self._uow.stock.ledger:
            if m.product_id not in first or m.occurred_at < first[m.product_id]:
                first[m.product_id] = m.occurred_at
        return first
# ---- reports ----

_IN_KINDS = {MovementKind.OPENING, MovementKind.RECEIPT, MovementKind.TRANSFER_IN, MovementKind.STOCKTAKE_GAIN, MovementKind.SALES_RETURN}
_TRANSFER_KINDS = {MovementKind.TRANSFER_IN, MovementKind.TRANSFER_OUT}


class FakeReportRepository:
    """The report sums, folded in Python over the fake ledger (storage sums them in SQL)."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    def _ledger(self, warehouse_ids: frozenset[int] | None) -> list[Movement]:
        self._uow._require()
        return [m for m in self._uow.stock.ledger if _in(m.warehouse_id, warehouse_ids)]

    def _balances(self, warehouse_ids: frozenset[int] | None) -> dict[int, StockBalance]:
        totals: dict[int, StockBalance] = {}
        for (product_id, warehouse_id), balance in self._uow.stock.balances.items():
            if _in(warehouse_id, warehouse_ids):
                before = totals.get(product_id, StockBalance())
                totals[product_id] = StockBalance(before.quantity + balance.quantity, before.value + balance.value)
        return totals

    def flows(self, begin: datetime, end: datetime, warehouse_ids: frozenset[int] | None = None) -> list[FlowTotals]:
        sums: dict[int, list[Decimal]] = {}
        for m in self._ledger(warehouse_ids):
            if warehouse_ids is None and m.kind in _TRANSFER_KINDS:
                continue
            row = sums.setdefault(m.product_id, [ZERO] * 6)
            if m.occurred_at < begin:
                row[0] += m.quantity
                row[1] += m.value
            elif m.occurred_at < end:
                incoming = m.kind in _IN_KINDS or (m.kind == MovementKind.REVERSAL and m.quantity < 0)
                if incoming:
                    row[2] += m.quantity
                    row[3] += m.value
                else:
                    row[4] -= m.quantity
                    row[5] -= m.value
        for product_id in self._balances(warehouse_ids):
            sums.setdefault(product_id, [ZERO] * 6)
        result = []
        for product_id in sorted(sums):
            oq, ov, iq, iv, xq, xv = sums[product_id]
            if any((oq, ov, iq, iv, xq, xv)):
                result.append(FlowTotals(product_id, oq, ov, iq, iv, xq, xv))
        return result

    def _of_kind(self, kinds: tuple[MovementKind, ...], begin: datetime, end: datetime, warehouse_ids: frozenset[int] | None) -> list[Movement]:
        by_id = {m.id: m for m in self._uow.stock.ledger}
        found = []
        for m in self._ledger(warehouse_ids):
            if not begin <= m.occurred_at < end:
                continue
            original = by_id.get(m.reverses_id) if m.reverses_id is not None else None
            if m.kind in kinds or (m.kind == MovementKind.REVERSAL and original is not None and original.kind in kinds):
                found.append(m)
        return found

    def sales(
        self,
        begin: datetime,
        end: datetime,
        by: str,
        warehouse_ids: frozenset[int] | None = None,
        *,
        utc_offset_minutes: int = 0,
        order: str | None = None,
        limit: int | None = None,
    ) -> list[SalesTotals]:
        groups: dict[object, list[Decimal]] = {}
        for m in self._of_kind((MovementKind.ISSUE, MovementKind.SALES_RETURN), begin, end, warehouse_ids):
            if by == "product":
                key: object = m.product_id
            elif by == "customer":
                key = m.counterparty
            else:
                key = (m.occurred_at.astimezone(timezone.utc) + timedelta(minutes=utc_offset_minutes)).date()
            row = groups.setdefault(key, [ZERO] * 5)
            row[0] -= m.quantity
            if m.unit_price is None:
                row[3] -= m.quantity
                row[4] -= m.value
            else:
                sign = 1 if m.quantity < 0 else -1  # goods back (a return, a reversal) take revenue off
                row[1] += sign * quantize_money(abs(m.quantity) * m.unit_price)
                row[2] -= m.value
        totals = [SalesTotals(key, *numbers) for key, numbers in groups.items()]
        totals.sort(key=lambda t: t.key)  # type: ignore[arg-type, return-value]
        if order is not None:
            measure = {
                "revenue": lambda t: t.revenue,
                "quantity": lambda t: t.quantity,
                "profit": lambda t: t.revenue - t.cost,
            }[order]
            totals.sort(key=lambda t: -measure(t))
        return totals[:limit] if limit is not None else totals

    def purchases(self, begin: datetime, end: datetime, warehouse_ids: frozenset[int] | None = None) -> list[PurchaseTotals]:
        groups: dict[tuple[str, int], list[Decimal]] = {}
        for m in self._of_kind((MovementKind.RECEIPT, MovementKind.PURCHASE_RETURN), begin, end, warehouse_ids):
            row = groups.setdefault((m.counterparty, m.product_id), [ZERO, ZERO])
            row[0] += m.quantity
            row[1] += m.value
        return [PurchaseTotals(s, p, q, v) for (s, p), (q, v) in sorted(groups.items())]

    def cash(self, begin: datetime, end: datetime) -> list[CashTotals]:
        self._uow._require()
        docs = self._uow.documents
        sums: dict[tuple[str, str], list] = {}  # type: ignore[type-arg]
        moves = [("收款" if p.ledger is Ledger.RECEIVABLE else "付款", p.account, p.amount, p.occurred_at) for p in docs.payments.values()]
        moves += [("其他收入" if e.income else "费用", e.account, e.amount, e.occurred_at) for e in docs.cash.values()]
        for source, account, amount, at in moves:
            if at >= end:
                continue
            row = sums.setdefault((source, Account(account).value), [ZERO, 0, ZERO])
            row[2] += amount
            if at >= begin:
                row[0] += amount
                row[1] += 1
        return [CashTotals(source, account, *row) for (source, account), row in sorted(sums.items())]

    def aging(self, ledger: Ledger, today: date) -> list[tuple[int, Decimal, int]]:
        sums: dict[int, list] = {}  # type: ignore[type-arg]
        for item in self._uow.documents.open_items(ledger):
            row = sums.setdefault(AGING_BUCKETS.index(aging_bucket(item, today)), [ZERO, 0])
            row[0] += item.open
            row[1] += 1
        return [(index, amount, count) for index, (amount, count) in sorted(sums.items())]

    def open_items(self, ledger: Ledger) -> list[OpenItem]:
        items = self._uow.documents.open_items(ledger)
        return sorted(items, key=lambda i: (i.partner_name, i.due_on, i.occurred_on, i.id))

    def deliveries(self, since: date, until: date) -> list[SupplierDelivery]:
        self._uow._require()
        docs = self._uow.documents
        orders = {o.number: o for o in docs.orders_by_id.values() if o.kind is OrderKind.PURCHASE}
        rows: dict[int, list] = {}  # type: ignore[type-arg]
        received: set[str] = set()
        for item in docs.items.values():
            order = orders.get(item.order_number)
            if item.ledger is not Ledger.PAYABLE or order is None or item.amount <= 0 or not since <= item.occurred_on < until:
                continue
            received.add(order.number)
            row = rows.setdefault(order.partner_id, [0, 0, ZERO, ZERO])
            if order.due_on is not None:
                row[0] += 1
                row[1] += item.occurred_on <= order.due_on
        for number in received:
            order = orders[number]
            row = rows[order.partner_id]
            for line in order.lines:
                row[2] += line.done
                row[3] += line.rejected
        found = [
            SupplierDelivery(self._uow.partners.by_id[pid].name, timed, on_time, done + rejected, done)
            for pid, (timed, on_time, done, rejected) in rows.items()
        ]
        return sorted(found, key=lambda d: d.supplier)

    def _still(self, since: datetime, warehouse_ids: frozenset[int] | None, kind: MovementKind | None) -> list[IdleStock]:
        last: dict[int, datetime] = {}
        for m in self._ledger(warehouse_ids):
            if kind is None or m.kind == kind:
                last[m.product_id] = max(last.get(m.product_id, m.occurred_at), m.occurred_at)
        result = []
        for product_id, balance in sorted(self._balances(warehouse_ids).items()):
            at = last.get(product_id)
            if balance.quantity > 0 and (at is None or at < since):
                result.append(IdleStock(product_id, balance.quantity, balance.value, at))
        return result

    def unsold(self, since: datetime, warehouse_ids: frozenset[int] | None = None) -> list[IdleStock]:
        return self._still(since, warehouse_ids, MovementKind.ISSUE)

    def idle(self, since: datetime, warehouse_ids: frozenset[int] | None = None) -> list[IdleStock]:
        return self._still(since, warehouse_ids, None)

    def stock_by_category(self, warehouse_ids: frozenset[int] | None = None) -> list[CategoryStock]:
        self._uow._require()
        groups: dict[str, list[Decimal]] = {}
        for product_id, balance in self._balances(warehouse_ids).items():
            if balance.quantity <= 0:
                continue
            row = groups.setdefault(self._uow.products.by_id[product_id].category, [ZERO, ZERO, ZERO])
            row[0] += 1
            row[1] += balance.quantity
            row[2] += balance.value
        return [CategoryStock(name, int(n), q, v) for name, (n, q, v) in sorted(groups.items())]

    def daily_changes(
        self,
        product_id: int,
        begin: datetime,
        end: datetime,
        warehouse_ids: frozenset[int] | None = None,
        *,
        utc_offset_minutes: int = 0,
    ) -> list[tuple[date, Decimal]]:
        days: dict[date, Decimal] = {}
        for m in self._ledger(warehouse_ids):
            if m.product_id == product_id and begin <= m.occurred_at < end:
                day = (m.occurred_at.astimezone(timezone.utc) + timedelta(minutes=utc_offset_minutes)).date()
                days[day] = days.get(day, ZERO) + m.quantity
        return sorted(days.items())

    def ledger(
        self, begin: datetime, end: datetime, product_id: int | None, limit: int, warehouse_ids: frozenset[int] | None = None
    ) -> list[Movement]:
        found = [
            m
            for m in self._ledger(warehouse_ids)
            if begin <= m.occurred_at < end and (product_id is None or m.product_id == product_id)
        ]
        found.sort(key=lambda m: (m.occurred_at, m.id or 0))
        return found[:limit]

    def products(self) -> list[Product]:
        self._uow._require()
        return list(self._uow.products.by_id.values())
# ---- alerts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _OutboxRow:
    entry: OutboxEntry
    status: str = "pending"
    claimed_by: str = ""
    claimed_until: datetime | None = None
    sent_at: datetime | None = None
    error: str = ""


class FakeAlertRepository:
    """Alerts in memory, with the storage's rules: one outbox row per (chat, rule, subject,
    period), and a row is claimed only while pending and unleased."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self.current = AlertSettings()
        self.subs: dict[tuple[int, Topic], tuple[Subscription, bool]] = {}
        self.conds: dict[tuple[str, str], Condition] = {}
        self.outbox: dict[int, _OutboxRow] = {}

    def state(self) -> tuple[object, ...]:
        return (self.current, dict(self.subs), dict(self.conds), dict(self.outbox))

    def restore(self, state: tuple[object, ...]) -> None:
        current, subs, conds, outbox = state
        self.current, self.subs, self.conds, self.outbox = current, dict(subs), dict(conds), dict(outbox)  # type: ignore[arg-type,assignment]

    def lock(self) -> None:
        self._uow._require(write=True)  # one process in memory: nothing to wait for

    def settings(self) -> AlertSettings:
        self._uow._require()
        return self.current

    def save_settings(self, settings: AlertSettings) -> None:
        self._uow._require(write=True)
        self.current = settings

    def subscriptions(self, chat_id: int | None = None) -> list[Subscription]:
        self._uow._require()
        found = [sub for (chat, _), (sub, active) in self.subs.items() if active and chat_id in (None, chat)]
        order = list(Topic)
        return sorted(found, key=lambda sub: (sub.chat_id, order.index(sub.topic)))

    def subscribe(self, subscription: Subscription) -> bool:
        self._uow._require(write=True)
        key = (subscription.chat_id, subscription.topic)
        if key in self.subs and self.subs[key][1]:
            return False
        self.subs[key] = (subscription, True)
        return True

    def unsubscribe(self, chat_id: int, topic: Topic) -> bool:
        self._uow._require(write=True)
        found = self.subs.get((chat_id, topic))
        if found is None or not found[1]:
            return False
        self.subs[(chat_id, topic)] = (found[0], False)
        return True

    def deactivate_chat(self, chat_id: int) -> list[Topic]:
        self._uow._require(write=True)
        ended = [topic for (chat, topic), (_, active) in self.subs.items() if chat == chat_id and active]
        for topic in ended:
            self.unsubscribe(chat_id, topic)
        order = list(Topic)
        return sorted(ended, key=order.index)

    def conditions(self) -> list[Condition]:
        self._uow._require()
        return list(self.conds.values())

    def save_condition(self, condition: Condition) -> None:
        self._uow._require(write=True)
        self.conds[(condition.rule, condition.subject)] = condition

    def stock_levels(self, sold_since: datetime) -> list[StockLevel]:
        self._uow._require()
        ledger = self._uow.stock.ledger
        reversed_ids = {m.reverses_id for m in ledger if m.reverses_id is not None}
        levels = []
        for product in sorted(self._uow.products.by_id.values(), key=lambda p: p.code):
            if not product.active:
                continue
            on_hand = sum((b.quantity for (pid, _), b in self._uow.stock.balances.items() if pid == product.id), ZERO)
            sold = -sum(
                (
                    m.quantity
                    for m in ledger
                    if m.product_id == product.id and m.kind == MovementKind.ISSUE and m.occurred_at >= sold_since and m.id not in reversed_ids
                ),
                ZERO,
            )
            levels.append(StockLevel(product, on_hand, sold))
        return levels

    def day_figures(self, since: datetime, until: datetime) -> DayFigures:
        self._uow._require()
        ledger = self._uow.stock.ledger
        reversed_ids = {m.reverses_id for m in ledger if m.reverses_id is not None}
        sales = cost = receipts = ZERO
        issues = received = 0
        for m in ledger:
            if not since <= m.occurred_at < until or m.id in reversed_ids:
                continue
            if m.kind == MovementKind.ISSUE:
                issues += 1
                cost -= m.value
                if m.unit_price is not None:
                    sales += quantize_money(-m.quantity * m.unit_price)
            elif m.kind == MovementKind.RECEIPT:
                received += 1
                receipts += m.value
        return DayFigures(sales, cost, receipts, issues, received)

    def enqueue(self, entry: OutboxEntry) -> bool:
        self._uow._require(write=True)
        key = (entry.chat_id, *entry.key)
        if any((row.entry.chat_id, *row.entry.key) == key for row in self.outbox.values()):
            return False
        row_id = self._uow.numbers.next("id:alert_outbox")
        self.outbox[row_id] = _OutboxRow(replace(entry, id=row_id))
        return True

    def claim(self, now: datetime, lease_until: datetime, claimer: str, limit: int) -> list[OutboxEntry]:
        self._uow._require(write=True)
        taken = []
        for row_id, row in sorted(self.outbox.items()):
            if len(taken) >= limit:
                break
            free = row.claimed_until is None or row.claimed_until < now
            if row.status == "pending" and row.entry.not_before <= now and free:
                self.outbox[row_id] = replace(row, claimed_by=claimer, claimed_until=lease_until)
                taken.append(row.entry)
        return taken

    def _held(self, ids: list[int], claimer: str) -> list[int]:
        return [i for i in ids if i in self.outbox and self.outbox[i].claimed_by == claimer and self.outbox[i].status == "pending"]

    def mark_sent(self, ids: list[int], claimer: str, now: datetime) -> int:
        self._uow._require(write=True)
        held = self._held(ids, claimer)
        for i in held:
            self.outbox[i] = replace(self.outbox[i], status="sent", sent_at=now, claimed_until=None)
        return len(held)

    def retry_later(self, ids: list[int], claimer: str, not_before: datetime, error: str) -> None:
        self._uow._require(write=True)
        for i in self._held(ids, claimer):
            row = self.outbox[i]
            entry = replace(row.entry, not_before=not_before, attempts=row.entry.attempts + 1)
            self.outbox[i] = replace(row, entry=entry, claimed_by="", claimed_until=None, error=error)

    def give_up(self, ids: list[int], claimer: str, error: str) -> None:
        self._uow._require(write=True)
        for i in self._held(ids, claimer):
            row = self.outbox[i]
            entry = replace(row.entry, attempts=row.entry.attempts + 1)
            self.outbox[i] = replace(row, entry=entry, status="failed", claimed_until=None, error=error)

    def drop_pending(self, chat_id: int, error: str) -> int:
        self._uow._require(write=True)
        dropped = [i for i, row in self.outbox.items() if row.entry.chat_id == chat_id and row.status == "pending"]
        for i in dropped:
            self.outbox[i] = replace(self.outbox[i], status="failed", claimed_until=None, error=error)
        return len(dropped)

    # -- test helpers --

    def rows(self, status: str | None = None) -> list[_OutboxRow]:
        return [row for _, row in sorted(self.outbox.items()) if status in (None, row.status)]


class FakeOpenItems:
    """Open payables and receivables as a test sets them (the documents are not built yet)."""

    def __init__(self, payables: list[OpenItem] | None = None, receivables: list[OpenItem] | None = None) -> None:
        self.items = {"payable": list(payables or []), "receivable": list(receivables or [])}

    def open_items(self, kind: str, as_of: datetime) -> list[OpenItem]:
        return [item for item in self.items[kind] if item.amount > 0]


@dataclass(frozen=True)
class _Snapshot:
    products: dict[int, Product]
    balances: dict[tuple[int, int], StockBalance]
    ledger: list[Movement]
    warehouses: dict[int, Warehouse]
    numbers: dict[str, int]
    members: dict[int, Member]
    invitations: dict[str, Invitation]
    invitations_used_at: dict[str, datetime]
    audit: list[AuditEntry]
    confirmations: dict[str, PendingConfirmation]
    chats: dict[int, FakeBinding]
    processed: frozenset[int]
    stocktakes: dict[int, Stocktake]
    settings: WorkspaceSettings
    partners: dict[int, Partner]
    stocktake_lines: dict[tuple[int, int], tuple[Decimal, Decimal, datetime, str]]
    documents: tuple[object, ...]
    lookup_choices: dict[tuple[int, str], str]
    import_jobs: dict[str, ImportJob]
    valuation: tuple[ValuationMethod, dict[int, CostLayer], tuple[tuple[int, LayerDraw], ...]] = (
        ValuationMethod.MOVING_AVERAGE, {}, ()
    )
    batches: tuple[dict[tuple[int, int, str], Batch], tuple[tuple[int, int, int, BatchTake], ...]] = ({}, ())
    thresholds: dict[tuple[int, int], StockLevels] | None = None
    alerts: tuple[object, ...] = ()


class FakeUnitOfWork:
    """One in-memory workspace; every ``with`` block is one transaction.

    Attributes:
        commits: how many times ``commit()`` was called (successfully), over the fake's life.
        rollbacks: how many blocks ended with uncommitted changes thrown away.
        committed: whether the current (or last) block committed.
        processed: the update ids recorded by commits (the ``processed_update`` table).
    """

    def __init__(self, workspace_id: int = 1, name: str = DEFAULT_WORKSPACE_NAME, world: FakeWorld | None = None) -> None:
        self.workspace_id = workspace_id
        self.world = world if world is not None else FakeWorld()
        self.world.workspaces.setdefault(workspace_id, name)
        self.numbers = FakeNumberSequence(self)
        self.numbers.values["id:warehouse"] = DEFAULT_WAREHOUSE.id  # as storage.workspaces.create_workspace
        self.products = FakeProductRepository(self)
        self.stock = FakeStockRepository(self)
        self.members = FakeMemberRepository(self)
        self.invitations = FakeInvitationRepository(self)
        self.chats = FakeChatRepository(self)
        self.audit = FakeAuditLog(self)
        self.confirmations = FakeConfirmationRepository(self)
        self.stocktakes = FakeStocktakeRepository(self)
        self.settings = FakeSettingsRepository(self)
        self.partners = FakePartnerRepository(self)
        self.documents = FakeDocumentRepository(self)
        self.lookup_choices = FakeLookupChoiceRepository(self)
        self.import_jobs = FakeImportJobRepository(self)
        self.valuation = FakeValuationRepository(self)
        self.batches = FakeBatchRepository(self)
        self.thresholds = FakeThresholdRepository(self)
        self.planning = FakePlanningRepository(self)
        self.reports = FakeReportRepository(self)
        self.alerts = FakeAlertRepository(self)
        self.update_id: int | None = None
        self.confirmation: str | None = None
        self.processed: set[int] = set()
        self.commits = 0
        self.rollbacks = 0
        self.committed = False
        self._open = False
        self._write = False
        self._snapshot: _Snapshot | None = None

    # -- transaction ---------------------------------------------------------------------

    def writing(self) -> Self:
        self._write = True
        return self

    def __enter__(self) -> Self:
        if self._open:
            raise TransactionError("the unit of work is already in a transaction")
        self._open = True
        self.committed = False
        self._snapshot = self._take_snapshot()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._snapshot is not None
        if self._take_snapshot() != self._snapshot:
            self.rollbacks += 1
            self._restore(self._snapshot)
        self._snapshot = None
        self._open = False
        self._write = False

    def commit(self) -> None:
        self._require()
        if self.confirmation is not None and not self.confirmations.mark_used(self.confirmation):
            # The button was used up by another transaction: this one is rolled back.
            assert self._snapshot is not None
            self.rollbacks += 1
            self._restore(self._snapshot)
            raise ConfirmationExpired()
        if self.update_id is not None:
            if self.update_id in self.processed:
                # The duplicate processed_update row: the whole transaction is rolled back.
                assert self._snapshot is not None
                self.rollbacks += 1
                self._restore(self._snapshot)
                raise AlreadyProcessed(self.update_id)
            self.processed.add(self.update_id)
        self.commits += 1
        self.committed = True
        self._snapshot = self._take_snapshot()

    def update_seen(self, update_id: int) -> bool:
        # Storage asks in a session of its own: it sees only what was committed.
        committed = self._snapshot.processed if self._snapshot is not None else self.processed
        return update_id in committed

    def _require(self, write: bool = False) -> None:
        if not self._open:
            raise TransactionError("repository used outside `with uow:`")
        if write and not self._write:
            raise TransactionError("write in a transaction not opened with `uow.writing()`")

    def _take_snapshot(self) -> _Snapshot:
        return _Snapshot(
            products=dict(self.products.by_id),
            balances=dict(self.stock.balances),
            ledger=list(self.stock.ledger),
            warehouses=dict(self.stock.warehouse_rows),
            numbers=dict(self.numbers.values),
            members=dict(self.members.by_user),
            invitations=dict(self.invitations.by_code),
            invitations_used_at=dict(self.invitations.used_at),
            audit=list(self.audit.entries),
            confirmations=dict(self.confirmations.by_token),
            chats=dict(self.world.chats),
            processed=frozenset(self.processed),
            stocktakes=dict(self.stocktakes.counts),
            settings=self.settings.current,
            partners=dict(self.partners.by_id),
            stocktake_lines=dict(self.stocktakes.recorded),
            documents=self.documents.state(),
            lookup_choices=dict(self.lookup_choices.picks),
            import_jobs=dict(self.import_jobs.jobs),
            valuation=(self.valuation.current, dict(self.valuation.layers), tuple(self.valuation.draws)),
            batches=(dict(self.batches.rows), tuple(self.batches.moves)),
            thresholds=dict(self.thresholds.levels),
            alerts=self.alerts.state(),
        )

    def _restore(self, snapshot: _Snapshot) -> None:
        self.products.by_id = dict(snapshot.products)
        self.stock.balances = dict(snapshot.balances)
        self.stock.ledger = list(snapshot.ledger)
        self.stock.warehouse_rows = dict(snapshot.warehouses)
        self.numbers.values = dict(snapshot.numbers)
        self.members.by_user = dict(snapshot.members)
        self.invitations.by_code = dict(snapshot.invitations)
        self.invitations.used_at = dict(snapshot.invitations_used_at)
        self.audit.entries = list(snapshot.audit)
        self.confirmations.by_token = dict(snapshot.confirmations)
        # The world is shared: restore its routing table in place.
        self.world.chats.clear()
        self.world.chats.update(snapshot.chats)
        self.processed = set(snapshot.processed)
        self.stocktakes.counts = dict(snapshot.stocktakes)
        self.settings.current = snapshot.settings
        self.partners.by_id = dict(snapshot.partners)
        self.stocktakes.recorded = dict(snapshot.stocktake_lines)
        self.documents.restore(snapshot.documents)
        self.lookup_choices.picks = dict(snapshot.lookup_choices)
        self.import_jobs.jobs = dict(snapshot.import_jobs)
        method, layers, draws = snapshot.valuation
        self.valuation.current, self.valuation.layers, self.valuation.draws = method, dict(layers), list(draws)
        batch_rows, batch_moves = snapshot.batches
        self.batches.rows, self.batches.moves = dict(batch_rows), list(batch_moves)
        self.thresholds.levels = dict(snapshot.thresholds or {})
        self.alerts.restore(snapshot.alerts)

    # -- test helpers --------------------------------------------------------------------

    def state(self) -> _Snapshot:
        """Everything the books hold, comparable with ``==`` (for "nothing changed")."""
        return self._take_snapshot()

    def seed(self, *products: Product) -> list[Product]:
        """Store products in one committed transaction and return them with their ids."""
        with self.writing():
            stored = [self.products.add(product) for product in products]
            self.commit()
        return stored

    def seed_members(self, *members: Member) -> list[Member]:
        """Store members (``joined_at`` defaults to a fixed time) in one committed transaction."""
        stored = [m if m.joined_at is not None else replace(m, joined_at=datetime(2026, 1, 1, tzinfo=timezone.utc)) for m in members]
        with self.writing():
            for member in stored:
                self.members.add(member)
            self.commit()
        return stored

    def seed_warehouses(self, *names: str) -> list[Warehouse]:
        with self.writing():
            stored = [self.stock.add_warehouse(name) for name in names]
            self.commit()
        return stored

    def bind_chat(self, chat_id: int, bound_by: int = 0, show_sensitive: bool = False) -> None:
        """Bind a chat to this workspace directly (committed)."""
        with self.writing():
            self.chats.bind(chat_id, bound_by, _EARLIEST)
            if show_sensitive:
                self.chats.set_show_sensitive(chat_id, True)
            self.commit()


class FakeDirectory:
    """Cross-workspace lookups over the fake workspaces of one world (as ``SqlDirectory``)."""

    def __init__(self, world: FakeWorld | None = None) -> None:
        self.world = world if world is not None else FakeWorld()
        self.workspaces: dict[int, FakeUnitOfWork] = {}
        self.timezones: dict[int, str] = {}

    def add(self, uow: FakeUnitOfWork) -> FakeUnitOfWork:
        """Make an existing fake workspace known (it must share this directory's world)."""
        if uow.world is not self.world:
            raise ValueError("the workspace lives in another world")
        self.workspaces[uow.workspace_id] = uow
        return uow

    def uow(self, workspace_id: int) -> FakeUnitOfWork:
        return self.workspaces[workspace_id]

    def _membership(self, workspace_id: int, user_id: int) -> Member | None:
        uow = self.workspaces.get(workspace_id)
        return uow.members.by_user.get(user_id) if uow else None

    def resolve(self, chat_id: int, user_id: int, private: bool, update_id: int | None = None) -> ChatAccess:
        def seen(workspace_id: int) -> bool:
            uow = self.workspaces.get(workspace_id)
            return update_id is not None and uow is not None and uow.update_seen(update_id)

        binding = self.world.chats.get(chat_id)
        if binding is not None:
            member = self._membership(binding.workspace_id, user_id)
            if member is not None or not private:
                name = self.world.workspaces.get(binding.workspace_id, "")
                return ChatAccess(
                    binding.workspace_id, name, member, binding.show_sensitive, bound=True, update_seen=seen(binding.workspace_id)
                )
        if not private:
            return ChatAccess(None)
        # An unbound private chat, or one still bound to a workspace the user has left.
        for workspace_id in sorted(self.workspaces):
            member = self._membership(workspace_id, user_id)
            if member is not None:
                name = self.world.workspaces.get(workspace_id, "")
                return ChatAccess(workspace_id, name, member, show_sensitive=True, update_seen=seen(workspace_id))
        return ChatAccess(None)

    def workspace_name(self, workspace_id: int) -> str | None:
        return self.world.workspaces.get(workspace_id)

    def owned_count(self, user_id: int) -> int:
        return sum(
            1
            for uow in self.workspaces.values()
            if (m := uow.members.by_user.get(user_id)) is not None and m.role is Role.OWNER
        )

    def create_workspace(
        self, name: str, timezone: str, owner: Member, chat_id: int, entry: AuditEntry, update_id: int | None = None
    ) -> int:
        if update_id is not None and self.update_processed(update_id):
            raise AlreadyProcessed(update_id)
        workspace_id = max(self.world.workspaces, default=0) + 1
        uow = self.add(FakeUnitOfWork(workspace_id, name, self.world))
        self.timezones[workspace_id] = timezone
        with uow.writing():
            uow.members.add(owner)
            uow.chats.bind(chat_id, owner.user_id, entry.at)
            uow.audit.add(entry)
            if update_id is not None:
                uow.processed.add(update_id)  # the processed_update row, in the same transaction
            uow.commit()
        return workspace_id

    def update_processed(self, update_id: int) -> bool:
        """Whether an update took effect (was committed) in any workspace."""
        return any(uow.update_seen(update_id) for uow in self.workspaces.values())
