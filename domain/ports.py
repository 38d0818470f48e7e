"""What the business needs from the outside world, as Protocols; storage implements them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Protocol, Self

from domain.access import ChatSettings, Invitation, Member
from domain.alerts import AlertSettings, Condition, DayFigures, OpenItem, OutboxEntry, StockLevel, Subscription, Topic
from domain.audit import Action, AuditEntry
from domain.documents import Allocation, CashEntry, Credit, Discrepancy, Ledger, OpenItem, Order, OrderKind, Payment
from domain.batches import Batch, BatchMismatch, BatchTake
from domain.errors import ProductHint
from domain.partners import Partner, PartnerKind
from domain.products import Product, StockLevels
from domain.stock import BalanceMismatch, Movement, StockBalance
from domain.valuation import CostLayer, LayerDraw, LayerMismatch, ValuationMethod


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


@dataclass(frozen=True, slots=True)
class Warehouse:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class StockLine:
    """One product's total stock, as the overview lists it."""

    product: Product
    balance: StockBalance


@dataclass(frozen=True, slots=True)
class SaleTotal:
    """A product's issues (出库) in a period: priced revenue, and what went out without a price."""

    product_id: int
    quantity: Decimal
    revenue: Decimal
    unpriced_quantity: Decimal
    unpriced_cost: Decimal


@dataclass(frozen=True, slots=True)
class StockTotals:
    products: int
    value: Decimal
    out_of_stock: int
    below_safety: int


class ProductRepository(Protocol):
    def get(self, code: str) -> Product | None: ...

    def with_id(self, product_id: int) -> Product: ...

    def add(self, product: Product) -> Product:
        """Store a new product and return it with its id."""
        ...

    def update(self, product: Product) -> None: ...

    def search(self, fragment: str, limit: int) -> list[Product]:
        """Products whose code or name contains the fragment, active ones first."""
        ...

    def count_matching(self, fragment: str | None) -> int: ...

    def page(self, fragment: str | None, offset: int, limit: int) -> list[Product]: ...

    def active(self) -> list[Product]:
        """Every active product, by code."""
        ...

    def hints(self) -> list[ProductHint]:
        """Code and name of every product, for "did you mean" suggestions."""
        ...

    # ---- faster entry ----
    def lookup(self, query: str, limit: int) -> list[Product]:
        """Active products a query that is no code points at — barcode digits, a name fragment,
        pinyin initials or full pinyin — the closest matches only."""
        ...


@dataclass(frozen=True, slots=True)
class WorkspaceSettings:
    """Per-workspace rules: whether 出库 may go below zero (设置 负库存 允许)."""

    allow_negative: bool = False
    tax_rate: Decimal | None = None  # 设置 税率 13%: prices include it; documents show the tax


class SettingsRepository(Protocol):
    def get(self) -> WorkspaceSettings: ...

    def set_allow_negative(self, allow: bool) -> None: ...

    def set_tax_rate(self, rate: Decimal | None) -> None: ...


