"""One dispatcher for every transport (Telegram, console, tests).

text → parse → command → service(uow, context, command) → result → template → Reply.
It is synchronous on purpose: the Telegram adapter runs it in a worker thread so that a
database wait never stalls the event loop, and the console and tests call it directly.
"""

from __future__ import annotations

import html
import math
import logging
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import barcode, parsing, report_replies, spreadsheet
from bot.attachments import Attachment
from bot.errors import template_for
from bot.rendering import MAX_REPLY_LENGTH, Renderer, to_plain
from domain import commands as c
from domain import (
    alert_services,
    analysis,
    batch,
    document_services,
    history,
    imports,
    lookup,
    partner_services,
    reports,
    services,
    stocktake,
    thresholds,
    workspaces,
)
from domain.access import (
    OPEN_COMMANDS,
    Member,
    Permission,
    Role,
    invitation_workspace,
    required_permission,
    roles_with,
)
from bot.backup_jobs import MAX_SEND_BYTES, BackupStore
from domain.errors import (
    AlreadyProcessed,
    BackupNotAllowed,
    BackupUnavailable,
    AmbiguousProduct,
    BatchLineFailed,
    ChatNotBound,
    ConfirmationExpired,
    DomainError,
    ImportRefused,
    InvalidInvitation,
    NeedsConfirmation,
    NotAMember,
    NotPermitted,
    PrivateChatOnly,
)
from domain.documents import Order, OrderKind, OrderStatus
from domain.ports import ChatAccess, Clock, Directory, OpenItems, UnitOfWork
from domain.stock import MovementKind

log = logging.getLogger(__name__)

PAGE_CALLBACK = "pg:"
STORED_CALLBACK = "pg#"
CONFIRM_CALLBACK = "cf:"
CANCEL_CALLBACK = "cx:"
CHOICE_CALLBACK = "pk:"  # faster entry: the product picked for an ambiguous name or pinyin
# Buttons under pushed alerts: al:snz:<code> (忽略 7 天), al:po:<code>:<qty> (生成采购单),
# al:stm:<partner id> (发送对账单).
ALERT_CALLBACK = "al:"
SNOOZE_DAYS = 7
MAX_CALLBACK_BYTES = 64  # Telegram's limit for callback_data
STORED_CALLBACKS = 2000  # page commands too long for callback_data, newest kept
MAX_ORDER_BUTTONS = 8  # 补货建议: one 「生成采购单」 per supplier, at most this many

KIND_LABELS = {
    MovementKind.OPENING: "期初",
    MovementKind.RECEIPT: "入库",
    MovementKind.ISSUE: "出库",
    MovementKind.REVERSAL: "冲销",
    MovementKind.TRANSFER_OUT: "调出",
    MovementKind.TRANSFER_IN: "调入",
    MovementKind.SCRAP: "报损",
    MovementKind.STOCKTAKE_GAIN: "盘盈",
    MovementKind.STOCKTAKE_LOSS: "盘亏",
    MovementKind.COST_ADJUSTMENT: "成本调整",
    MovementKind.PURCHASE_RETURN: "采购退货",
    MovementKind.SALES_RETURN: "销售退货",
}
# Who the console is: the local operator, owner of the workspace it opens.
CONSOLE_USER_ID = 0


