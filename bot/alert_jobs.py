"""Scheduled jobs (python-telegram-bot's JobQueue, APScheduler underneath): the alert tick and
housekeeping.

Every tick: for each workspace with subscriptions, run the rules and queue what is new
(``domain.alert_services.evaluate``), then deliver the due outbox rows. Rows are claimed under
a lease, so several bot processes on one database never send the same row; a chat with several
due rows gets them in one combined message. Failures:

* ``RetryAfter`` (429): the rows wait exactly as long as Telegram asks;
* network errors and 5xx: retried with a doubling backoff;
* ``Forbidden`` (bot kicked, user blocked) or "chat not found": the chat's subscriptions end and
  the workspace owners are told privately;
* any other refusal (a malformed message): the rows are given up and logged.

Nothing lives only in memory: a restart finds the pending rows (and rows whose lease ran out)
and sends them. The one window left: a process that dies after Telegram accepted a message and
before it marked the row sent; that row goes again after its lease (at least once, never lost).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes

from bot import charts
from bot.dispatcher import ALERT_CALLBACK, Dispatcher
from bot.rendering import MAX_REPLY_LENGTH, Renderer, to_plain
from bot.settings import Settings
from domain import alert_services, reports
from domain.alerts import DailyDigest, LowStock, OutboxEntry, OverStock, ReceivablesOverdue
from domain.periods import last_days
from domain.services import Actor, Context
from domain.ports import Clock, UnitOfWork

log = logging.getLogger(__name__)

BACKEND_KEY = "alert_backend"
LEASE = timedelta(minutes=2)  # longer than a send with the rate limiter's retries can take
CLAIM_LIMIT = 200
MAX_LINES = 30  # alerts listed in one combined message; the rest are named by count
TREND_DAYS = 7  # the daily digest's sales-trend chart
CAPTION_LENGTH = 1024  # Telegram's limit for a photo's caption
HOUSEKEEPING_INTERVAL = 3600.0


@dataclass
class AlertBackend:
    """What the jobs need from the composition root (``bot/app.py``)."""

    uow_factory: Callable[[int], UnitOfWork]
    workspace_ids: Callable[[], list[int]]
    housekeeping: Callable[[datetime], dict[str, int]]
    clock: Clock
    claimer: str = ""

    def __post_init__(self) -> None:
        if not self.claimer:
            # Identifies this process's leases (host, pid and a nonce against pid reuse).
            self.claimer = f"{socket.gethostname()[:20]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


# ---- rendering -----------------------------------------------------------------------------------


MAX_BUTTON_ROWS = 8  # a combined message keeps the buttons of its first alerts only


def _buttons(entry: OutboxEntry, named: bool = False) -> list[list[InlineKeyboardButton]]:
    """The alert's buttons; ``named`` (in a combined message) adds what each is about."""
    alert = entry.alert
    if isinstance(alert, LowStock):
        suffix = f" {alert.code}" if named else ""
        snooze = InlineKeyboardButton("忽略 7 天" + suffix, callback_data=f"{ALERT_CALLBACK}snz:{alert.code}")
        quantity = format(alert.suggested.normalize(), "f")
        order = InlineKeyboardButton("生成采购单" + suffix, callback_data=f"{ALERT_CALLBACK}po:{alert.code}:{quantity}")
        return [[order, snooze]]
    if isinstance(alert, OverStock):
        suffix = f" {alert.code}" if named else ""
        return [[InlineKeyboardButton("忽略 7 天" + suffix, callback_data=f"{ALERT_CALLBACK}snz:{alert.code}")]]
    if isinstance(alert, ReceivablesOverdue) and alert.partner_id:
        suffix = f" {alert.partner}" if named else ""
        return [[InlineKeyboardButton("发送对账单" + suffix, callback_data=f"{ALERT_CALLBACK}stm:{alert.partner_id}")]]
    return []


def render_message(renderer: Renderer, entries: list[OutboxEntry]) -> tuple[str, InlineKeyboardMarkup | None]:
    """One message for one chat: a single alert with its buttons, or several combined."""
    if len(entries) == 1:
        entry = entries[0]
        text = renderer.render("alert/single.html", alert=entry.alert, show_money=entry.show_money)
        rows = _buttons(entry)
        return text, InlineKeyboardMarkup(rows) if rows else None
    ordered = alert_services.digest_of(entries)
    show_money = all(entry.show_money for entry in ordered)
    shown = MAX_LINES
    while True:
        text = renderer.render(
            "alert/batch.html", alerts=[e.alert for e in ordered[:shown]], total=len(ordered), show_money=show_money
        )
        if len(to_plain(text)) <= MAX_REPLY_LENGTH or shown <= 1:
            rows = [row for entry in ordered[:shown] for row in _buttons(entry, named=True)][:MAX_BUTTON_ROWS]
            return text, InlineKeyboardMarkup(rows) if rows else None
        shown //= 2


def digest_chart(backend: AlertBackend, workspace_id: int, entry: OutboxEntry) -> bytes | None:
    """The daily digest's sales trend over the last 7 days as a PNG (profit only where money
    may be shown); None when it cannot be drawn, and the digest goes as text."""
    alert = entry.alert
    assert isinstance(alert, DailyDigest)
    uow = backend.uow_factory(workspace_id)
    try:
        with uow:
            tz = uow.alerts.settings().tz
        # The digest covers the whole workspace: every warehouse, as its owner sees it.
        ctx = Context(Actor(0, "日报", entry.chat_id), backend.clock.now(), tz)
        lines = reports.sales_trend(uow, ctx, last_days(alert.day, TREND_DAYS))
        return charts.sales_trend(lines, f"销售趋势 · 近{TREND_DAYS}天", show_profit=entry.show_money)
    except Exception:  # noqa: BLE001 - a chart that fails (no CJK font) must not hold the digest back
        log.exception("digest chart for chat %s not drawn", entry.chat_id)
        return None