class StockRepository(Protocol):
    """Stock of one workspace. ``warehouse_ids`` None means all warehouses (a member limited
    to some warehouses reads only those)."""

    def default_warehouse(self) -> Warehouse: ...

    def warehouses(self) -> list[Warehouse]: ...

    def warehouse_named(self, name: str) -> Warehouse | None: ...

    def add_warehouse(self, name: str) -> Warehouse: ...

    def lock_balance(self, product_id: int, warehouse_id: int) -> StockBalance:
        """Read a balance for change; later writers of the same stock wait (row lock)."""
        ...

    def save_balance(
        self, product_id: int, warehouse_id: int, before: StockBalance, after: StockBalance
    ) -> None:
        """Write the new balance only if it still equals ``before``; else raise ConcurrentChange."""
        ...

    def append(self, movement: Movement) -> Movement:
        """Append a movement and return it with its id."""
        ...

    def total_balance(self, product_id: int, warehouse_ids: frozenset[int] | None = None) -> StockBalance: ...

    def overview(self, offset: int, limit: int, warehouse_ids: frozenset[int] | None = None) -> list[StockLine]:
        """Active products, lowest stock relative to safety stock first."""
        ...

    def totals(self, warehouse_ids: frozenset[int] | None = None) -> StockTotals: ...

    def movements(
        self,
        product_id: int,
        since: datetime | None,
        until: datetime | None,
        offset: int,
        limit: int,
        warehouse_ids: frozenset[int] | None = None,
    ) -> list[Movement]:
        """Newest first, each with ``reversed_by`` filled in."""
        ...

    def count_movements(
        self,
        product_id: int,
        since: datetime | None,
        until: datetime | None,
        warehouse_ids: frozenset[int] | None = None,
    ) -> int: ...

    def movement_by_number(self, number: str) -> Movement | None:
        """The first movement of a document number (with ``reversed_by``)."""
        ...

    def movements_by_number(self, number: str) -> list[Movement]:
        """Every movement of a document (a transfer has two, a stocktake one per variance), in order."""
        ...

    def balances_by_warehouse(
        self, product_id: int, warehouse_ids: frozenset[int] | None = None
    ) -> list[tuple[Warehouse, StockBalance]]:
        """The product's balance in each warehouse that has one, in warehouse order."""
        ...

    def typical_quantity(self, product_id: int, kind: str) -> Decimal | None:
        """The mean size of the product's recent movements of this kind (None without history)."""
        ...

    def last_unit_price(self, product_id: int, kind: str) -> Decimal | None: ...

    def has_movements(self, product_id: int) -> bool: ...

    def sales(self, since: datetime, warehouse_ids: frozenset[int] | None = None) -> list[SaleTotal]:
        """Per product, the issues (出库, not transfers or scrap) since a moment."""
        ...

    def last_prices_with(self, counterparty: str, kind: str) -> list[tuple[str, str, Decimal]]:
        """(code, name, unit price) of the latest priced movement of each product with this
        counterparty, most recent first (at most 10)."""
        ...

    def last_counterparties(self, kind: str) -> dict[int, str]:
        """Per product, the counterparty of its latest movement of this kind that named one."""
        ...

    def quantity_with(self, product_id: int, counterparty: str, kind: str) -> Decimal:
        """Units of a product moved with this counterparty by movements of this kind (not
        undone), as a positive number: what was bought from a supplier, shipped to a customer."""
        ...

    def last_movement_with(self, product_id: int, counterparty: str, kind: str) -> Movement | None:
        """The latest movement of this kind of a product with this counterparty (not undone)."""
        ...

    def check(self) -> tuple[int, int, list[BalanceMismatch]]:
        """(balances checked, movements checked, mismatches) for this workspace."""
        ...


@dataclass(frozen=True, slots=True)
class Stocktake:
    """A count (盘点) of one warehouse; ``status`` is open, confirmed or cancelled."""

    number: str
    warehouse: Warehouse
    opened_at: datetime
    opened_by: str
    status: str = "open"
    id: int = 0


@dataclass(frozen=True, slots=True)
class StocktakeLine:
    """A counted product: the count and the book quantity at the moment it was counted."""

    product: Product
    counted: Decimal
    book_quantity: Decimal
    counted_at: datetime
    counted_by: str

    @property
    def variance(self) -> Decimal:
        return self.counted - self.book_quantity


class StocktakeRepository(Protocol):
    def open_in(self, warehouse_id: int) -> Stocktake | None:
        """The open count of a warehouse, if any."""
        ...

    def open_counts(self) -> list[Stocktake]: ...

    def start(self, stocktake: Stocktake) -> Stocktake:
        """Store a new count and return it with its id."""
        ...

    def record(self, stocktake_id: int, product_id: int, counted: Decimal, book_quantity: Decimal, at: datetime, by: str) -> None:
        """Record (or replace) a product's count."""
        ...

    def lines(self, stocktake_id: int) -> list[StocktakeLine]:
        """Counted products, by product code."""
        ...

    def close(self, stocktake_id: int, status: str, at: datetime) -> None: ...


class PartnerRepository(Protocol):
    def get(self, kind: PartnerKind, name: str) -> Partner | None: ...

    def add(self, partner: Partner) -> Partner: ...

    def update(self, partner: Partner) -> None: ...

    def search(self, kind: PartnerKind, fragment: str | None, limit: int) -> list[Partner]:
        """Partners of a kind whose name contains the fragment (all when None), by name."""
        ...


