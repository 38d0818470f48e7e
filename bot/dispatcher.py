"""One dispatcher for every transport (Telegram, console, tests).

text → parse → command → service(uow, context, command) → result → template → Reply.
It is synchronous on purpose: the Telegram adapter runs it in a worker thread so that a
database wait never stalls the event loop, and the console and tests call it directly.
"""

from __future__ import annotations

import html
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import parsing
from bot.errors import template_for
from bot.rendering import MAX_REPLY_LENGTH, Renderer, to_plain
from domain import commands as c
from domain import services
from domain.errors import DomainError
from domain.ports import Clock, UnitOfWork
from domain.stock import MovementKind

log = logging.getLogger(__name__)

PAGE_CALLBACK = "pg:"
STORED_CALLBACK = "pg#"
MAX_CALLBACK_BYTES = 64  # Telegram's limit for callback_data
STORED_CALLBACKS = 2000  # page commands too long for callback_data, newest kept

KIND_LABELS = {
    MovementKind.OPENING: "期初",
    MovementKind.RECEIPT: "入库",
    MovementKind.ISSUE: "出库",
}


@dataclass(frozen=True, slots=True)
class Incoming:
    """A message as every transport sees it.

    Attributes:
        chat_type: "private", "group", "supergroup" or "console".
        addressed: the message replies to the bot or mentions it (groups only).
    """

    text: str
    user_id: int
    user_name: str
    chat_id: int
    chat_type: str = "private"
    addressed: bool = False

    @property
    def in_group(self) -> bool:
        return self.chat_type in ("group", "supergroup")


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button; ``command`` is the text that does the same where buttons cannot exist."""

    text: str
    data: str
    command: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    """Telegram-HTML text plus optional rows of inline buttons."""

    html: str
    buttons: list[list[Button]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Access:
    """Who may use the bot until workspaces and roles exist: the configured owners.

    The console is local: whoever can run it can read the database file anyway.
    """

    owner_ids: frozenset[int]

    def allows(self, incoming: Incoming) -> bool:
        return incoming.chat_type == "console" or incoming.user_id in self.owner_ids


UowFactory = Callable[[int], UnitOfWork]


class Dispatcher:
    def __init__(
        self,
        uow_factory: UowFactory,
        workspace_id: int,
        clock: Clock,
        tz: ZoneInfo,
        access: Access,
    ) -> None:
        self._uow_factory = uow_factory
        self._workspace_id = workspace_id
        self._clock = clock
        self._tz = tz
        self._access = access
        self.renderer = Renderer(tz)
        self._stored_callbacks: OrderedDict[str, str] = OrderedDict()
        self._callback_lock = threading.Lock()

    # ---- entry points ----------------------------------------------------------------

    def handle(self, incoming: Incoming) -> Reply | None:
        """Answer one message; None means stay silent (group chatter)."""
        if incoming.in_group and not incoming.addressed and not parsing.looks_like_command(incoming.text):
            return None
        if not self._access.allows(incoming):
            log.info("refused user %s in chat %s", incoming.user_id, incoming.chat_id)
            return Reply(self.renderer.render("errors/not_authorised.html", user_id=incoming.user_id))
        now = self._clock.now()
        try:
            command = parsing.parse(incoming.text, now.astimezone(self._tz).date())
        except parsing.ParseError as error:
            if error.not_a_command and not incoming.in_group:
                return Reply(self.renderer.render("errors/not_a_command.html"))
            return Reply(self.renderer.render("errors/parse_error.html", reason=error.reason, usage=error.usage))
        return self.execute(command, incoming, now)

    def handle_button(self, incoming: Incoming, data: str) -> Reply | None:
        """Answer an inline-button press; the reply replaces the pressed message."""
        if not self._access.allows(incoming):
            return Reply(self.renderer.render("errors/not_authorised.html", user_id=incoming.user_id))
        if data.startswith(PAGE_CALLBACK):
            return self.handle(replace(incoming, text=data[len(PAGE_CALLBACK) :], addressed=True))
        if data.startswith(STORED_CALLBACK):
            with self._callback_lock:
                text = self._stored_callbacks.get(data)
            if text is None:
                return Reply(self.renderer.render("errors/button_expired.html"))
            return self.handle(replace(incoming, text=text, addressed=True))
        log.warning("unknown button data %r", data)
        return None

    # ---- routing ---------------------------------------------------------------------

    def execute(self, command: c.Command, incoming: Incoming, now: datetime) -> Reply:
        context = services.Context(services.Actor(incoming.user_id, incoming.user_name, incoming.chat_id), now, self._tz)
        uow = self._uow_factory(self._workspace_id)
        try:
            match command:
                case c.ShowHelp(topic=None):
                    verbs = [v for v in parsing.VERBS if v.available]
                    return Reply(self.renderer.render("help/index.html", verbs=verbs))
                case c.ShowHelp(topic=topic):
                    verb = parsing.VERBS_BY_NAME[topic]
                    return Reply(self.renderer.render("help/topic.html", verb=verb))
                case c.NotYetAvailable(verb=name):
                    return Reply(self.renderer.render("errors/not_yet_available.html", verb=parsing.VERBS_BY_NAME[name]))
                case c.AddProduct():
                    return self._reply("product/added.html", services.add_product(uow, context, command))
                case c.ChangeProduct():
                    return self._reply("product/changed.html", services.change_product(uow, context, command))
                case c.SetProductActive():
                    return self._reply("product/active.html", services.set_product_active(uow, context, command))
                case c.FindProducts():
                    result = services.find_products(uow, context, command)
                    if isinstance(result, services.ProductCard):
                        return self._reply("product/card.html", result)
                    return self._paged("product/list.html", result, command)
                case c.ReceiveStock():
                    return self._reply("stock/received.html", services.receive_stock(uow, context, command))
                case c.IssueStock():
                    return self._reply("stock/issued.html", services.issue_stock(uow, context, command))
                case c.ShowStock():
                    result = services.show_stock(uow, context, command)
                    if isinstance(result, services.StockCard):
                        return self._reply("stock/card.html", result)
                    return self._paged("stock/overview.html", result, command)
                case c.ShowLedger():
                    result = services.show_ledger(uow, context, command)
                    return self._paged("stock/ledger.html", result, command, kind_labels=KIND_LABELS)
        except DomainError as error:
            return Reply(self.renderer.render(template_for(error), error=error))
        raise TypeError(f"no route for {command!r}")

    # ---- replies ---------------------------------------------------------------------

    def _reply(self, template: str, result: object, **extra: object) -> Reply:
        text = self.renderer.render(template, result=result, **extra)
        if len(to_plain(text)) > MAX_REPLY_LENGTH:
            # Pages are sized to stay far below the limit; should long user text still overflow,
            # send it as plain escaped text, cut where no tag or entity can break.
            text = html.escape(to_plain(text)[: MAX_REPLY_LENGTH - 100]) + "…"
        return Reply(text)

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

    def _paged(self, template: str, result: object, command: c.Command, **extra: object) -> Reply:
        reply = self._reply(template, result, **extra)
        page, pages = result.page, result.pages  # type: ignore[attr-defined]
        row = []
        if page > 1:
            row.append(self._page_button("◀ 上一页", replace(command, page=page - 1)))
        if page < pages:
            row.append(self._page_button("下一页 ▶", replace(command, page=page + 1)))
        return Reply(reply.html, [row] if row else [])
