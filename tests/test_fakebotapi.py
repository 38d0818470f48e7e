"""End-to-end checks that the real PTB stack works against tests/fakebotapi.py over HTTP."""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dtm
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakebotapi import PNG_1X1, FakeBotApi, UploadedFile


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        yield server


@contextlib.asynccontextmanager
async def running_app(
    api: FakeBotApi, *handlers: BaseHandler[Any, Any, Any]
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """A real Application polling the fake, stopped cleanly afterwards."""
    app = (
        ApplicationBuilder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .job_queue(None)
        .build()
    )
    for handler in handlers:
        app.add_handler(handler)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


def _post(url: str, **params: Any) -> tuple[int, dict[str, Any]]:
    """Call the fake without PTB, encoding like PTB does (non-strings as JSON)."""
    body = urllib.parse.urlencode(
        {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    ).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=5) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


async def test_bot_methods_and_errors(api: FakeBotApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after as timedelta, no warning
    async with Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url) as bot:
        me = await bot.get_me()
        assert (me.id, me.username, me.is_bot) == (123456, "jxc_test_bot", True)

        with pytest.raises(Forbidden, match="(?i)can't initiate conversation"):
            await bot.send_message(1001, "hello")
        api.send_text("/start")  # the user opens the chat

        markup = InlineKeyboardMarkup([[InlineKeyboardButton("确认 ✅", callback_data="ok:1")]])
        msg = await bot.send_message(
            1001, "<b>库存</b> &lt;12&gt; 件\n", parse_mode="HTML", reply_markup=markup
        )
        assert msg.text == "库存 <12> 件"
        assert msg.text_html == "<b>库存</b> &lt;12&gt; 件"
        [sent] = api.sent_messages(1001)
        assert sent["reply_markup"] == markup.to_dict()
        assert sent["entities"] == [{"type": "bold", "offset": 0, "length": 2}]
        assert sent["_raw_text"] == "<b>库存</b> &lt;12&gt; 件\n"
        assert sent["_parse_mode"] == "HTML"

        edited = await bot.edit_message_text(
            "<i>已确认</i>", chat_id=1001, message_id=msg.message_id, parse_mode="HTML"
        )
        assert edited.text == "已确认" and edited.reply_markup is None  # keyboard dropped
        assert api.sent_messages(1001)[0]["text"] == "已确认"
        with pytest.raises(BadRequest, match="(?i)message is not modified"):
            await bot.edit_message_text(
                "<i>已确认</i>", chat_id=1001, message_id=msg.message_id, parse_mode="HTML"
            )

        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await bot.send_message(1001, "x" * 4097)
        with pytest.raises(BadRequest, match="(?i)message text is empty"):
            await bot.send_message(1001, "  \n")
        for broken in ("<b>unclosed", "a < b", "<br>", "<b><i>x</b></i>", "<span>x</span>"):
            with pytest.raises(BadRequest, match="(?i)can't parse entities"):
                await bot.send_message(1001, broken, parse_mode="HTML")
        too_long_data = InlineKeyboardMarkup(
            [[InlineKeyboardButton("x", callback_data="货" * 22)]]  # 66 bytes in UTF-8
        )
        with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
            await bot.send_message(1001, "x", reply_markup=too_long_data)

        api.fail_next("sendMessage")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(1001, "flood")
        assert caught.value.retry_after == dtm.timedelta(seconds=1)
        assert (await bot.send_message(1001, "after flood")).text == "after flood"

        await bot.set_my_commands([("in", "入库"), ("out", "出库")])
        assert api.commands() == [
            {"command": "in", "description": "入库"},
            {"command": "out", "description": "出库"},
        ]
        assert [c.command for c in await bot.get_my_commands()] == ["in", "out"]
        with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
            await bot.set_my_commands([("In-Stock", "bad")])

    # Only the successful sends count; failed calls are still recorded.
    assert [m["text"] for m in api.sent_messages()] == ["已确认", "after flood"]
    assert [name for name, _ in api.calls].count("sendMessage") == 12


def test_raw_http_contract(api: FakeBotApi) -> None:
    """Status codes and bodies as Telegram sends them, plus offset handling."""
    url = f"{api.base_url}{api.token}"
    assert _post(f"{api.base_url}999:wrong/getMe") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert _post(f"{url}/noSuchMethod") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    first = api.send_text("你好 @jxc_test_bot")
    assert first["message"]["entities"] == [{"type": "mention", "offset": 3, "length": 13}]
    second = api.send_text(
        "/in@jxc_test_bot 5", chat_id=-100777, chat_type="supergroup", chat_title="仓库群"
    )
    assert second["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 16}]
    assert second["message"]["chat"] == {"id": -100777, "type": "supergroup", "title": "仓库群"}

    status, body = _post(f"{url}/getUpdates", timeout=0)
    assert status == 200 and [u["update_id"] for u in body["result"]] == [1, 2]
    _post(f"{url}/getUpdates", offset=2, timeout=0)  # confirms update 1 only
    assert api.confirmed_offset == 2 and [u["update_id"] for u in api.pending_updates()] == [2]

    api.redeliver(first)  # already confirmed, delivered again anyway
    _, body = _post(f"{url}/getUpdates", offset=2, timeout=0)
    assert [u["update_id"] for u in body["result"]] == [1, 2]
    _post(f"{url}/getUpdates", offset=3, timeout=0)
    assert api.pending_updates() == [] and api.confirmed_offset == 3

    # A second poller ends a waiting one with 409, like two bot instances on Telegram.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(_post, f"{url}/getUpdates", offset=3, timeout=5)
        for _ in range(5):  # four earlier polls, then the waiting one has arrived
            api.wait_for_call("getUpdates", timeout=2)
        assert _post(f"{url}/getUpdates", offset=3, timeout=0)[0] == 200
        status, body = waiting.result(timeout=2)
    assert status == 409 and "terminated by other getUpdates request" in body["description"]

    reply = api.send_text("回复", reply_to_message_id=first["message"]["message_id"])
    assert reply["message"]["reply_to_message"]["text"] == "你好 @jxc_test_bot"
    _post(f"{url}/sendMessage", chat_id=1001, text="123", reply_parameters={"message_id": 2})
    [sent] = api.wait_for_messages(1, chat_id=1001, timeout=1)
    assert sent["text"] == "123" and sent["reply_to_message"]["text"] == "回复"
    with pytest.raises(AssertionError, match="expected 2 bot message"):
        api.wait_for_messages(2, timeout=0.1)


async def test_application_polling_echo_and_buttons(api: FakeBotApi) -> None:
    seen_update_ids: list[int] = []

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        seen_update_ids.append(update.update_id)
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("再来", callback_data="again")]])
        await update.message.reply_text(f"echo: {update.message.text}", reply_markup=keyboard)

    async def stock_in(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"入库 {' '.join(context.args or [])}")

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("好的")
        await query.edit_message_text(f"pressed {query.data}")

    async with running_app(
        api,
        CommandHandler("in", stock_in),
        MessageHandler(filters.TEXT & ~filters.COMMAND, echo),
        CallbackQueryHandler(on_button),
    ):
        text_update = api.send_text("你好")
        [reply] = await api.await_messages(1, chat_id=1001)
        assert reply["text"] == "echo: 你好"
        assert "reply_to_message" not in reply  # PTB's reply_text quotes only in groups

        api.press_button(reply, "again")
        answer = await api.await_call("answerCallbackQuery")
        assert answer["text"] == "好的"
        await api.await_call("editMessageText")
        assert api.sent_messages(1001)[0]["text"] == "pressed again"

        command = api.send_text(
            "/in@jxc_test_bot 5 箱", chat_id=-100777, chat_type="supergroup"
        )
        [group_reply] = await api.await_messages(1, chat_id=-100777)
        assert group_reply["text"] == "入库 5 箱"
        assert group_reply["reply_to_message"]["text"] == command["message"]["text"]

        api.redeliver(text_update)  # the fake replays; PTB itself does not deduplicate
        await api.await_messages(2, chat_id=1001)
        assert seen_update_ids == [text_update["update_id"]] * 2
        last_update_id = text_update["update_id"] + 2

    assert api.confirmed_offset == last_update_id + 1
    assert api.pending_updates() == []