class DocumentRepository(Protocol):
    """Orders, open items, payments, allocations and the cash book of one workspace."""

    def add_order(self, order: Order) -> Order:
        """Store a new order with its lines; returns it with its id."""
        ...

    def order(self, number: str, *, lock: bool = False) -> Order | None:
        """An order with its lines and partner name; ``lock`` for a change (row lock)."""
        ...

    def save_order(self, order: Order) -> None:
        """Store an order's status and its lines' progress (done, billed, rejected)."""
        ...

    def orders(self, kind: OrderKind, offset: int, limit: int) -> list[Order]:
        """Orders of a kind, open ones first, newest first."""
        ...

    def count_orders(self, kind: OrderKind) -> int: ...

    def remaining(self, kind: OrderKind, product_id: int) -> Decimal:
        """Units still to come on open purchase orders (on order) or still to ship on open
        sales orders (reserved)."""
        ...

    def add_item(self, item: OpenItem) -> OpenItem: ...

    def items_numbered(self, number: str) -> list[OpenItem]:
        """The items a stock document (RK-…, CK-…) created, ``open`` filled in."""
        ...

    def open_items(self, ledger: Ledger, partner_id: int | None = None) -> list[OpenItem]:
        """Positive items not fully settled, ``open`` filled in, by due date, date, id."""
        ...

    def credits(self, ledger: Ledger, partner_id: int | None) -> list[Credit]:
        """Payments and negative items with something left to settle, oldest first (one
        partner's, or every partner's when None)."""
        ...

    def add_payment(self, payment: Payment) -> Payment: ...

    def add_allocation(self, allocation: Allocation) -> None: ...

    def balance(self, ledger: Ledger, partner_id: int, before: date | None = None) -> Decimal:
        """What the partner owes (应收) or is owed (应付): items − payments, optionally only
        those dated before a day (a statement's opening balance)."""
        ...

    def items_between(self, ledger: Ledger, partner_id: int, since: date, until: date) -> list[OpenItem]:
        """Items dated in [since, until), in date order."""
        ...

    def payments_between(self, ledger: Ledger, partner_id: int, since: date, until: date) -> list[Payment]:
        """Payments dated in [since, until) (workspace days), in date order."""
        ...

    def add_cash_entry(self, entry: CashEntry) -> CashEntry: ...

    def check(self) -> list[Discrepancy]:
        """Allocations within their items and credits; lines billed as delivered."""
# ---- valuation ----


class ValuationRepository(Protocol):
    """The workspace's valuation method and, under FIFO, the cost layers of each stock.

    Layers are read and changed only while the stock's balance is locked (``lock_balance``), so
    the balance lock serialises them too."""

    def method(self) -> ValuationMethod: ...

    def set_method(self, method: ValuationMethod) -> None: ...

    def any_movement(self) -> bool:
        """Whether the workspace has booked any stock movement (the method is fixed after)."""
        ...

    def open_layers(self, product_id: int, warehouse_id: int) -> list[CostLayer]:
        """Layers with units left, oldest first (received_at, then id)."""
        ...

    def add_layer(self, layer: CostLayer) -> CostLayer:
        """Store a new layer and return it with its id."""
        ...

    def record_draws(self, movement_id: int, draws: Sequence[LayerDraw]) -> None:
        """Record what a movement took from layers (negative: put back) and apply it to them."""
        ...

    def draws_of(self, movement_id: int) -> list[LayerDraw]:
        """What a movement took from layers, in the order it took them."""
        ...

    def layers_of(self, movement_id: int) -> list[CostLayer]:
        """The layers a movement created."""
        ...

    def check(self) -> list[LayerMismatch]:
        """Under FIFO: every stock whose layers do not add up to its balance, and every layer
        whose remainder is not its quantity less its draws (or keeps value without units)."""
        ...