@dataclass(frozen=True, slots=True)
class Incoming:
    """A message as every transport sees it.

    Attributes:
        chat_type: "private", "group", "supergroup" or "console".
        addressed: the message replies to the bot or mentions it (groups only).
        update_id: the Telegram update it came in (None on the console): the key that makes
            a redelivered update take effect only once.
        edited: the sender edited an earlier message (never executed again).
    """

    text: str
    user_id: int
    user_name: str
    chat_id: int
    chat_type: str = "private"
    addressed: bool = False
    username: str = ""
    update_id: int | None = None
    edited: bool = False

    @property
    def in_group(self) -> bool:
        return self.chat_type in ("group", "supergroup")

    @property
    def private(self) -> bool:
        return self.chat_type in ("private", "console")


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button; ``command`` is the text that does the same where buttons cannot exist."""

    text: str
    data: str
    command: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    """Telegram-HTML text plus optional rows of inline buttons, or a file with a caption.

    ``private`` is the full version for the requester's private chat when the group reply
    left out figures the group may not see.
    """

    html: str
    buttons: list[list[Button]] = field(default_factory=list)
    private: Reply | None = None
    alert: bool = False  # answer a button press with a pop-up, leaving the message alone
    document: tuple[str, bytes] | None = None  # (file name, content) sent as a file, html its caption
    attachment: Attachment | None = None  # a chart or spreadsheet; ``html`` is then its caption


class RateLimiter:
    """At most ``limit`` commands per user in any ``window`` seconds (a sliding window).

    Kept in process memory: it protects the bot and the database from a runaway sender;
    several replicas each apply it, which only loosens it by their number.
    """

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}
        self._lock = threading.Lock()

    def check(self, user_id: int, now: float) -> tuple[bool, int, bool]:
        # ``now`` in seconds from the dispatcher's clock, so tests can move time.
        """(allowed, seconds to wait, whether to tell the user) — they are told once per burst."""
        with self._lock:
            hits = self._hits.setdefault(user_id, deque())
            while hits and now - hits[0] >= self.window:
                hits.popleft()
            if len(hits) < self.limit:
                hits.append(now)
                self._warned.pop(user_id, None)
                return True, 0, False
            wait = max(1, math.ceil(self.window - (now - hits[0])))
            first = user_id not in self._warned
            self._warned[user_id] = now
            if len(self._hits) > 10_000:  # forget idle senders so memory stays bounded
                for idle in [u for u, h in self._hits.items() if not h or now - h[-1] >= self.window]:
                    self._hits.pop(idle, None)
            return False, wait, first


@dataclass(frozen=True, slots=True)
class SensitiveView:
    """May this chat see cost figures (``here``), may the requester see them at all, and the
    same for personal data such as phone numbers."""

    here: bool
    requester: bool
    contacts_here: bool = False
    contacts_requester: bool = False


UowFactory = Callable[..., UnitOfWork]


class Dispatcher:
    # Set by the composition root: what the alert jobs need (bot/alert_jobs.AlertBackend), and
    # the open payables/receivables once the documents exist (the payment alert rules read them).
    alert_backend: object | None = None
    open_items: Callable[[UnitOfWork], OpenItems] | None = None

    def __init__(
        self,
        uow_factory: UowFactory,
        directory: Directory,
        clock: Clock,
        tz: ZoneInfo,
        *,
        console_workspace_id: int,
        timezone_name: str = "Asia/Shanghai",
        rate_limit: RateLimiter | None = None,
        backups: BackupStore | None = None,
        operator_ids: frozenset[int] = frozenset(),
    ) -> None:
        self._uow_factory = uow_factory
        self._directory = directory
        self._clock = clock
        self._tz = tz
        self._timezone_name = timezone_name
        self._console_workspace_id = console_workspace_id
        self._rate_limit = rate_limit
        self.backups = backups
        self._operator_ids = operator_ids
        self.renderer = Renderer(tz)
        self._stored_callbacks: OrderedDict[str, str] = OrderedDict()
        self._callback_lock = threading.Lock()
        # Product-choice buttons: key → (workspace, user, query, code, command text), kept like
        # the page commands above (the picks themselves are remembered in the database).
        self._choice_buttons: OrderedDict[str, tuple[int, int, str, str, str]] = OrderedDict()

    # ---- entry points ----------------------------------------------------------------

    def handle(self, incoming: Incoming, *, pressed: bool = False) -> Reply | None:
        """Answer one message; None means stay silent (group chatter). ``pressed``: the text of
        an inline button, whose refusal is a pop-up for the presser (see ``execute``)."""
        if incoming.in_group and not incoming.addressed and not parsing.looks_like_command(incoming.text):
            return None
        if incoming.edited:
            # Executing an edit would book the same thing twice, or a different thing silently.
            return Reply(self.renderer.render("errors/edited.html"))
        now = self._clock.now()
        if self._rate_limit is not None and incoming.chat_type != "console":
            allowed, wait, tell = self._rate_limit.check(incoming.user_id, now.timestamp())
            if not allowed:
                # Told once per burst; after that, silence rather than a flood of refusals.
                return Reply(self.renderer.render("errors/rate_limited.html", seconds=wait)) if tell else None
        try:
            command = parsing.parse(incoming.text, now.astimezone(self._tz).date())
        except parsing.ParseError as error:
            if error.not_a_command and not incoming.in_group:
                return Reply(self.renderer.render("errors/not_a_command.html"))
            return Reply(self.renderer.render("errors/parse_error.html", reason=error.reason, usage=error.usage))
        return self.execute(command, incoming, now, pressed=pressed)

    def handle_file(self, incoming: Incoming, data: bytes, filename: str, *, max_bytes: int) -> Reply | None:
        """A document: with the caption 导入 … its sheet is imported; any other caption is
        answered as if typed."""
        if incoming.in_group and not incoming.addressed and not parsing.looks_like_command(incoming.text):
            return None
        now = self._clock.now()
        try:
            command = parsing.parse(incoming.text, now.astimezone(self._tz).date())
        except parsing.ParseError:
            command = None
        if not isinstance(command, c.ImportFile):
            return self.handle(incoming)
        if self._rate_limit is not None and incoming.chat_type != "console":
            allowed, wait, tell = self._rate_limit.check(incoming.user_id, now.timestamp())
            if not allowed:
                return Reply(self.renderer.render("errors/rate_limited.html", seconds=wait)) if tell else None
        try:
            rows = spreadsheet.read_rows(data, filename, max_bytes)
        except spreadsheet.SpreadsheetRefused as refused:
            error = ImportRefused(refused.reason)
            return Reply(self.renderer.render(template_for(error), error=error))
        return self.execute(replace(command, rows=tuple(rows)), incoming, now)

    def handle_photo(self, incoming: Incoming, data: bytes) -> Reply | None:
        """A photo of a barcode or QR code: without a caption, which product it is and its
        stock; with one (``入库 50``), the command for that product."""
        caption = incoming.text.strip()
        if incoming.in_group and not incoming.addressed and not (caption and parsing.looks_like_command(caption)):
            return None
        codes = barcode.read_codes(data)
        if not codes:
            return Reply(self.renderer.render("errors/no_barcode.html"))
        scanned = codes[0].split()[0][:32]
        if not caption:
            return self.handle(replace(incoming, text=f"库存 {scanned}", addressed=True))
        try:
            found = parsing.split_verb(parsing.normalise(caption))
        except parsing.ParseError:
            found = None
        if found is None:
            return self.handle(incoming)  # the caption's own refusal
        verb, rest = found
        return self.handle(replace(incoming, text=f"{verb.name} {scanned} {rest}".strip(), addressed=True))

    def handle_button(self, incoming: Incoming, data: str) -> Reply | None:
        """Answer an inline-button press; the reply replaces the pressed message, except a
        refusal (``alert``), which only the presser sees."""
        if data.startswith((PAGE_CALLBACK, STORED_CALLBACK)) and incoming.chat_type != "console":
            access = self._access(incoming)
            if access.member is None:
                # Someone else's list in a group stays as it is for everyone else.
                return self._alert(ChatNotBound() if access.workspace_id is None and incoming.in_group else NotAMember())
        if data.startswith(PAGE_CALLBACK):
            return self.handle(replace(incoming, text=data[len(PAGE_CALLBACK) :], addressed=True), pressed=True)
        if data.startswith(STORED_CALLBACK):
            with self._callback_lock:
                text = self._stored_callbacks.get(data)
            if text is None:
                return Reply(self.renderer.render("errors/button_expired.html"), alert=True)
            return self.handle(replace(incoming, text=text, addressed=True), pressed=True)
        if data.startswith((CONFIRM_CALLBACK, CANCEL_CALLBACK)):
            return self._answer_confirmation(incoming, data)
        if data.startswith(CHOICE_CALLBACK):
            return self._answer_choice(incoming, data)
        if data.startswith(ALERT_CALLBACK):
            return self._alert_button(incoming, data)
        log.warning("unknown button data %r", data)
        return None

    # ---- access ------------------------------------------------------------------------

    def _access(self, incoming: Incoming) -> ChatAccess:
        if incoming.chat_type == "console":
            member = Member(CONSOLE_USER_ID, incoming.user_name, Role.OWNER)
            name = self._directory.workspace_name(self._console_workspace_id) or ""
            return ChatAccess(self._console_workspace_id, name, member, show_sensitive=True, bound=True)
        return self._directory.resolve(incoming.chat_id, incoming.user_id, incoming.private, incoming.update_id)

    def _context(self, incoming: Incoming, now: datetime, member: Member | None) -> services.Context:
        role = member.role if member is not None else Role.VIEWER
        warehouses = member.warehouse_ids if member is not None else None
        actor = services.Actor(
            incoming.user_id, incoming.user_name, incoming.chat_id, role, warehouses, incoming.username
        )
        return services.Context(actor, now, self._tz, incoming.text)

    def _uow(self, workspace_id: int, incoming: Incoming | None = None, confirmation: str | None = None) -> UnitOfWork:
        """A unit of work; given the incoming message, its commit records the update id (and
        uses up the confirmation button that ran it)."""
        keys: dict[str, object] = {}
        if incoming is not None and incoming.update_id is not None:
            keys["update_id"], keys["chat_id"] = incoming.update_id, incoming.chat_id
        if confirmation is not None:
            keys["confirmation"] = confirmation
        return self._uow_factory(workspace_id, **keys)

    def _seen(self, uow: UnitOfWork, incoming: Incoming) -> None:
        if incoming.update_id is not None and uow.update_seen(incoming.update_id):
            raise AlreadyProcessed(incoming.update_id)

    # ---- routing ---------------------------------------------------------------------

    def execute(
        self, command: c.Command, incoming: Incoming, now: datetime, confirmation: str | None = None, *, pressed: bool = False
    ) -> Reply:
        access = self._access(incoming)
        context = self._context(incoming, now, access.member)
        try:
            if type(command) in OPEN_COMMANDS:
                return self._open_command(command, incoming, context, access)
            if access.workspace_id is None:
                raise ChatNotBound() if incoming.in_group else NotAMember()
            member = access.member
            if member is None:
                log.info("refused non-member %s in chat %s", incoming.user_id, incoming.chat_id)
                raise NotAMember()
            if incoming.chat_type != "console" and (member.name, member.username) != (
                incoming.user_name[:64],
                incoming.username[:64],
            ):
                # People rename themselves; 成员 and @name lookups follow the current names.
                workspaces.touch_member(self._uow(access.workspace_id), member, incoming.user_name, incoming.username)
            permission = required_permission(command)
            if permission is not None and not member.can(permission):
                raise NotPermitted(member.role, permission, roles_with(permission))
            if access.update_seen:  # redelivered: it already took effect (its commit would refuse too)
                raise AlreadyProcessed(incoming.update_id or 0)
            uow = self._uow(access.workspace_id, incoming, confirmation)
            return self._route(command, uow, context, incoming, access)
        except NeedsConfirmation as question:
            return self._ask(question, incoming, context, access)
        except AmbiguousProduct as question:
            chosen = None
            if access.workspace_id is not None and hasattr(command, "code"):
                chosen = lookup.remembered_pick(self._uow(access.workspace_id), context, question)
            if chosen is not None:  # picked before by this user: no question this time
                return self.execute(replace(command, code=chosen), incoming, now, confirmation)  # type: ignore[type-var]
            return self._choose(question, command, incoming, access)
        except ConfirmationExpired as error:
            # The other of two presses booked first: a pop-up; the success reply stays.
            return self._alert(error)
        except DomainError as error:
            if pressed:
                # A next-step button refused (审核 pressed by a buyer, 全部发货 short of stock): a
                # pop-up for the presser; the document and its buttons stay for everyone.
                return self._alert(error)
            return Reply(self.renderer.render(template_for(error), error=error))

    def _open_command(
        self, command: c.Command, incoming: Incoming, context: services.Context, access: ChatAccess
    ) -> Reply:
        """Commands anyone may send: they reveal nothing about a workspace one is not in."""
        match command:
            case c.ShowHelp(topic=None):
                verbs = [v for v in parsing.VERBS if v.available]
                return Reply(self.renderer.render("help/index.html", verbs=verbs))
            case c.ShowHelp(topic=topic):
                verb = parsing.VERBS_BY_NAME[topic]
                return Reply(self.renderer.render("help/topic.html", verb=verb))
            case c.NotYetAvailable(verb=name):
                return Reply(self.renderer.render("errors/not_yet_available.html", verb=parsing.VERBS_BY_NAME[name]))
            case c.CreateWorkspace():
                if not incoming.private or incoming.chat_type == "console":
                    raise PrivateChatOnly("新建账套", console=incoming.chat_type == "console")
                result = workspaces.create_workspace(
                    self._directory, context, command, self._timezone_name, incoming.update_id
                )
                return self._reply("workspace/created.html", result)
            case c.JoinWorkspace():
                if not incoming.private or incoming.chat_type == "console":
                    raise PrivateChatOnly("加入", console=incoming.chat_type == "console")
                workspace_id = invitation_workspace(command.code)
                if workspace_id is None or self._directory.workspace_name(workspace_id) is None:
                    raise InvalidInvitation()
                uow = self._uow(workspace_id, incoming)
                self._seen(uow, incoming)
                return self._reply("workspace/joined.html", workspaces.join_workspace(uow, context, command))
            case c.BindChat():
                if incoming.chat_type == "console":
                    raise PrivateChatOnly("绑定", console=True)
                if self._directory.workspace_name(command.workspace_id) is None:
                    raise NotAMember()  # the same answer as for a workspace one is not in
                uow = self._uow(command.workspace_id, incoming)
                self._seen(uow, incoming)
                result = workspaces.bind_chat(uow, context, command, incoming.private)
                return self._reply("workspace/bound.html", result)
            case c.SendBackup():
                return self._send_backup(incoming)
        raise TypeError(f"no route for {command!r}")

    def _route(
        self, command: c.Command, uow: UnitOfWork, context: services.Context, incoming: Incoming, access: ChatAccess
    ) -> Reply:
        show = self._sensitive_view(incoming, access)
        match command:
            case c.AddProduct():
                return self._reply("product/added.html", services.add_product(uow, context, command), show=show)
            case c.ChangeProduct():
                return self._reply("product/changed.html", services.change_product(uow, context, command), show=show)
            case c.SetProductActive():
                return self._reply("product/active.html", services.set_product_active(uow, context, command))
            case c.FindProducts():
                result = services.find_products(uow, context, command)
                if isinstance(result, services.ProductCard):
                    return self._reply("product/card.html", result, show=show)
                return self._paged("product/list.html", result, command)
            case c.ReceiveStock():
                return self._reply("stock/received.html", services.receive_stock(uow, context, command), show=show)
            case c.IssueStock():
                return self._reply("stock/issued.html", services.issue_stock(uow, context, command), show=show)
            case c.ShowStock():
                result = services.show_stock(uow, context, command)
                if isinstance(result, services.StockCard):
                    return self._reply("stock/card.html", result, show=show)
                return self._paged("stock/overview.html", result, command, show=show)
            case c.ShowLedger():
                result = services.show_ledger(uow, context, command)
                return self._paged("stock/ledger.html", result, command, show=show, kind_labels=KIND_LABELS)
            case c.TransferStock():
                return self._reply("stock/transferred.html", services.transfer_stock(uow, context, command), show=show)
            case c.ScrapStock():
                return self._reply("stock/scrapped.html", services.scrap_stock(uow, context, command), show=show)
            case c.StartStocktake():
                return self._reply("stocktake/started.html", stocktake.start_stocktake(uow, context, command))
            case c.CountStock():
                return self._reply("stocktake/counted.html", stocktake.count_stock(uow, context, command))
            case c.ShowStocktake():
                result = stocktake.show_stocktake(uow, context, command)
                return self._paged("stocktake/variance.html", result, command, show=show)
            case c.ConfirmStocktake():
                result = stocktake.confirm_stocktake(uow, context, command)
                return self._reply("stocktake/confirmed.html", result, show=show)
            case c.CancelStocktake():
                return self._reply("stocktake/cancelled.html", stocktake.cancel_stocktake(uow, context, command))
            case c.SetNegativeStock():
                return self._reply("stock/negative_setting.html", services.set_negative_stock(uow, context, command))
            case c.SetStockLevels():
                return self._reply("product/levels_set.html", thresholds.set_stock_levels(uow, context, command))
            case c.SetValuationMethod():
                return self._reply("stock/valuation_setting.html", services.set_valuation_method(uow, context, command))
            case c.AddPartner():
                return self._reply("partner/added.html", partner_services.add_partner(uow, context, command), show=show)
            case c.ChangePartner():
                result = partner_services.change_partner(uow, context, command)
                return self._reply("partner/changed.html", result, show=show)
            case c.FindPartners():
                result = partner_services.find_partners(uow, context, command)
                if isinstance(result, partner_services.PartnerCard):
                    return self._reply("partner/card.html", result, show=show)
                return self._paged("partner/list.html", result, command)
            case c.CreatePurchaseOrder():
                result = document_services.create_purchase_order(uow, context, command)
                return self._order_reply("document/order_created.html", result.order, result, show)
            case c.CreateSalesOrder():
                result = document_services.create_sales_order(uow, context, command)
                return self._order_reply("document/order_created.html", result.order, result, show)
            case c.ShowOrders():
                result = document_services.show_orders(uow, context, command)
                if isinstance(result, document_services.OrderView):
                    return self._order_reply("document/order.html", result.order, result, show)
                return self._paged("document/orders.html", result, command, show=show)
            case c.ApproveOrder():
                result = document_services.approve_order(uow, context, command)
                return self._order_reply("document/order_changed.html", result.order, result, show)
            case c.CloseOrder():
                result = document_services.close_order(uow, context, command)
                return self._reply("document/order_changed.html", result, show=show)
            case c.ReceiveOrder():
                result = document_services.receive_order(uow, context, command)
                return self._order_reply("document/received.html", result.order, result, show)
            case c.ShipOrder():
                result = document_services.ship_order(uow, context, command)
                return self._order_reply("document/shipped.html", result.order, result, show)
            case c.ReturnGoods():
                return self._reply("document/returned.html", document_services.return_goods(uow, context, command), show=show)
            case c.RecordPayment():
                return self._reply("document/paid.html", document_services.pay(uow, context, command), show=show)
            case c.ShowOpenItems():
                result = document_services.show_open_items(uow, context, command)
                return self._paged("document/open_items.html", result, command, show=show)
            case c.ShowStatement():
                return self._reply("document/statement.html", document_services.show_statement(uow, context, command), show=show)
            case c.SetTaxRate():
                return self._reply("document/tax_rate.html", document_services.set_tax_rate(uow, context, command))
            case c.RecordCashEntry():
                return self._reply("document/cash.html", document_services.record_cash(uow, context, command))
            case c.AnalyseAbc():
                return self._reply("analysis/abc.html", analysis.abc_analysis(uow, context, command))
            case c.SuggestReplenishment():
                report = analysis.replenishment(uow, context, command)
                reply = self._reply("analysis/replenishment.html", report)
                return Reply(reply.html, self._order_buttons(report), reply.private)
            case c.ListWarehouses():
                return self._reply("stock/warehouses.html", services.list_warehouses(uow, context, command))
            case c.AddWarehouse():
                return self._reply("stock/warehouse_added.html", services.add_warehouse(uow, context, command))
            case c.UnbindChat():
                if not incoming.in_group:
                    raise PrivateChatOnly("解绑", group=True, console=incoming.chat_type == "console")
                return self._reply("workspace/unbound.html", workspaces.unbind_chat(uow, context, command))
            case c.SetChatVisibility():
                if not incoming.in_group:
                    raise PrivateChatOnly("设置 本群", group=True, console=incoming.chat_type == "console")
                return self._reply("workspace/visibility.html", workspaces.set_chat_visibility(uow, context, command))
            case c.Invite():
                return self._reply("workspace/invited.html", workspaces.invite(uow, context, command))
            case c.ListMembers():
                result = workspaces.list_members(uow, context, command)
                return self._paged(
                    "workspace/members.html", result, command, workspace_id=access.workspace_id,
                    workspace_name=access.workspace_name,
                )
            case c.SetMemberRole():
                return self._reply("workspace/member_changed.html", workspaces.set_member_role(uow, context, command))
            case c.RemoveMember():
                return self._reply("workspace/member_removed.html", workspaces.remove_member(uow, context, command))
            case c.LimitMemberWarehouses():
                result = workspaces.limit_member_warehouses(uow, context, command)
                return self._reply("workspace/member_changed.html", result)
            case c.ShowAudit():
                result = history.show_audit(uow, context, command)
                return self._paged("history/audit.html", result, command, show=show)
            case c.Undo():
                return self._reply("history/undone.html", history.undo(uow, context, command), show=show, kind_labels=KIND_LABELS)
            # ---- faster entry ----
            case c.RunBatch():
                return self._batch(command, uow, context, access, show)
            case c.ImportFile(rows=()):
                return Reply(self.renderer.render("import/send_file.html", kind=command.kind))
            case c.ImportFile():
                return self._import(command, uow, context, access)
            # ---- reports ----
            case c.ShowReport():
                result = reports.show_report(uow, context, command)
                if isinstance(result, reports.ReportOverview):
                    return self._reply("report/overview.html", result, show=show)
                return self._paged("report/section.html", result, command, show=show)
            case c.RankSales():
                return self._reply("report/ranking.html", reports.rank_sales(uow, context, command), show=show)
            case c.ShowUnsold():
                return self._paged("report/unsold.html", reports.show_unsold(uow, context, command), command, show=show)
            case c.ShowTurnover():
                return self._paged("report/turnover.html", reports.show_turnover(uow, context, command), command, show=show)
            case c.DrawChart():
                # A file goes to the chat as it may be seen there; cost only where it may show.
                hidden = show.requester and not show.here
                made = report_replies.chart(self.renderer, uow, context, command, show_cost=show.here, cost_hidden=hidden)
                return Reply(made.caption, attachment=made.attachment)
            case c.ExportReport():
                hidden = show.requester and not show.here
                made = report_replies.export(
                    self.renderer, uow, context, command, show_cost=show.here, cost_hidden=hidden, kind_labels=KIND_LABELS
                )
                return Reply(made.caption, attachment=made.attachment)
            # ---- alerts ----
            case c.Subscribe():
                if incoming.chat_type == "console":
                    raise PrivateChatOnly("订阅", console=True)
                result = alert_services.subscribe(uow, context, command, private=incoming.private)
                return self._reply("alert/subscriptions.html", result)
            case c.Unsubscribe():
                return self._reply("alert/subscriptions.html", alert_services.unsubscribe(uow, context, command))
            case c.ListSubscriptions():
                return self._reply("alert/subscriptions.html", alert_services.list_subscriptions(uow, context, command))
            case c.ShowAlerts():
                result = alert_services.show_alerts(uow, context, command, self.open_items)
                return self._reply("alert/active.html", result, show=show)
            case c.CheckAlerts():
                result = alert_services.check_alerts(uow, context, command, self.open_items)
                return self._reply("alert/checked.html", result, show=show)
            case c.SnoozeAlert():
                return self._reply("alert/snoozed.html", alert_services.snooze_alert(uow, context, command))
            case c.SetAlertSettings():
                return self._reply("alert/settings.html", alert_services.set_alert_settings(uow, context, command))
        raise TypeError(f"no route for {command!r}")

    # ---- operations ------------------------------------------------------------------

    def _send_backup(self, incoming: Incoming) -> Reply:
        """The newest backup file (one is made now if there is none yet), for an operator in
        the private chat only: it holds every workspace's books."""
        if incoming.chat_type == "console" or not incoming.private:
            raise PrivateChatOnly("备份", console=incoming.chat_type == "console")
        if incoming.user_id not in self._operator_ids:
            raise BackupNotAllowed()
        if self.backups is None:
            raise BackupUnavailable("这台机器人没有配置备份目录")
        path = self.backups.latest()
        if path is None:
            try:
                path = self.backups.take(self._clock.now())
            except Exception as error:  # noqa: BLE001 - told to the operator (only they get here), logged in full
                log.exception("backup for 备份 failed")
                raise BackupUnavailable(f"备份失败（{str(error)[:120] or type(error).__name__}）") from error
        size = path.stat().st_size
        if size > MAX_SEND_BYTES:
            raise BackupUnavailable(f"文件 {size // (1024 * 1024)} MB，超过 Telegram 的 50 MB 上限")
        taken_at = datetime.fromtimestamp(path.stat().st_mtime, self._tz).strftime("%Y-%m-%d %H:%M")
        caption = self.renderer.render("backup/sent.html", name=path.name, size_kb=size / 1024, taken_at=taken_at)
        return Reply(caption, document=(path.name, path.read_bytes()))
    # ---- faster entry: choosing a product -----------------------------------------------

    def _choose(self, question: AmbiguousProduct, command: c.Command, incoming: Incoming, access: ChatAccess) -> Reply:
        """Several products match: one button each; pressing one runs the command with it."""
        text = self.renderer.render(template_for(question), error=question)
        if not hasattr(command, "code") or access.workspace_id is None:
            return Reply(text)
        rows = []
        with self._callback_lock:
            for hint in question.candidates:
                key = uuid.uuid4().hex[:16]
                chosen = parsing.to_text(replace(command, code=hint.code))  # type: ignore[type-var]
                self._choice_buttons[key] = (access.workspace_id, incoming.user_id, question.query, hint.code, chosen)
                rows.append([Button(f"{hint.code} {hint.name}"[:40], CHOICE_CALLBACK + key, chosen)])
            while len(self._choice_buttons) > STORED_CALLBACKS:
                self._choice_buttons.popitem(last=False)
        return Reply(text, rows)

    def _answer_choice(self, incoming: Incoming, data: str) -> Reply | None:
        with self._callback_lock:
            found = self._choice_buttons.get(data[len(CHOICE_CALLBACK) :])
        if found is None:
            return Reply(self.renderer.render("errors/button_expired.html"), alert=True)
        workspace_id, user_id, query, code, text = found
        if user_id != incoming.user_id:
            return self._alert(ConfirmationExpired(foreign=True))
        now = self._clock.now()
        access = self._access(incoming)
        if access.workspace_id != workspace_id or access.member is None:
            return self._alert(ConfirmationExpired())
        context = self._context(incoming, now, access.member)
        # Its own transaction (not the button's update): the pick stands even if the booking is refused.
        lookup.remember_pick(self._uow(workspace_id), context, query, code)
        return self.handle(replace(incoming, text=text, addressed=True))

    # ---- faster entry: import ----------------------------------------------------------

    def _import(self, command: c.ImportFile, uow: UnitOfWork, context: services.Context, access: ChatAccess) -> Reply:
        """Import a sheet, or report its bad rows and offer 导入有效行 for the good ones."""
        assert access.workspace_id is not None
        report = imports.import_rows(uow, context, command)
        minutes = int(history.CONFIRMATION_LIFETIME.total_seconds() // 60)
        html_text = self.renderer.render("import/report.html", result=report, minutes=minutes, ask=False)
        if report.written or not report.rejected or not (report.added or report.changed):
            return Reply(html_text)
        pending = history.ask_confirmation(self._uow(access.workspace_id), context, parsing.to_text(command))
        imports.save_job(self._uow(access.workspace_id), context, pending.token, command)
        html_text = self.renderer.render("import/report.html", result=report, minutes=minutes, ask=True)
        to_write = len(report.added) + len(report.changed)
        buttons = [[Button(f"📥 导入有效行（{to_write}）", CONFIRM_CALLBACK + pending.token), Button("✖ 取消", CANCEL_CALLBACK + pending.token)]]
        return Reply(html_text, buttons)

    # ---- faster entry: batches ---------------------------------------------------------

    def _error_text(self, error: DomainError) -> str:
        """A refusal as one plain line, for a list of several (a batch's lines)."""
        return " ".join(to_plain(self.renderer.render(template_for(error), error=error)).removeprefix("❌").split())

    def _batch(
        self, command: c.RunBatch, uow: UnitOfWork, context: services.Context, access: ChatAccess, show: SensitiveView
    ) -> Reply:
        """Preview a batch (with 确认 when every line can be booked), or book a confirmed one."""
        assert access.workspace_id is not None
        if command.confirmed:
            try:
                booked = batch.book_batch(uow, context, command)
            except BatchLineFailed as failed:
                reason = self._error_text(failed.error)
                return Reply(self.renderer.render(template_for(failed), error=failed, reason=reason))
            return self._reply("batch/booked.html", booked, show=show)
        preview = batch.preview_batch(uow, context, command)
        errors = {o.line.number: self._error_text(o.error) for o in preview.outcomes if o.error is not None}
        minutes = int(history.CONFIRMATION_LIFETIME.total_seconds() // 60)
        usage = next((o.line.usage for o in preview.failed if o.line.usage), parsing.BATCH_USAGE)
        reply = self._reply("batch/preview.html", preview, show=show, errors=errors, minutes=minutes, usage=usage)
        if not preview.ok:
            return reply
        text = parsing.to_text(replace(command, confirmed=True))
        pending = history.ask_confirmation(self._uow(access.workspace_id), context, text)
        buttons = [[Button("✅ 确认", CONFIRM_CALLBACK + pending.token, text), Button("✖ 取消", CANCEL_CALLBACK + pending.token)]]
        return Reply(reply.html, buttons, reply.private)

    # ---- alert buttons -----------------------------------------------------------------

    def _alert_button(self, incoming: Incoming, data: str) -> Reply | None:
        """A button under a pushed alert. 忽略 answers with a pop-up and the alert stays;
        生成采购单 and 发送对账单 run the command they stand for (``采购 @供应商 A001 60``,
        ``对账单 @客户``) with the presser's permissions, like a typed one: its reply replaces
        the alert, a refusal is a pop-up for the presser alone."""
        _, action, *args = data.split(":")
        if action == "po" and len(args) == 2 and not args[1].replace(".", "", 1).isdigit():
            args = []  # not the positive quantity the sender wrote: not our button
        if action == "snz" and len(args) == 1:
            reply = self.handle(replace(incoming, text=f"预警 忽略 {args[0]} {SNOOZE_DAYS}天", addressed=True))
            return None if reply is None else Reply(reply.html, alert=True)
        if action not in ("po", "stm") or len(args) != (2 if action == "po" else 1):
            log.warning("unknown alert button %r", data)
            return None
        access = self._access(incoming)
        member = access.member
        if member is None or access.workspace_id is None:
            return self._alert(ChatNotBound() if access.workspace_id is None and incoming.in_group else NotAMember())
        command: c.Command = (
            c.CreatePurchaseOrder("?", ()) if action == "po" else c.ShowStatement("?")
        )  # only its type matters here: which permission the button needs
        permission = required_permission(command)
        if permission is not None and not member.can(permission):
            return self._alert(NotPermitted(member.role, permission, roles_with(permission)))
        uow = self._uow(access.workspace_id)
        if action == "po":
            code, quantity = args
            supplier = alert_services.usual_supplier(uow, code)
            if supplier is None:
                return Reply(self.renderer.render("alert/no_supplier.html", code=code, quantity=quantity), alert=True)
            text = f"采购 @{supplier} {code} {quantity}"
        else:
            name = alert_services.customer_name(uow, int(args[0])) if args[0].isdigit() else None
            if name is None:
                return Reply(self.renderer.render("alert/no_partner.html"), alert=True)
            text = f"对账单 @{name}"
        return self.handle(replace(incoming, text=text, addressed=True), pressed=True)

    # ---- sensitive figures -----------------------------------------------------------

    def _sensitive_view(self, incoming: Incoming, access: ChatAccess) -> SensitiveView:
        """Cost needs VIEW_COST, phone numbers VIEW_CONTACTS; in a group either shows only when
        the group is marked for sensitive figures (the requester then gets them privately)."""
        member = access.member
        open_here = not incoming.in_group or access.show_sensitive
        cost = member is not None and member.can(Permission.VIEW_COST)
        contacts = member is not None and member.can(Permission.VIEW_CONTACTS)
        return SensitiveView(cost and open_here, cost, contacts and open_here, contacts)

    # ---- confirmations ---------------------------------------------------------------

    def _ask(
        self, question: NeedsConfirmation, incoming: Incoming, context: services.Context, access: ChatAccess
    ) -> Reply:
        assert access.workspace_id is not None
        text = parsing.to_text(question.command)  # type: ignore[arg-type]
        pending = history.ask_confirmation(self._uow(access.workspace_id), context, text)
        buttons = [
            [
                Button("✅ 确认", CONFIRM_CALLBACK + pending.token, text),
                Button("✖ 取消", CANCEL_CALLBACK + pending.token),
            ]
        ]
        show = self._sensitive_view(incoming, access)
        html_text = self.renderer.render(
            "confirm/question.html",
            question=question,
            preview_kind=type(question.preview).__name__,
            command_text=text,
            minutes=int(history.CONFIRMATION_LIFETIME.total_seconds() // 60),
            show_cost=show.here,
            kind_labels=KIND_LABELS,
        )
        return Reply(html_text, buttons)

    def _answer_confirmation(self, incoming: Incoming, data: str) -> Reply | None:
        token = data[len(CONFIRM_CALLBACK) :]
        access = self._access(incoming)
        if access.workspace_id is None or access.member is None:
            return self._alert(ConfirmationExpired())
        now = self._clock.now()
        context = self._context(incoming, now, access.member)
        try:
            if data.startswith(CANCEL_CALLBACK):
                text = history.cancel_confirmation(self._uow(access.workspace_id), context, token)
                return Reply(self.renderer.render("confirm/cancelled.html", command_text=text))
            text = history.confirmation_text(self._uow(access.workspace_id), context, token)
        except DomainError as error:
            return self._alert(error)
        command = parsing.parse(text, now.astimezone(self._tz).date())
        if isinstance(command, c.ImportFile):
            rows = imports.job_rows(self._uow(access.workspace_id), token)
            if rows is None:  # a job outlives its button (a day against five minutes); never trust that
                return self._alert(ConfirmationExpired())
            command = replace(command, rows=rows, valid_only=True)
        reply = self.execute(command, replace(incoming, text=text, addressed=True), now, confirmation=token)
        return reply

    def _alert(self, error: DomainError) -> Reply:
        """A refusal of a button press: shown to the presser alone, the message stays as it is."""
        return Reply(self.renderer.render(template_for(error), error=error), alert=True)

    # ---- replies ---------------------------------------------------------------------

    def _render(
        self, template: str, result: object, show_cost: bool, show_contacts: bool = False, **extra: object
    ) -> str:
        text = self.renderer.render(template, result=result, show_cost=show_cost, show_contacts=show_contacts, **extra)
        if len(to_plain(text)) > MAX_REPLY_LENGTH:
            # Pages are sized to stay far below the limit; should long user text still overflow,
            # send it as plain escaped text, cut where no tag or entity can break.
            text = html.escape(to_plain(text)[: MAX_REPLY_LENGTH - 100]) + "…"
        return text

    def _reply(self, template: str, result: object, show: SensitiveView | None = None, **extra: object) -> Reply:
        if show is None:
            return Reply(self._render(template, result, True, **extra))
        public = self._render(template, result, show.here, show.contacts_here, **extra)
        if (show.here, show.contacts_here) == (show.requester, show.contacts_requester):
            return Reply(public)
        full = self._render(template, result, show.requester, show.contacts_requester, **extra)
        if full == public:
            return Reply(public)
        # The group sees the reply without cost; the requester gets the full one privately.
        note = self.renderer.render("confirm/private_note.html")
        return Reply(public + "\n" + note, private=Reply(full))

    def _order_buttons(self, report: analysis.ReplenishmentReport) -> list[list[Button]]:
        """One 「生成采购单」 button per supplier on file: a draft order of the suggested quantities
        (at the products' purchase prices), created when pressed, with the presser's rights."""
        rows = []
        for supplier, suggestions in report.by_supplier():
            if supplier not in report.registered:
                continue
            lines = tuple(c.LineInput(s.product.code, s.quantity) for s in suggestions[: parsing.MAX_ORDER_LINES])
            rows.append([self._page_button(f"📝 生成采购单 @{supplier}", c.CreatePurchaseOrder(supplier, lines))])
        return rows[:MAX_ORDER_BUTTONS]

    def _order_reply(self, template: str, order: Order, result: object, show: SensitiveView) -> Reply:
        """A document's reply with buttons for its next steps (审核, 到货, 发货, 收款, 关闭)."""
        reply = self._reply(template, result, show=show)
        steps: list[tuple[str, c.Command]] = []
        if not isinstance(result, document_services.OrderView):  # a reply about the order: offer to view it
            steps.append(("查看", c.ShowOrders(order.kind.value, order.number)))
        if order.kind is OrderKind.PURCHASE and order.status is OrderStatus.DRAFT:
            steps.append(("审核", c.ApproveOrder(order.number)))
        if order.is_open:
            if order.kind is OrderKind.PURCHASE:
                steps.append(("全部到货", c.ReceiveOrder(order.number)))
            else:
                steps.append(("全部发货", c.ShipOrder(order.number)))
        if order.kind is OrderKind.SALE and order.lines and any(line.billed for line in order.lines):
            steps.append(("应收", c.ShowOpenItems("应收", order.partner_name)))
        if order.status not in (OrderStatus.DONE, OrderStatus.CLOSED):
            steps.append(("关闭", c.CloseOrder(order.number, order.kind.value)))
        row = [self._page_button(label, command) for label, command in steps]
        return Reply(reply.html, [row] if row else [], reply.private)

    def _page_button(self, label: str, command: c.Command) -> Button:
        text = parsing.to_text(command)
        data = PAGE_CALLBACK + text
        if len(data.encode()) <= MAX_CALLBACK_BYTES:
            return Button(label, data, text)
        # Too long for Telegram's 64 bytes: keep the command here and send a short key.
        with self._callback_lock:
            key = f"{STORED_CALLBACK}{uuid.uuid4().hex[:16]}"
            self._stored_callbacks[key] = text
            while len(self._stored_callbacks) > STORED_CALLBACKS:
                self._stored_callbacks.popitem(last=False)
        return Button(label, key, text)

    def _paged(
        self, template: str, result: object, command: c.Command, show: SensitiveView | None = None, **extra: object
    ) -> Reply:
        reply = self._reply(template, result, show, **extra)
        page, pages = result.page, result.pages  # type: ignore[attr-defined]
        row = []
        if page > 1:
            row.append(self._page_button("◀ 上一页", replace(command, page=page - 1)))
        if page < pages:
            row.append(self._page_button("下一页 ▶", replace(command, page=page + 1)))
        return Reply(reply.html, [row] if row else [], reply.private)
