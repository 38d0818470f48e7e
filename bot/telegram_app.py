"""The Telegram adapter (python-telegram-bot 22): updates in, dispatcher, replies out.

Handlers stay thin: they turn an update into an :class:`~bot.dispatcher.Incoming`, run the
dispatcher in a worker thread (database work must not stall the event loop), and send the
reply. Everything a user can type is parsed by the one parser, slash commands included.
"""

from __future__ import annotations

import asyncio
import html
import logging
import traceback

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, MessageEntity, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from bot.backup_jobs import register_backup_jobs
from bot.attachments import PHOTO, Attachment
from bot.alert_jobs import register_alert_jobs
from bot.dispatcher import Dispatcher, Incoming, Reply
from bot.rendering import to_plain
from bot.settings import Settings
from bot.update_processor import ChatOrderedProcessor

log = logging.getLogger(__name__)

# The Telegram menu: Latin command names, Chinese descriptions (setMyCommands).
MENU_COMMANDS = (
    ("in", "入库：/in A001 50 单价 2.4"),
    ("out", "出库：/out A001 5"),
    ("stock", "库存：/stock 或 /stock A001"),
    ("product", "商品：/product A001"),
    ("ledger", "流水：/ledger A001 7天"),
    ("report", "报表：/report 本月"),
    ("chart", "图表：/chart 销售趋势"),
    ("export", "导出：/export 进销存 本月"),
    ("undo", "撤销：撤销自己的上一笔操作"),
    ("help", "帮助：命令说明"),
)

# The update kinds the bot handles (getUpdates and setWebhook).
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
ALERT_LENGTH = 200  # Telegram's limit for a callback answer's text
CAPTION_LENGTH = 1024  # Telegram's limit for a photo's or document's caption
DISPATCHER_KEY = "dispatcher"
UPLOAD_LIMIT_KEY = "upload_limit_mb"


def _keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(button.text, callback_data=button.data) for button in row] for row in reply.buttons]
    )


def _display_name(user) -> str:  # type: ignore[no-untyped-def]
    return user.full_name or user.username or str(user.id)


def _strip_bot_mention(text: str, entities: tuple[MessageEntity, ...], username: str) -> tuple[str, bool]:
    """Remove ``@our_bot`` from the text; report whether it was there."""
    mention = f"@{username}".lower()
    mentioned = False
    for entity in entities:
        if entity.type == MessageEntity.MENTION:
            part = text[entity.offset : entity.offset + entity.length]
            if part.lower() == mention:
                mentioned = True
    if mentioned:
        lowered = text.lower()
        start = lowered.find(mention)
        while start != -1:
            text = text[:start] + text[start + len(mention) :]
            lowered = text.lower()
            start = lowered.find(mention)
    return text.strip(), mentioned


def _addressed_elsewhere(text: str, username: str) -> bool:
    """``/in@other_bot …`` in a group is for another bot: not ours to answer."""
    if not text.startswith("/"):
        return False
    head = text.split(maxsplit=1)[0]
    return "@" in head and head.split("@", 1)[1].lower() != username.lower()


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a text message with the dispatcher's reply (or stay silent in groups)."""
    message = update.effective_message
    if message is None or message.text is None or update.effective_user is None:
        return
    await _answer(update, context, message.text, edited=update.edited_message is not None)