class BatchRepository(Protocol):
    """Batch quantities of batch-managed products per warehouse, and the batch moves of each
    movement (changed only under the stock's balance lock)."""

    def batches(self, product_id: int, warehouse_id: int) -> list[Batch]:
        """The stock's batches with a quantity, earliest expiry first."""
        ...

    def find(self, product_id: int, warehouse_id: int, code: str) -> Batch | None:
        """A batch by code, whatever its quantity (a new receipt of it keeps its expiry)."""
        ...

    def of_product(self, product_id: int, warehouse_ids: frozenset[int] | None = None) -> list[Batch]:
        """The product's batches with a quantity in every (allowed) warehouse, earliest expiry first."""
        ...

    def record_moves(self, movement_id: int, product_id: int, warehouse_id: int, takes: Sequence[BatchTake]) -> None:
        """Apply signed batch quantities (creating a batch on its first receipt) and record them."""
        ...

    def moves_of(self, movement_id: int) -> list[BatchTake]:
        """What a movement moved in or out of batches (signed), in order."""
        ...

    def check(self) -> list[BatchMismatch]:
        """Every batch-managed stock whose batches do not add up to its balance, or whose batch
        quantities are not the sums of their moves (or are negative)."""
        ...


class ThresholdRepository(Protocol):
    """Per-warehouse safety and maximum stock of products."""

    def get(self, product_id: int, warehouse_id: int) -> StockLevels | None: ...

    def set(self, product_id: int, warehouse_id: int, levels: StockLevels) -> None:
        """Store the warehouse's levels (both None: back to the product's own)."""
        ...

    def of_product(self, product_id: int) -> dict[int, StockLevels]:
        """Warehouse id → the levels set for this product there."""
        ...


class PlanningRepository(Protocol):
    """What replenishment needs besides stock and sales."""

    def first_movements(self) -> dict[int, datetime]:
        """Per product, when its first stock movement happened (how long it has a history)."""
        ...


class MemberRepository(Protocol):
    def get(self, user_id: int) -> Member | None: ...

    def add(self, member: Member) -> None: ...

    def update(self, member: Member) -> None: ...

    def remove(self, user_id: int) -> None: ...

    def all(self) -> list[Member]:
        """Owners first, then by role and joining time."""
        ...


class InvitationRepository(Protocol):
    def add(self, invitation: Invitation) -> None: ...

    def get(self, code: str) -> Invitation | None: ...

    def use(self, code: str, user_id: int, now: datetime) -> bool:
        """Mark used, only if still unused; False if someone else took it first."""
        ...


class ChatRepository(Protocol):
    """Which chats work in this workspace (a chat belongs to at most one)."""

    def get(self, chat_id: int) -> ChatSettings | None:
        """The chat's binding, whichever workspace it is bound to."""
        ...

    def bind(self, chat_id: int, bound_by: int, now: datetime) -> None:
        """Bind to this workspace, replacing a binding elsewhere (a private chat switches)."""
        ...

    def unbind(self, chat_id: int) -> None: ...

    def set_show_sensitive(self, chat_id: int, show: bool) -> None: ...

    def workspace_name(self, workspace_id: int) -> str:
        """The name of a workspace (for "this group is already bound to …")."""
        ...


class AuditLog(Protocol):
    def add(self, entry: AuditEntry) -> AuditEntry: ...

    def get(self, entry_id: int) -> AuditEntry | None: ...

    def by_number(self, number: str) -> AuditEntry | None:
        """The entry that created a document or movement number (a CX reversal's is the undo)."""
        ...

    def last_of(self, user_id: int, actions: frozenset[Action]) -> AuditEntry | None:
        """The user's latest entry of one of these actions (what 撤销 alone reaches for)."""
        ...

    def page(
        self, subject: str | None, user_id: int | None, since: datetime | None, until: datetime | None, offset: int, limit: int
    ) -> list[AuditEntry]:
        """Newest first, with ``undone_by`` filled in."""
        ...

    def count(self, subject: str | None, user_id: int | None, since: datetime | None, until: datetime | None) -> int: ...


@dataclass(frozen=True, slots=True)
class PendingConfirmation:
    token: str
    user_id: int
    chat_id: int
    text: str
    expires_at: datetime
    used: bool = False


class ConfirmationRepository(Protocol):
    def add(self, confirmation: PendingConfirmation) -> None: ...

    def take(self, token: str) -> PendingConfirmation | None:
        """Load a confirmation (locking it in a writing transaction)."""
        ...

    def mark_used(self, token: str) -> bool:
        """Use it up, only if still unused; False if another transaction did first."""
        ...