# ---- the jobs --------------------------------------------------------------------------------------


def evaluate_all(backend: AlertBackend, now: datetime, open_items=None) -> int:  # type: ignore[no-untyped-def]
    """Run the rules for every workspace that has subscriptions; returns rows queued."""
    queued = 0
    for workspace_id in backend.workspace_ids():
        uow = backend.uow_factory(workspace_id)
        try:
            with uow:
                subscribed = bool(uow.alerts.subscriptions())
            if subscribed:
                queued += alert_services.evaluate(uow, now, open_items).queued
        except Exception:  # noqa: BLE001 - one workspace's failure must not stop the others
            # (Two processes raising the same condition at once: the loser's transaction
            # fails on the condition's key and the winner's rows stand.)
            log.exception("alert evaluation failed for workspace %s", workspace_id)
    return queued


def _seconds(error: RetryAfter) -> timedelta:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 warns about int time periods on access
        value = error.retry_after
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))


def _gone(error: TelegramError) -> bool:
    """The chat cannot be reached any more: kicked, blocked, deleted, or never existed."""
    if isinstance(error, (Forbidden, ChatMigrated)):
        return True
    return isinstance(error, BadRequest) and "chat not found" in str(error).lower()


async def deliver(bot, backend: AlertBackend, renderer: Renderer, workspace_id: int, chat_id: int, entries: list[OutboxEntry]) -> str:  # type: ignore[no-untyped-def]
    """Send one chat's claimed rows as one message and record the outcome; returns it."""
    uow = backend.uow_factory(workspace_id)
    ids = [entry.id for entry in entries]
    claimer = backend.claimer
    text, markup = render_message(renderer, entries)
    photo = None
    if len(entries) == 1 and isinstance(entries[0].alert, DailyDigest) and len(to_plain(text)) <= CAPTION_LENGTH:
        photo = await asyncio.to_thread(digest_chart, backend, workspace_id, entries[0])
    try:
        if photo is not None:
            await bot.send_photo(chat_id, InputFile(photo, filename="日报_销售趋势.png"), caption=text, reply_markup=markup)
        else:
            await bot.send_message(chat_id, text, reply_markup=markup)
    except RetryAfter as error:
        wait = _seconds(error)
        log.info("alerts for chat %s: flood control, retrying in %s", chat_id, wait)
        await asyncio.to_thread(alert_services.retry, uow, entries, claimer, backend.clock.now(), str(error), wait)
        return "retry_after"
    except TelegramError as error:
        if _gone(error):
            log.warning("chat %s is gone (%s): ending its alert subscriptions", chat_id, error)
            await asyncio.to_thread(alert_services.chat_gone, uow, chat_id, ids, claimer, backend.clock.now(), str(error))
            return "gone"
        if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
            log.info("alerts for chat %s: %s, backing off", chat_id, error)
            await asyncio.to_thread(alert_services.retry, uow, entries, claimer, backend.clock.now(), str(error))
            return "backoff"
        log.error("alerts for chat %s refused: %s", chat_id, error)
        await asyncio.to_thread(alert_services.undeliverable, uow, ids, claimer, str(error))
        return "failed"
    await asyncio.to_thread(alert_services.delivered, uow, ids, claimer, backend.clock.now())
    return "sent"


async def send_pending(bot, backend: AlertBackend, renderer: Renderer) -> int:  # type: ignore[no-untyped-def]
    """Claim and deliver every due row of every workspace; returns the messages sent."""
    sent = 0
    for workspace_id in await asyncio.to_thread(backend.workspace_ids):
        now = backend.clock.now()
        uow = backend.uow_factory(workspace_id)
        entries = await asyncio.to_thread(alert_services.claim, uow, now, backend.claimer, LEASE, CLAIM_LIMIT)
        by_chat: dict[int, list[OutboxEntry]] = {}
        for entry in entries:
            by_chat.setdefault(entry.chat_id, []).append(entry)
        for chat_id, group in by_chat.items():
            if await deliver(bot, backend, renderer, workspace_id, chat_id, group) == "sent":
                sent += 1
    return sent


async def alert_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Evaluate the rules, then send what is due."""
    backend: AlertBackend = context.bot_data[BACKEND_KEY]
    dispatcher: Dispatcher = context.bot_data["dispatcher"]
    now = backend.clock.now()
    await asyncio.to_thread(evaluate_all, backend, now, dispatcher.open_items)
    await send_pending(context.bot, backend, dispatcher.renderer)


async def housekeeping(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Forget processed update ids after 7 days, expired confirmations, and old outbox rows."""
    backend: AlertBackend = context.bot_data[BACKEND_KEY]
    now = backend.clock.now()
    pruned = await asyncio.to_thread(backend.housekeeping, now)
    log.info("housekeeping: %s", pruned)


def register_alert_jobs(application: Application, settings: Settings, dispatcher: Dispatcher) -> None:
    """Schedule the alert tick and housekeeping on the Application's JobQueue."""
    backend = dispatcher.alert_backend
    if not isinstance(backend, AlertBackend) or application.job_queue is None:
        log.warning("alerts are off: no alert backend or no job queue")
        return
    application.bot_data[BACKEND_KEY] = backend
    interval = settings.jxc_alert_interval
    # coalesce: a tick that fell behind runs once, not once per missed interval.
    application.job_queue.run_repeating(alert_tick, interval=interval, first=interval, name="alerts", job_kwargs={"coalesce": True})
    application.job_queue.run_repeating(
        housekeeping, interval=HOUSEKEEPING_INTERVAL, first=min(60.0, interval * 5), name="housekeeping"
    )