async def on_file(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A document or photo: refuse one that is too big before anything reads it; a document
    captioned 导入 … is downloaded and imported, a photo is read for a barcode."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    dispatcher: Dispatcher = context.bot_data[DISPATCHER_KEY]
    limit_mb: int = context.bot_data.get(UPLOAD_LIMIT_KEY, 5)
    attachment = message.document or (message.photo[-1] if message.photo else None)
    size = getattr(attachment, "file_size", None) or 0
    in_group = message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    if size > limit_mb * 1024 * 1024:
        text = dispatcher.renderer.render("errors/file_too_large.html", size_mb=size / 1024 / 1024, limit_mb=limit_mb)
        await message.reply_text(text, do_quote=in_group)
        return
    # A group's captionless photos are chatter: not downloaded. A document is read only to import it.
    wanted = (message.photo and (message.caption or not in_group)) or (
        message.document and message.caption and _is_import(message.caption)
    )
    if attachment is not None and wanted:
        data = bytes(await (await attachment.get_file()).download_as_bytearray())
        name = getattr(attachment, "file_name", None) or "photo.jpg"
        await _answer(update, context, message.caption or "", edited=False, file=(data, name, limit_mb * 1024 * 1024))
    elif message.caption:
        await _answer(update, context, message.caption, edited=False)
    elif not in_group:
        await message.reply_text(dispatcher.renderer.render("errors/file_without_caption.html"))


def _is_import(caption: str) -> bool:
    """``导入 商品`` (also after an ``@bot`` mention): only then is a document downloaded."""
    return any(word.startswith("导入") for word in caption.split()[:2])


async def _answer(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    raw_text: str,
    *,
    edited: bool,
    file: tuple[bytes, str, int] | None = None,
) -> None:
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    dispatcher: Dispatcher = context.bot_data[DISPATCHER_KEY]
    username = context.bot.username
    chat_type = message.chat.type
    in_group = chat_type in (ChatType.GROUP, ChatType.SUPERGROUP)
    if in_group and _addressed_elsewhere(raw_text, username):
        return
    entities = message.entities if message.text is not None else message.caption_entities
    text, mentioned = _strip_bot_mention(raw_text, entities, username)
    replied_to_bot = bool(
        message.reply_to_message
        and message.reply_to_message.from_user
        and message.reply_to_message.from_user.id == context.bot.id
    )
    incoming = Incoming(
        text=text,
        user_id=update.effective_user.id,
        user_name=_display_name(update.effective_user),
        chat_id=message.chat.id,
        chat_type=str(chat_type),
        addressed=mentioned or replied_to_bot,
        username=update.effective_user.username or "",
        update_id=update.update_id,
        edited=edited,
    )
    if file is None:
        reply = await asyncio.to_thread(dispatcher.handle, incoming)
    elif message.photo:
        reply = await asyncio.to_thread(dispatcher.handle_photo, incoming, file[0])
    else:
        reply = await asyncio.to_thread(dispatcher.handle_file, incoming, file[0], file[1], max_bytes=file[2])
    if reply is not None:
        await _send(context, dispatcher, reply, message, in_group)


async def _send(context, dispatcher: Dispatcher, reply: Reply, message, in_group: bool) -> None:  # type: ignore[no-untyped-def]
    """The reply in its chat; the full version privately when the group got a reduced one."""
    text = reply.html
    if reply.private is not None and message.from_user is not None:
        try:
            await context.bot.send_message(message.from_user.id, reply.private.html)
        except (Forbidden, BadRequest):
            # The user never opened a private chat with the bot: say so instead of the note.
            log.info("could not send the private copy to %s", message.from_user.id)
            text = text.rsplit("\n", 1)[0] + "\n" + dispatcher.renderer.render("errors/private_failed.html")
    if reply.document is not None:
        name, content = reply.document
        await message.reply_document(InputFile(content, filename=name), caption=text, do_quote=in_group)
        return
    if reply.attachment is not None:
        await _send_attachment(message, reply.attachment, text, in_group)
        return
    await message.reply_text(text, reply_markup=_keyboard(reply), do_quote=in_group)


async def _send_attachment(message, attachment: Attachment, caption: str, in_group: bool) -> None:  # type: ignore[no-untyped-def]
    """A chart as a photo, a spreadsheet as a document; the reply's text is the caption."""
    file = InputFile(attachment.data, filename=attachment.filename)
    caption = caption if len(to_plain(caption)) <= CAPTION_LENGTH else html.escape(to_plain(caption)[: CAPTION_LENGTH - 1]) + "…"
    if attachment.kind == PHOTO:
        await message.reply_photo(file, caption=caption, do_quote=in_group)
    else:
        await message.reply_document(file, caption=caption, do_quote=in_group)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Turn a page of a paged reply (◀ ▶), editing the message in place."""
    query = update.callback_query
    if query is None or query.data is None or update.effective_user is None:
        return
    dispatcher: Dispatcher = context.bot_data[DISPATCHER_KEY]
    chat = query.message.chat if query.message else None
    incoming = Incoming(
        text="",
        user_id=update.effective_user.id,
        user_name=_display_name(update.effective_user),
        chat_id=chat.id if chat else update.effective_user.id,
        chat_type=str(chat.type) if chat else "private",
        addressed=True,
        username=update.effective_user.username or "",
        update_id=update.update_id,
    )
    reply = await asyncio.to_thread(dispatcher.handle_button, incoming, query.data)
    try:
        if reply is not None and reply.alert:
            # A refusal or an expired button: a pop-up for the presser; the message stays.
            await query.answer(to_plain(reply.html)[:ALERT_LENGTH], show_alert=True)
            return
        await query.answer()
    except BadRequest as error:
        # A redelivered press finds its query already answered; the work itself is done once.
        log.info("callback query not answered: %s", error)
        if reply is not None and reply.alert:
            return
    if reply is None:
        return
    if reply.private is not None:
        try:
            await context.bot.send_message(update.effective_user.id, reply.private.html)
        except (Forbidden, BadRequest):
            log.info("could not send the private copy to %s", update.effective_user.id)
    try:
        await query.edit_message_text(reply.html, reply_markup=_keyboard(reply))
    except BadRequest as error:
        # Pressing the same page twice is harmless; anything else is a real failure.
        if "message is not modified" not in str(error).lower():
            raise


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure and tell the user that nothing was done."""
    log.error("update failed", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        dispatcher: Dispatcher = context.bot_data[DISPATCHER_KEY]
        try:
            await update.effective_message.reply_text(dispatcher.renderer.render("errors/internal.html"))
        except Exception:  # noqa: BLE001 - the error handler must never raise
            log.warning("could not send the error notice:\n%s", html.escape(traceback.format_exc()))


async def _post_init(application: Application) -> None:
    await application.bot.set_my_commands([BotCommand(name, description) for name, description in MENU_COMMANDS])


def build_application(settings: Settings, dispatcher: Dispatcher) -> Application:
    """Build the python-telegram-bot Application around a dispatcher."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.tz))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(_post_init)
        # Concurrent across chats, in order within a chat (bot/update_processor.py).
        .concurrent_updates(ChatOrderedProcessor())
    )
    if settings.telegram_api_base_url:
        base = settings.telegram_api_base_url.rstrip("/")
        builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
    application = builder.build()
    application.bot_data[DISPATCHER_KEY] = dispatcher
    application.bot_data[UPLOAD_LIMIT_KEY] = settings.jxc_max_upload_mb
    # Edited messages reach on_text too, which answers them with how to correct instead.
    application.add_handler(
        MessageHandler((filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE) & filters.TEXT, on_text)
    )
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & (filters.Document.ALL | filters.PHOTO), on_file))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_error_handler(on_error)
    register_backup_jobs(application, settings, dispatcher.backups)
    register_alert_jobs(application, settings, dispatcher)
    return application


def quiet_http_logs() -> None:
    """httpx logs request URLs, and Bot API URLs contain the token."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


REDACTED = "<token>"


class TokenRedactor(logging.Filter):
    """Replace the bot token in every record a handler emits, tracebacks included.

    Quietening httpx is not enough: an exception from the HTTP layer can carry the request
    URL, and the URL carries the token.
    """

    def __init__(self, token: str) -> None:
        super().__init__()
        # Longest first, so the whole token is replaced before its secret part is.
        self._secrets = sorted((p for p in {token, token.partition(":")[2]} if len(p) >= 8), key=len, reverse=True)

    def _clean(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = self._clean(record.getMessage())
        record.msg, record.args = message, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        record.exc_info = None  # the cleaned text above is what gets printed
        return True


def redact_token_in_logs(token: str, logger: logging.Logger | None = None) -> TokenRedactor:
    """Install the redactor on every handler of ``logger`` (default: the root logger)."""
    redactor = TokenRedactor(token)
    for handler in (logger or logging.getLogger()).handlers:
        handler.addFilter(redactor)
    return redactor