@dataclass(frozen=True, slots=True)
class ChatAccess:
    """What the directory knows about a message's chat and sender."""

    workspace_id: int | None
    workspace_name: str = ""
    member: Member | None = None
    show_sensitive: bool = False
    bound: bool = False
    update_seen: bool = False  # the message's update already took effect in that workspace


class Directory(Protocol):
    """Lookups across workspaces: where a chat belongs, and creating a workspace."""

    def resolve(self, chat_id: int, user_id: int, private: bool, update_id: int | None = None) -> ChatAccess:
        """The chat's workspace and the sender's membership there; an unbound private chat
        falls back to the first workspace the sender belongs to. With ``update_id``, also
        whether that update already took effect there (one query instead of two)."""
        ...

    def workspace_name(self, workspace_id: int) -> str | None: ...

    def owned_count(self, user_id: int) -> int: ...

    def create_workspace(
        self, name: str, timezone: str, owner: Member, chat_id: int, entry: AuditEntry, update_id: int | None = None
    ) -> int:
        """Create a workspace with its default warehouse, the owner as member, the chat bound,
        the audit entry and the update id written, all in one transaction; returns the new id."""
        ...

    def update_processed(self, update_id: int) -> bool:
        """Whether an update took effect in any workspace (for 新建账套, which has none yet)."""
        ...


# ---- alerts -----------------------------------------------------------------------------------


class AlertRepository(Protocol):
    """Alert subscriptions, settings, tracked conditions and the outbox of one workspace."""

    def lock(self) -> None:
        """Serialise changes to the conditions of this workspace: a second transaction (another
        process evaluating the rules) waits here until the first has committed."""
        ...

    def settings(self) -> AlertSettings:
        """The workspace's alert settings (defaults until changed), with its time zone."""
        ...

    def save_settings(self, settings: AlertSettings) -> None: ...

    def subscriptions(self, chat_id: int | None = None) -> list[Subscription]:
        """Active subscriptions (of one chat, or all), by chat and topic."""
        ...

    def subscribe(self, subscription: Subscription) -> bool:
        """Subscribe (again); False when the chat already had that topic."""
        ...

    def unsubscribe(self, chat_id: int, topic: Topic) -> bool:
        """False when the chat did not have that topic."""
        ...

    def deactivate_chat(self, chat_id: int) -> list[Topic]:
        """End every subscription of a chat (it is gone); returns the topics it had."""
        ...

    def conditions(self) -> list[Condition]: ...

    def save_condition(self, condition: Condition) -> None:
        """Insert or replace the condition of (rule, subject)."""
        ...

    def stock_levels(self, sold_since: datetime) -> list[StockLevel]:
        """Every active product with its total on-hand and the quantity issued since then."""
        ...

    def day_figures(self, since: datetime, until: datetime) -> DayFigures:
        """Issues (出库, revenue and cost) and receipts (入库) in [since, until), undone ones left out."""
        ...

    def enqueue(self, entry: OutboxEntry) -> bool:
        """Queue an alert for a chat; False (and nothing written) when that chat already has
        the same dedupe key (rule, subject, period)."""
        ...

    def claim(self, now: datetime, lease_until: datetime, claimer: str, limit: int) -> list[OutboxEntry]:
        """Take pending rows due by ``now`` whose lease (if any) has run out: each row is taken
        by a conditional update, so of two processes only one gets it."""
        ...

    def mark_sent(self, ids: list[int], claimer: str, now: datetime) -> int:
        """Mark claimed rows sent (only those this claimer still holds); returns how many."""
        ...

    def retry_later(self, ids: list[int], claimer: str, not_before: datetime, error: str) -> None:
        """Release claimed rows to be tried again from ``not_before``, counting the attempt."""
        ...

    def give_up(self, ids: list[int], claimer: str, error: str) -> None:
        """Mark claimed rows failed: never sent."""
        ...

    def drop_pending(self, chat_id: int, error: str) -> int:
        """Mark every pending row for a gone chat failed; returns how many."""
        ...