async def test_document_and_photo_round_trip(api: FakeBotApi) -> None:
    payload = bytes(range(256)) * 40 + b"\r\n--not-a-boundary\r\n"

    async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        assert message is not None and message.document is not None
        data = await (await message.document.get_file()).download_as_bytearray()
        await message.reply_document(
            bytes(data[::-1]),
            filename="反转.bin",
            caption=f"<b>{len(data)}</b> bytes",
            parse_mode="HTML",
        )

    async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        assert message is not None
        photo = message.photo[-1]
        data = await (await photo.get_file()).download_as_bytearray()
        await message.reply_photo(bytes(data), caption=f"{photo.width}x{photo.height}")

    async with running_app(
        api,
        MessageHandler(filters.Document.ALL, on_document),
        MessageHandler(filters.PHOTO, on_photo),
    ):
        api.send_document(
            payload, "库存 2024.xlsx", caption="导入", mime_type="application/vnd.ms-excel"
        )
        [doc_reply] = await api.await_messages(1)
        api.send_photo(PNG_1X1)
        [_, photo_reply] = await api.await_messages(2)

    assert doc_reply["_file_bytes"] == payload[::-1]
    assert doc_reply["_file_name"] == doc_reply["document"]["file_name"] == "反转.bin"
    assert doc_reply["caption"] == f"{len(payload)} bytes"
    bold = {"type": "bold", "offset": 0, "length": len(str(len(payload)))}
    assert doc_reply["caption_entities"] == [bold]
    assert photo_reply["_file_bytes"] == PNG_1X1 and photo_reply["caption"] == "1x1"
    assert photo_reply["photo"][0]["width"] == 1
    upload = next(params["document"] for name, params in api.calls if name == "sendDocument")
    assert isinstance(upload, UploadedFile) and upload.data == payload[::-1]