class OpenItems(Protocol):
    """Open payables and receivables (implemented with the purchase and sales documents)."""

    def open_items(self, kind: str, as_of: datetime) -> list[OpenItem]:
        """``kind`` "payable" or "receivable": each document's open amount and due date."""
        ...


class NumberSequence(Protocol):
    def next(self, key: str) -> int:
        """The next number in a per-workspace, gap-free sequence (rolled back with the transaction)."""
        ...


# ---- faster entry ----


class LookupChoiceRepository(Protocol):
    """The product each user picked for a name or pinyin that matched several."""

    def get(self, user_id: int, query: str) -> str | None:
        """The code picked for ``query`` (case-folded) by this user, if any."""
        ...

    def remember(self, user_id: int, query: str, code: str, at: datetime) -> None:
        """Keep (or replace) the pick."""
        ...


@dataclass(frozen=True, slots=True)
class ImportJob:
    """A checked sheet waiting for 导入有效行: its rows (header first), under its confirmation's token."""

    token: str
    kind: str
    rows: tuple[tuple[str, ...], ...]
    created_at: datetime


class ImportJobRepository(Protocol):
    def add(self, job: ImportJob) -> None:
        """Store a job; jobs older than a day are dropped at the same time."""
        ...

    def get(self, token: str) -> ImportJob | None: ...
# ---- reports ----


@dataclass(frozen=True, slots=True)
class FlowTotals:
    """One product's 进销存 in a period: the balance before it and what came in and went out.

    In and out are by direction: a receipt, opening, gain or transfer in is in; an issue,
    scrap, loss or transfer out is out; a reversal counts against its original's direction
    (红冲), and a cost adjustment (quantity 0) is an out of value, because it corrects COGS.
    """

    product_id: int
    opening_quantity: Decimal
    opening_value: Decimal
    in_quantity: Decimal
    in_value: Decimal
    out_quantity: Decimal
    out_value: Decimal


@dataclass(frozen=True, slots=True)
class SalesTotals:
    """Issues (出库) in a period grouped by one key, net of their reversals.

    ``key`` is a product id, a customer name ("" when none was named) or a local date.
    Revenue counts priced lines only (quantity × price, each line rounded to the fen); the
    cost of unpriced lines is kept apart so the margin is not understated.
    """

    key: object
    quantity: Decimal
    revenue: Decimal
    cost: Decimal
    unpriced_quantity: Decimal
    unpriced_cost: Decimal


@dataclass(frozen=True, slots=True)
class PurchaseTotals:
    """Receipts (入库) in a period by supplier and product, net of their reversals."""

    supplier: str
    product_id: int
    quantity: Decimal
    amount: Decimal  # the receipts' value at cost


@dataclass(frozen=True, slots=True)
class IdleStock:
    """A product with stock and no (sale | movement) since a moment; ``last_at`` is the last one."""

    product_id: int
    quantity: Decimal
    value: Decimal
    last_at: datetime | None


@dataclass(frozen=True, slots=True)
class CategoryStock:
    category: str
    products: int
    quantity: Decimal
    value: Decimal


@dataclass(frozen=True, slots=True)
class CashTotals:
    """Money through one account from one source ("收款", "付款", "其他收入", "费用")."""

    source: str
    account: str
    amount: Decimal  # in the period
    count: int  # documents in the period
    to_end: Decimal  # everything up to the period's end (balances)


@dataclass(frozen=True, slots=True)
class SupplierDelivery:
    """A supplier's receipts against purchase orders in a period (on time: on or before 交期;
    orders without one are not counted), and the QC of those orders' lines."""

    supplier: str
    timed: int  # receipts against an order with a 交期
    on_time: int
    arrived: Decimal  # done + rejected
    accepted: Decimal  # done