async def test_only_a_private_message_opens_the_private_chat(api: FakeBotApi) -> None:
    # Writing in a group does not let the bot message the user privately (as on Telegram).
    api.send_text("大家好", user_id=1001, chat_id=-100777, chat_type="supergroup")
    async with Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url) as bot:
        assert (await bot.send_message(-100777, "群里可以")).text == "群里可以"
        with pytest.raises(Forbidden, match="(?i)bot can't initiate conversation with a user"):
            await bot.send_message(1001, "私聊不行")
        api.send_text("/start", user_id=1001)
        assert (await bot.send_message(1001, "现在可以")).chat.id == 1001
    assert [m["text"] for m in api.sent_messages(1001)] == ["现在可以"]


async def test_the_request_log_never_shows_the_token(api: FakeBotApi, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="tests.fakebotapi")
    update = api.send_document(b"abc", "a.txt")
    async with Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url) as bot:
        await bot.get_me()
        file = await bot.get_file(update["message"]["document"]["file_id"])
        assert await file.download_as_bytearray() == b"abc"  # the file URL percent-encodes ":"
    lines = [record.getMessage() for record in caplog.records if record.name == "tests.fakebotapi"]
    assert any('"POST /bot<token>/getMe HTTP/1.1" 200' in line for line in lines)
    assert any("GET /file/bot" in line and "<token>" in line for line in lines)
    secret = api.token.partition(":")[2]
    assert not [line for line in lines if api.token in line or secret in line]
    assert api.redact(f"x{api.token}y {secret}") == "x<token>y <token>"


async def test_failures_for_one_chat_leave_the_other_chats_alone(api: FakeBotApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    api.add_chat(-100111, chat_type="supergroup")
    api.add_chat(-100222, chat_type="supergroup")
    api.add_chat(1001)
    async with Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url) as bot:
        api.fail_chat(-100111, error_code=429, retry_after=3, times=1)
        api.fail_chat(-100111, error_code=502, description="Bad Gateway", times=1)
        assert (await bot.send_message(-100222, "other group")).text == "other group"
        with pytest.raises(RetryAfter) as flood:
            await bot.send_message(-100111, "x")
        assert flood.value.retry_after == dtm.timedelta(seconds=3)
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(-100111, "x")
        assert (await bot.send_message(-100111, "through")).text == "through"

        api.fail_chat(-100111)  # kicked: every call from now on
        for _ in range(2):
            with pytest.raises(Forbidden, match="(?i)bot was kicked"):
                await bot.send_message(-100111, "x")
        api.fail_chat(1001, error_code=400, description="Bad Request: chat not found")
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.send_message(1001, "x")
        assert (await bot.get_me()).id == 123456  # calls that post nowhere are not affected
        api.restore_chat(-100111)
        assert (await bot.send_message(-100111, "back")).text == "back"
    assert [m["text"] for m in api.sent_messages()] == ["other group", "through", "back"]