class ReportRepository(Protocol):
    """Aggregations over the ledger, each one query summed by the database.

    Times are UTC instants, [begin, end). ``utc_offset_minutes`` shifts instants to local
    dates for grouping by day (the caller splits a period where the zone's offset changes).
    """

    def flows(self, begin: datetime, end: datetime, warehouse_ids: frozenset[int] | None = None) -> list[FlowTotals]:
        """Per product with a balance or a movement after ``begin``, by product id."""
        ...

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
        """Grouped ``by`` "product", "customer" or "day"; ``order`` "revenue", "quantity" or
        "profit" (descending) with ``limit`` gives a ranking, else by key."""
        ...

    def purchases(self, begin: datetime, end: datetime, warehouse_ids: frozenset[int] | None = None) -> list[PurchaseTotals]:
        """By supplier ("" when none was named), then product id."""
        ...

    def unsold(self, since: datetime, warehouse_ids: frozenset[int] | None = None) -> list[IdleStock]:
        """Products with stock on hand and no issue since ``since``; ``last_at`` = last issue."""
        ...

    def idle(self, since: datetime, warehouse_ids: frozenset[int] | None = None) -> list[IdleStock]:
        """Products with stock on hand and no movement at all since ``since``."""
        ...

    def stock_by_category(self, warehouse_ids: frozenset[int] | None = None) -> list[CategoryStock]:
        """Stock on hand per product category, by category ("" = uncategorised)."""
        ...

    def daily_changes(
        self,
        product_id: int,
        begin: datetime,
        end: datetime,
        warehouse_ids: frozenset[int] | None = None,
        *,
        utc_offset_minutes: int = 0,
    ) -> list[tuple[date, Decimal]]:
        """The net quantity change of one product per local day, by day."""
        ...

    def ledger(
        self, begin: datetime, end: datetime, product_id: int | None, limit: int, warehouse_ids: frozenset[int] | None = None
    ) -> list[Movement]:
        """Movements in the period, oldest first (the 流水 export), at most ``limit``."""
        ...

    def products(self) -> list[Product]:
        """Every product of the workspace, active or not (a report naming thousands reads them at once)."""
        ...

    # ---- money (资金) and supplier performance, over the documents ----

    def cash(self, begin: datetime, end: datetime) -> list[CashTotals]:
        """收款, 付款 (payments) and 其他收入, 费用 (cash book) per account: summed in
        [begin, end) and everything up to ``end`` (for the balances), by source and account."""
        ...

    def aging(self, ledger: Ledger, today: date) -> list[tuple[int, Decimal, int]]:
        """Open amounts of positive items (amount − allocations) per aging bucket, as (index into
        ``AGING_BUCKETS``, open amount, items), for the buckets that have any, by index."""
        ...

    def open_items(self, ledger: Ledger) -> list[OpenItem]:
        """Positive items not fully settled, ``open`` filled in, by partner name, due date, date, id."""
        ...

    def deliveries(self, since: date, until: date) -> list[SupplierDelivery]:
        """Per supplier, the receipts against purchase orders dated in [since, until): how
        many had a 交期 and how many came on or before it; and those orders' lines' accepted
        (done) and arrived (done + rejected) quantities. By supplier name."""
        ...


class UnitOfWork(Protocol):
    """One transaction on one workspace's books."""

    workspace_id: int
    products: ProductRepository
    stock: StockRepository
    numbers: NumberSequence
    members: MemberRepository
    invitations: InvitationRepository
    chats: ChatRepository
    audit: AuditLog
    confirmations: ConfirmationRepository
    stocktakes: StocktakeRepository
    settings: SettingsRepository
    partners: PartnerRepository
    documents: DocumentRepository
    lookup_choices: LookupChoiceRepository
    import_jobs: ImportJobRepository
    valuation: ValuationRepository
    batches: BatchRepository
    thresholds: ThresholdRepository
    planning: PlanningRepository
    reports: ReportRepository
    alerts: AlertRepository
    # Set by the chat edge: the Telegram update this transaction answers. Committing records it
    # in the same transaction, so a redelivered update cannot take effect twice.
    update_id: int | None
    # Set by the chat edge for a confirmed command: committing uses the confirmation up in the
    # same transaction (ConfirmationExpired if it already was), so one button books once.
    confirmation: str | None

    def writing(self) -> Self:
        """Mark this transaction as one that writes, so write locks are taken up front."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back unless committed."""
        ...

    def commit(self) -> None:
        """Commit; raises AlreadyProcessed if ``update_id`` was recorded by another transaction,
        ConfirmationExpired if ``confirmation`` was used up by another."""
        ...

    def update_seen(self, update_id: int) -> bool:
        """Whether this update already took effect (was recorded by a commit)."""
        ...
