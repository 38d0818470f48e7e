"""A fake Telegram Bot API server for end-to-end tests.

Why: unit tests with mocked ``Bot`` methods cannot catch what only the real wire
protocol reveals (broken HTML templates, too-long texts, unchanged edits, callback
data over 64 bytes, offset handling in long polling, multipart uploads).  This module
runs a small HTTP server on 127.0.0.1 that speaks the Bot API closely enough for the
*real* python-telegram-bot (PTB 22.x) ``Bot``/``Application`` to talk to it over HTTP,
while tests inject user traffic and inspect what the bot did.

Only the standard library is used, so the server runs in a daemon thread and can be
driven from synchronous and asynchronous tests alike.  All state is guarded by one
``threading.Condition``; every state change notifies it, which also wakes long-polling
``getUpdates`` requests as soon as an update is injected or the server is stopped.

Usage with PTB 22.8::

    with FakeBotApi() as api:
        app = (
            ApplicationBuilder()
            .token(api.token)
            .base_url(api.base_url)            # "http://127.0.0.1:PORT/bot"
            .base_file_url(api.base_file_url)  # "http://127.0.0.1:PORT/file/bot"
            .build()
        )

PTB appends the token to ``base_url``/``base_file_url`` (``Bot._parse_base_url``);
since PTB 21.11 a ``"{token}"`` placeholder (``"http://127.0.0.1:PORT/bot{token}"``)
or a callable is accepted as well.  The plain prefix form used here works with every
PTB version.

Wire format, as PTB sends it (``telegram/request/_requestdata.py``,
``_httpxrequest.py``): API calls are POSTs; without files the body is
``application/x-www-form-urlencoded`` where string values are sent as-is and all
other values JSON-encoded; with files the same fields travel as
``multipart/form-data`` parts next to the file parts (part name = the parameter name,
or an ``attach://<name>`` reference).  File downloads are GETs of
``<base_file_url><token>/<file_path>`` with the whole path percent-encoded, the
token's ``:`` included.  Responses are ``{"ok": true, "result": ...}`` or ``{"ok":
false, "error_code": N, "description": "...", "parameters": {...}}``.  PTB picks its
exception from the HTTP status and from ``parameters`` (any ``retry_after`` ->
``RetryAfter``, 400 -> ``BadRequest``, 401 *and 404* -> ``InvalidToken``, 403 ->
``Forbidden``, 409 -> ``Conflict``), and rewrites the description: it drops a
leading ``"Bad Request: "`` and applies ``str.capitalize()``, which lower-cases the
rest, so match PTB error texts case-insensitively (``match="(?i)..."``).

Deliberate simplifications: HTML is validated and converted to entities (so a stored
message's ``"text"`` is what a user sees), Markdown/MarkdownV2 texts are stored
unparsed; user messages in groups are always delivered (as if privacy mode were off);
``tg://user`` links become ``text_link`` entities; the bot may only message chats the
fake knows (a user who wrote to it, or one registered with :meth:`FakeBotApi.add_chat`),
like the real API.
"""

from __future__ import annotations

import asyncio
import copy
import http.server
import json
import logging
import re
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = ["PNG_1X1", "FakeBotApi", "UploadedFile"]

_LOG = logging.getLogger(__name__)

JsonDict = dict[str, Any]

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile refuses bigger files

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup"
    " are exactly the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"

# Parameters whose values are free text or opaque ids.  PTB sends strings unencoded,
# so these must not be JSON-decoded ("123" as text must stay a string).
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "file_id",
        "url",
        "photo",
        "document",
        "action",
        "language_code",
        "secret_token",
        "ip_address",
    }
)

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_BOT_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION_RE = re.compile(r"(?<![\w/@])@[A-Za-z0-9_]{5,32}")
_HEADER_PARAM_RE = re.compile(r';\s*([^=\s;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')
_HTTPX_ESCAPE_RE = re.compile(r"\\(.)|%(0[0-9A-Fa-f]|1[0-9A-Fa-f]|22)")

# Telegram's HTML subset (https://core.telegram.org/bots/api#html-style) and the
# entity type each tag produces; "span" needs class="tg-spoiler", "pre" may take its
# language from an inner <code class="language-...">.
_HTML_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_CHAR_REF_RE = re.compile(r"&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|([A-Za-z]+));?")


def _png(width: int, height: int) -> bytes:
    """Build a minimal valid grayscale PNG; used for photo tests without fixture files."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xff" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


PNG_1X1: bytes = _png(1, 1)
"""A valid 1x1 PNG, handy as ``send_photo`` input."""


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request, as it appears in :attr:`FakeBotApi.calls`."""

    file_name: str
    mime_type: str
    data: bytes


@dataclass(frozen=True)
class _StoredFile:
    """A file the fake can hand out through getFile and the file download URL."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes


@dataclass
class _QueuedUpdate:
    """An update waiting for confirmation; ``redelivery`` entries ignore the offset
    until they have been delivered once, so tests can replay an already confirmed id."""

    update: JsonDict
    redelivery: bool = False
    delivered: bool = False


class _ApiError(Exception):
    """A Bot API error answer; the HTTP status equals ``error_code`` as on Telegram."""

    def __init__(self, code: int, description: str, parameters: JsonDict | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(reason: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {reason}")


def _utf16_len(text: str) -> int:
    """Telegram measures entity offsets and lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _decode_value(key: str, raw: str) -> Any:
    """Undo PTB's encoding: strings travel raw, everything else as JSON."""
    if key in _STRING_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw  # e.g. chat_id="@channelname"


def _header_params(value: str) -> dict[str, str]:
    """Parse ``; key="value"`` parameters of a header such as Content-Disposition.

    httpx escapes quoted values HTML5-style (``"`` -> ``%22``, ``\\`` -> ``\\\\``,
    control characters -> ``%XX``) and sends non-ASCII file names as raw UTF-8,
    which the ``email`` package would not decode the same way.
    """
    params: dict[str, str] = {}
    for match in _HEADER_PARAM_RE.finditer(value):
        raw = match.group(2).strip()
        if raw.startswith('"'):
            raw = _HTTPX_ESCAPE_RE.sub(
                lambda m: m.group(1) if m.group(1) is not None else chr(int(m.group(2), 16)),
                raw[1:-1],
            )
        params[match.group(1).lower()] = raw
    return params


def _parse_multipart(
    body: bytes, content_type: str
) -> tuple[list[tuple[str, str]], dict[str, UploadedFile]]:
    """Split a multipart/form-data body into text fields and file parts.

    Hand-written because ``cgi`` is deprecated and the ``email`` parser may rewrite
    line endings inside binary payloads.
    """
    boundary = _header_params(content_type).get("boundary")
    if not boundary:
        raise _bad_request("multipart boundary is missing")
    fields: list[tuple[str, str]] = []
    uploads: dict[str, UploadedFile] = {}
    for part in (b"\r\n" + body).split(b"\r\n--" + boundary.encode())[1:]:
        if part.startswith(b"--"):
            break
        head, _, data = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        headers: dict[str, str] = {}
        for line in head.decode().split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        disposition = _header_params(headers.get("content-disposition", ""))
        name = disposition.get("name", "")
        if "filename" in disposition:
            uploads[name] = UploadedFile(
                file_name=disposition["filename"],
                mime_type=headers.get("content-type", "application/octet-stream"),
                data=data,
            )
        else:
            fields.append((name, data.decode()))
    return fields, uploads


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG image; None if it is none of those."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height
    if data.startswith(b"\xff\xd8"):
        pos = 2
        while pos + 9 <= len(data) and data[pos] == 0xFF:
            marker = data[pos + 1]
            (segment_length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
                return width, height
            pos += 2 + segment_length
    return None


def _char_ref(match: re.Match[str]) -> str | None:
    """Decode one ``&lt;``/``&#60;``-style reference the way Telegram does; unknown
    named references are not an error there, the ``&`` simply stays literal."""
    hex_code, dec_code, name = match.groups()
    if name is not None:
        return _HTML_NAMED_ENTITIES.get(name)
    code = int(hex_code, 16) if hex_code is not None else int(dec_code)
    return chr(code) if 0 < code < 0x10FFFF else None


def _unescape(text: str) -> str:
    return _HTML_CHAR_REF_RE.sub(lambda m: _char_ref(m) or m.group(0), text)


@dataclass
class _OpenTag:
    name: str
    start: int  # UTF-16 offset in the plain text
    argument: str = ""


def _parse_html(markup: str) -> tuple[str, list[JsonDict]]:
    """Convert Telegram-HTML into plain text plus entities, or raise the 400 error
    Telegram would answer (messages modelled on tdlib's ``parse_html``)."""

    def fail(reason: str) -> _ApiError:
        return _bad_request(f"can't parse entities: {reason}")

    def byte_offset(index: int) -> int:
        return len(markup[:index].encode())

    plain: list[str] = []
    offset = 0
    stack: list[_OpenTag] = []
    entities: list[JsonDict] = []
    i, size = 0, len(markup)
    while i < size:
        char = markup[i]
        ref = _HTML_CHAR_REF_RE.match(markup, i) if char == "&" else None
        if ref is not None and (decoded := _char_ref(ref)) is not None:
            plain.append(decoded)
            offset += _utf16_len(decoded)
            i = ref.end()
            continue
        if char != "<":
            plain.append(char)
            offset += _utf16_len(char)
            i += 1
            continue
        begin = i
        if markup.startswith("</", i):
            if not stack:
                raise fail(f"Unexpected end tag at byte offset {byte_offset(begin)}")
            i += 2
            name_start = i
            while i < size and not markup[i].isspace() and markup[i] != ">":
                i += 1
            end_name = markup[name_start:i].lower()
            while i < size and markup[i].isspace():
                i += 1
            if i >= size or markup[i] != ">":
                raise fail(f"Unclosed end tag at byte offset {byte_offset(begin)}")
            i += 1
            tag = stack.pop()
            if end_name and end_name != tag.name:
                raise fail(
                    f"Unmatched end tag at byte offset {byte_offset(begin)},"
                    f' expected "</{tag.name}>", found "</{end_name}>"'
                )
            entity = _close_html_tag(tag, offset, stack)
            if entity is not None:
                entities.append(entity)
            continue
        i += 1
        name_start = i
        while i < size and not markup[i].isspace() and markup[i] != ">":
            i += 1
        if i >= size:
            raise fail(f"Unclosed start tag at byte offset {byte_offset(begin)}")
        name = markup[name_start:i].lower()
        if name not in _HTML_ENTITY_TYPES:
            raise fail(f'Unsupported start tag "{name}" at byte offset {byte_offset(begin)}')
        argument, i = _parse_html_attributes(markup, i, name, byte_offset(begin), fail)
        stack.append(_OpenTag(name, offset, argument))
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(plain), entities


def _parse_html_attributes(
    markup: str, i: int, tag: str, begin: int, fail: Callable[[str], _ApiError]
) -> tuple[str, int]:
    """Read a start tag's attributes up to ``>``; return the one that matters for the
    tag (href, language, spoiler class, emoji id, expandable) and the index after ``>``."""
    size = len(markup)
    argument = ""
    while True:
        while i < size and markup[i].isspace():
            i += 1
        if i >= size:
            raise fail(f"Unclosed start tag at byte offset {begin}")
        if markup[i] == ">":
            break
        attr_start = i
        while i < size and not markup[i].isspace() and markup[i] not in "=>":
            i += 1
        attr = markup[attr_start:i].lower()
        while i < size and markup[i].isspace():
            i += 1
        if i >= size or markup[i] != "=":
            if tag == "blockquote" and attr == "expandable":
                argument = "expandable"
                continue
            raise fail(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}"'
                f" at byte offset {begin}"
            )
        i += 1
        while i < size and markup[i].isspace():
            i += 1
        if i >= size:
            raise fail(f"Unclosed start tag at byte offset {begin}")
        if markup[i] in "'\"":
            quote = markup[i]
            end = markup.find(quote, i + 1)
            if end < 0:
                raise fail(f"Unclosed start tag at byte offset {begin}")
            value = _unescape(markup[i + 1 : end])
            i = end + 1
        else:
            value_start = i
            while i < size and (markup[i].isalnum() or markup[i] in ".-"):
                i += 1
            if i < size and not markup[i].isspace() and markup[i] != ">":
                position = len(markup[:i].encode())
                raise fail(f"Unexpected end of name token at byte offset {position}")
            value = markup[value_start:i].lower()
        if (tag, attr) in (("a", "href"), ("tg-emoji", "emoji-id")):
            argument = value
        elif tag == "code" and attr == "class" and value.startswith("language-"):
            argument = value.removeprefix("language-")
        elif tag == "span" and attr == "class":
            argument = value
    if tag == "span" and argument != "tg-spoiler":
        raise fail(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
    if tag == "tg-emoji" and not argument.isdigit():
        raise fail("Invalid custom emoji identifier specified")
    return argument, i + 1


def _close_html_tag(tag: _OpenTag, end: int, stack: list[_OpenTag]) -> JsonDict | None:
    """Entity for a just-closed tag; None for empty ranges, <a> without href and the
    inner <code> of <pre><code class="language-x">, which Telegram merges into the pre."""
    length = end - tag.start
    if tag.name == "code" and tag.argument and stack and stack[-1].name == "pre":
        stack[-1].argument = tag.argument
        return None
    if length <= 0 or (tag.name == "a" and not tag.argument):
        return None
    entity: JsonDict = {"type": _HTML_ENTITY_TYPES[tag.name], "offset": tag.start, "length": length}
    if tag.name == "a":
        entity["url"] = tag.argument
    elif tag.name == "pre" and tag.argument:
        entity["language"] = tag.argument
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.argument
    elif tag.name == "blockquote" and tag.argument:
        entity["type"] = "expandable_blockquote"
    return entity


def _trim(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Strip surrounding whitespace and clip entities, as Telegram does on send."""
    lead = _utf16_len(text[: len(text) - len(text.lstrip())])
    stripped = text.strip()
    total = _utf16_len(stripped)
    clipped = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        stop = min(entity["offset"] + entity["length"] - lead, total)
        if stop > start:
            clipped.append({**entity, "offset": start, "length": stop - start})
    return stripped, clipped


def _auto_entities(text: str) -> list[JsonDict]:
    """bot_command and mention entities a Telegram client attaches to typed text."""
    entities = []
    for pattern, kind in ((_BOT_COMMAND_RE, "bot_command"), (_MENTION_RE, "mention")):
        for match in pattern.finditer(text):
            entities.append(
                {
                    "type": kind,
                    "offset": _utf16_len(text[: match.start()]),
                    "length": _utf16_len(match.group(0)),
                }
            )
    entities.sort(key=lambda e: e["offset"])
    return entities


def _inline_markup(markup: Any) -> JsonDict | None:
    """Only inline keyboards are attached to (and returned with) a sent message."""
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        return markup
    return None


def _public(message: JsonDict) -> JsonDict:
    """The message as the Bot API returns it: no private test keys, no reply keyboards."""
    result = {k: copy.deepcopy(v) for k, v in message.items() if not k.startswith("_")}
    if _inline_markup(result.get("reply_markup")) is None:
        result.pop("reply_markup", None)
    return result


class _Server(http.server.ThreadingHTTPServer):
    """HTTP server that remembers open connections, so stop() can cut idle keep-alive
    connections whose handler threads would otherwise block reading the next request."""

    daemon_threads = True

    def __init__(self, api: FakeBotApi):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.api = api
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        _LOG.debug("connection from %s failed", client_address, exc_info=True)


class _Handler(http.server.BaseHTTPRequestHandler):
    """Translate HTTP requests into :meth:`FakeBotApi._route` calls."""

    protocol_version = "HTTP/1.1"  # keep-alive, like api.telegram.org
    # Headers and body are written separately; without TCP_NODELAY, Nagle plus
    # delayed ACKs add ~40 ms to every keep-alive request.
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        super().finish()

    def do_GET(self) -> None:  # noqa: N802 - name fixed by BaseHTTPRequestHandler
        self._serve()

    def do_POST(self) -> None:  # noqa: N802 - name fixed by BaseHTTPRequestHandler
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
        # Request lines carry the token in their path: tests assert it never reaches a log.
        _LOG.debug("%s - %s", self.address_string(), self.server.api.redact(format % args))

    def _serve(self) -> None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self._reply(411, "text/plain", b"Length Required")
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = urlsplit(self.path)
        try:
            status, content_type, payload = self.server.api._route(
                url.path, url.query, self.headers.get("Content-Type", ""), body
            )
        except Exception as exc:  # a bug in the fake must show up, not hang the client
            _LOG.exception("FakeBotApi failed on %s", self.server.api.redact(self.path))
            status, content_type = 500, "application/json"
            payload = json.dumps(
                {"ok": False, "error_code": 500, "description": f"Internal Server Error: {exc!r}"}
            ).encode()
        self._reply(status, content_type, payload)

    def _reply(self, status: int, content_type: str, payload: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            self.close_connection = True  # the client gave up, e.g. a cancelled long poll


def _json_response(status: int, payload: JsonDict) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps(payload, ensure_ascii=False).encode()


class FakeBotApi:
    """In-process fake of the Telegram Bot API for one bot.

    Inject traffic with :meth:`send_text`, :meth:`edit_text`, :meth:`press_button`,
    :meth:`send_document`, :meth:`send_photo`, :meth:`redeliver` (and make a chat known
    without traffic with :meth:`add_chat`); observe the bot with
    :attr:`calls`, :meth:`sent_messages`, the ``wait_for_*``/``await_*`` helpers,
    :meth:`commands`, :attr:`confirmed_offset`, :meth:`pending_updates`; inject
    failures with :meth:`fail_next` (by method) and :meth:`fail_chat` (by chat).  All of these are thread-safe.

    The blocking ``wait_for_*`` helpers must not be called from the event loop that
    runs the bot (they would block it); use the ``await_*`` variants there.
    """

    def __init__(
        self,
        token: str = "123456:TEST-token",
        bot_username: str = "jxc_test_bot",
        bot_id: int = 123456,
    ):
        self.token = token
        self.bot_user: JsonDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "JXC Test Bot",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": True,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self._cond = threading.Condition()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False
        # Everything below is guarded by self._cond.
        self._calls: list[tuple[str, JsonDict]] = []
        self._calls_taken: set[int] = set()  # indexes returned by wait_for_call/await_call
        self._queue: list[_QueuedUpdate] = []
        self._next_update_id = 1
        self._confirmed_offset = 0
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0
        self._webhook_url = ""
        self._chats: dict[int, JsonDict] = {}
        self._next_message_id: dict[int, int] = {}
        self._messages: dict[tuple[int, int], JsonDict] = {}
        self._sent: list[JsonDict] = []
        self._open_callback_queries: set[str] = set()
        self._next_callback_query_id = 1
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._commands: dict[tuple[str, str], list[JsonDict]] = {}
        self._failures: dict[str, list[_ApiError]] = {}
        # Per chat: errors for the next calls that post into it (a list), or one error for
        # every such call from now on (a chat the bot was removed from).
        self._chat_failures: dict[int, list[_ApiError] | _ApiError] = {}
        handlers: dict[str, Callable[[JsonDict], Any]] = {
            "getMe": lambda _params: self.bot_user,
            "logOut": lambda _params: True,
            "close": lambda _params: True,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": lambda _params: True,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "getFile": self._get_file,
        }
        # Telegram matches method names case-insensitively; calls are recorded under
        # the documented spelling.
        self._canonical = {name.lower(): name for name in handlers}
        self._handlers = handlers

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeBotApi:
        """Bind 127.0.0.1 on a free port and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("FakeBotApi is already running")
        self._stopped = False
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="FakeBotApi",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; wakes pending long polls so clients see an empty result."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        server.shutdown()
        server.server_close()
        with server.connections_lock:
            for connection in server.connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed by the client
        thread.join()
        self._server = self._thread = None

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def redact(self, text: str) -> str:
        """``text`` with the token (and its secret part, as in percent-encoded file URLs)
        replaced by ``<token>``; the fake logs only redacted request lines."""
        for secret in sorted({self.token, self.token.partition(":")[2]} - {""}, key=len, reverse=True):
            text = text.replace(secret, "<token>")
        return text

    @property
    def base_url(self) -> str:
        """API prefix for PTB's ``base_url``; PTB appends the token."""
        return f"{self._origin()}/bot"

    @property
    def base_file_url(self) -> str:
        """File download prefix for PTB's ``base_file_url``; PTB appends the token."""
        return f"{self._origin()}/file/bot"

    def _origin(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeBotApi is not running; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # ------------------------------------------------------------ injecting traffic

    def add_chat(
        self,
        chat_id: int,
        *,
        chat_type: str = "private",
        first_name: str = "张三",
        username: str | None = None,
        title: str | None = None,
    ) -> JsonDict:
        """Make a chat known without a message in it, e.g. an admin the bot notifies.

        The real API refuses to message users who never wrote to the bot, so unknown
        chats are refused by the fake too.
        """
        chat: JsonDict = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name
            if username:
                chat["username"] = username
        else:
            if chat_id >= 0:
                raise ValueError("group and supergroup chat ids are negative")
            chat["title"] = title or f"Group {chat_id}"
        with self._cond:
            self._chats[chat_id] = chat
            return dict(chat)

    def send_text(
        self,
        text: str,
        *,
        user_id: int = 1001,
        first_name: str = "张三",
        username: str | None = "zhangsan",
        chat_id: int | None = None,
        chat_type: str = "private",
        chat_title: str | None = None,
        reply_to_message_id: int | None = None,
        entities: list[JsonDict] | None = None,
    ) -> JsonDict:
        """A user sends ``text``; returns the queued ``message`` update.

        Unless ``entities`` is given, bot_command and mention entities are added the
        way Telegram clients do (``/in``, ``/in@jxc_test_bot``, ``@jxc_test_bot``).
        ``reply_to_message_id`` must name a message the fake knows in that chat.
        """
        content: JsonDict = {"text": text}
        found = entities if entities is not None else _auto_entities(text)
        if found:
            content["entities"] = found
        return self._inject_message(
            content,
            user_id=user_id,
            first_name=first_name,
            username=username,
            chat_id=chat_id,
            chat_type=chat_type,
            chat_title=chat_title,
            reply_to_message_id=reply_to_message_id,
        )

    def send_document(
        self,
        file_bytes: bytes,
        file_name: str,
        *,
        caption: str | None = None,
        mime_type: str = "application/octet-stream",
        user_id: int = 1001,
        first_name: str = "张三",
        username: str | None = "zhangsan",
        chat_id: int | None = None,
        chat_type: str = "private",
        chat_title: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> JsonDict:
        """A user sends a file; it is downloadable via getFile + ``base_file_url``."""
        with self._cond:
            stored = self._store_file(file_bytes, "documents", file_name)
        content: JsonDict = {
            "document": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": file_name,
                "mime_type": mime_type,
                "file_size": len(file_bytes),
            }
        }
        if caption is not None:
            content["caption"] = caption
        return self._inject_message(
            content,
            user_id=user_id,
            first_name=first_name,
            username=username,
            chat_id=chat_id,
            chat_type=chat_type,
            chat_title=chat_title,
            reply_to_message_id=reply_to_message_id,
        )

    def send_photo(
        self,
        image_bytes: bytes,
        *,
        caption: str | None = None,
        user_id: int = 1001,
        first_name: str = "张三",
        username: str | None = "zhangsan",
        chat_id: int | None = None,
        chat_type: str = "private",
        chat_title: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> JsonDict:
        """A user sends a photo (PNG, GIF or JPEG bytes, e.g. :data:`PNG_1X1`)."""
        size = _image_size(image_bytes)
        if size is None:
            raise ValueError("send_photo needs PNG, GIF or JPEG bytes")
        with self._cond:
            stored = self._store_file(image_bytes, "photos", None)
        content: JsonDict = {"photo": [self._photo_size(stored, size)]}
        if caption is not None:
            content["caption"] = caption
        return self._inject_message(
            content,
            user_id=user_id,
            first_name=first_name,
            username=username,
            chat_id=chat_id,
            chat_type=chat_type,
            chat_title=chat_title,
            reply_to_message_id=reply_to_message_id,
        )

    def edit_text(self, message: JsonDict, new_text: str) -> JsonDict:
        """The user edits one of their text messages; returns the ``edited_message``
        update.  ``message`` may be the message dict or the update returned by
        :meth:`send_text`."""
        message = message.get("message", message)
        with self._cond:
            record = self._find_message(message["chat"]["id"], message["message_id"])
            if record is None or record.get("from", {}).get("is_bot"):
                raise ValueError("edit_text needs a message a user sent through the fake")
            record["text"] = new_text
            record.pop("entities", None)
            if found := _auto_entities(new_text):
                record["entities"] = found
            record["edit_date"] = int(time.time())
            return self._enqueue({"edited_message": _public(record)})

    def press_button(
        self,
        message: JsonDict,
        callback_data: str,
        *,
        user_id: int = 1001,
        first_name: str = "张三",
        username: str | None = "zhangsan",
    ) -> JsonDict:
        """The user presses the inline button carrying ``callback_data`` under a bot
        message (as returned by :meth:`sent_messages`); returns the
        ``callback_query`` update.  The button must exist on the message's current
        keyboard, since a real user cannot press anything else."""
        with self._cond:
            record = self._find_message(message["chat"]["id"], message["message_id"])
            if record is None:
                raise ValueError("press_button needs a live bot message")
            keyboard = (_inline_markup(record.get("reply_markup")) or {}).get("inline_keyboard", [])
            offered = [b.get("callback_data") for row in keyboard for b in row]
            if callback_data not in offered:
                raise ValueError(
                    f"no button with callback_data {callback_data!r}; offered: {offered}"
                )
            query_id = f"cbq{self._next_callback_query_id}"
            self._next_callback_query_id += 1
            self._open_callback_queries.add(query_id)
            return self._enqueue(
                {
                    "callback_query": {
                        "id": query_id,
                        "from": self._user(user_id, first_name, username),
                        "message": _public(record),
                        "chat_instance": f"ci{record['chat']['id']}",
                        "data": callback_data,
                    }
                }
            )

    def redeliver(self, update: JsonDict) -> None:
        """Queue the very same update (same update_id) again, even if its offset was
        already confirmed, to test that the bot handles each update exactly once."""
        with self._cond:
            self._queue.append(_QueuedUpdate(copy.deepcopy(update), redelivery=True))
            self._cond.notify_all()

    def _inject_message(
        self,
        content: JsonDict,
        *,
        user_id: int,
        first_name: str,
        username: str | None,
        chat_id: int | None,
        chat_type: str,
        chat_title: str | None,
        reply_to_message_id: int | None,
    ) -> JsonDict:
        user = self._user(user_id, first_name, username)
        if chat_type == "private":
            if chat_id not in (None, user_id):
                raise ValueError("in a private chat, chat_id is the user's id")
            chat: JsonDict = {"id": user_id, "type": "private", "first_name": first_name}
            if username:
                chat["username"] = username
        else:
            if chat_id is None or chat_id >= 0:
                raise ValueError(f"a {chat_type} needs a negative chat_id")
            chat = {"id": chat_id, "type": chat_type, "title": chat_title or f"Group {chat_id}"}
        with self._cond:
            known = self._chats.get(chat["id"])
            if chat_type != "private" and chat_title is None and known is not None:
                chat = known  # keep the group's title across messages
            self._chats[chat["id"]] = chat
            record: JsonDict = {
                "message_id": self._new_message_id(chat["id"]),
                "from": user,
                "chat": dict(chat),
                "date": int(time.time()),
                **copy.deepcopy(content),
            }
            if reply_to_message_id is not None:
                target = self._find_message(chat["id"], reply_to_message_id)
                if target is None:
                    raise ValueError(f"no message {reply_to_message_id} in chat {chat['id']}")
                record["reply_to_message"] = self._as_reply(target)
            self._messages[(chat["id"], record["message_id"])] = record
            return self._enqueue({"message": _public(record)})

    @staticmethod
    def _user(user_id: int, first_name: str, username: str | None) -> JsonDict:
        user: JsonDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        return user

    def _enqueue(self, payload: JsonDict) -> JsonDict:
        """Assign the next update_id and queue; caller holds the lock."""
        update = {"update_id": self._next_update_id, **payload}
        self._next_update_id += 1
        self._queue.append(_QueuedUpdate(update))
        self._cond.notify_all()
        return copy.deepcopy(update)

    # ---------------------------------------------------------------- observing

    @property
    def calls(self) -> list[tuple[str, JsonDict]]:
        """Snapshot of every API call: (method name, decoded params); file parts
        appear as :class:`UploadedFile`."""
        with self._cond:
            return copy.deepcopy(self._calls)

    def sent_messages(self, chat_id: int | None = None) -> list[JsonDict]:
        """Messages the bot created with sendMessage/sendPhoto/sendDocument, in order,
        in their current state (edits applied).

        ``"text"``/``"caption"`` is what a user sees (HTML parsed, whitespace trimmed)
        with ``"entities"``; private keys: ``"_raw_text"``/``"_raw_caption"`` as sent,
        ``"_parse_mode"``, ``"_file_bytes"``/``"_file_name"`` for uploads,
        ``"_deleted"`` once deleted.  ``"reply_markup"`` is kept whatever its kind.
        """
        with self._cond:
            return copy.deepcopy(self._select_sent(chat_id))

    def wait_for_messages(
        self, count: int, chat_id: int | None = None, timeout: float = 10.0
    ) -> list[JsonDict]:
        """Block until the bot sent at least ``count`` messages (to ``chat_id``)."""
        return self._wait_sync(
            lambda: self._probe_messages(count, chat_id),
            timeout,
            lambda: self._describe_messages(count, chat_id, timeout),
        )

    async def await_messages(
        self, count: int, chat_id: int | None = None, timeout: float = 10.0
    ) -> list[JsonDict]:
        """Like :meth:`wait_for_messages`, but yields to the event loop while waiting."""
        return await self._wait_async(
            lambda: self._probe_messages(count, chat_id),
            timeout,
            lambda: self._describe_messages(count, chat_id, timeout),
        )

    def wait_for_call(self, method: str, timeout: float = 10.0) -> JsonDict:
        """Block until ``method`` was called and return its params.

        Each call is returned once: repeated waits for the same method walk through
        its calls in order, so "the next answerCallbackQuery" is easy to wait for.
        """
        return self._wait_sync(
            lambda: self._probe_call(method), timeout, lambda: self._describe_calls(method, timeout)
        )

    async def await_call(self, method: str, timeout: float = 10.0) -> JsonDict:
        """Like :meth:`wait_for_call`, but yields to the event loop while waiting."""
        return await self._wait_async(
            lambda: self._probe_call(method), timeout, lambda: self._describe_calls(method, timeout)
        )

    def commands(
        self,
        scope_type: str = "default",
        *,
        chat_id: int | None = None,
        user_id: int | None = None,
        language_code: str = "",
    ) -> list[JsonDict]:
        """The commands last set with setMyCommands for that scope and language."""
        scope: JsonDict = {"type": scope_type}
        if chat_id is not None:
            scope["chat_id"] = chat_id
        if user_id is not None:
            scope["user_id"] = user_id
        with self._cond:
            return copy.deepcopy(self._commands.get(self._scope_key(scope, language_code), []))

    @property
    def confirmed_offset(self) -> int:
        """Highest offset the client has confirmed via getUpdates (0 = none yet)."""
        with self._cond:
            return self._confirmed_offset

    def pending_updates(self) -> list[JsonDict]:
        """Updates not yet confirmed by the client, in queue order."""
        with self._cond:
            return [copy.deepcopy(entry.update) for entry in self._queue]

    def _select_sent(self, chat_id: int | None) -> list[JsonDict]:
        return [m for m in self._sent if chat_id is None or m["chat"]["id"] == chat_id]

    def _probe_messages(self, count: int, chat_id: int | None) -> list[JsonDict] | None:
        selected = self._select_sent(chat_id)
        return copy.deepcopy(selected) if len(selected) >= count else None

    def _describe_messages(self, count: int, chat_id: int | None, timeout: float) -> str:
        where = "" if chat_id is None else f" in chat {chat_id}"
        arrived = [
            m.get("text", m.get("caption", "<media>")) for m in self._select_sent(chat_id)
        ]
        return (
            f"expected {count} bot message(s){where} within {timeout}s,"
            f" got {len(arrived)}: {arrived}"
        )

    def _probe_call(self, method: str) -> JsonDict | None:
        for index, (name, params) in enumerate(self._calls):
            if name == method and index not in self._calls_taken:
                self._calls_taken.add(index)
                return copy.deepcopy(params)
        return None

    def _describe_calls(self, method: str, timeout: float) -> str:
        seen = [name for name, _ in self._calls if name != "getUpdates"]
        return f"no new {method} call within {timeout}s; calls so far (without getUpdates): {seen}"

    def _wait_sync(
        self, probe: Callable[[], Any], timeout: float, describe: Callable[[], str]
    ) -> Any:
        deadline = time.monotonic() + timeout
        with self._cond:
            while (result := probe()) is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(describe())
                self._cond.wait(remaining)
            return result

    async def _wait_async(
        self, probe: Callable[[], Any], timeout: float, describe: Callable[[], str]
    ) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            with self._cond:
                if (result := probe()) is not None:
                    return result
                if time.monotonic() >= deadline:
                    raise AssertionError(describe())
            await asyncio.sleep(0.01)

    # --------------------------------------------------------- failure injection

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 429,
        description: str = "Too Many Requests: retry after 1",
        retry_after: int | None = 1,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an error.

        ``retry_after`` is only sent with 429 errors, as Telegram does; PTB turns any
        error carrying it into ``RetryAfter``, whatever the status code.
        """
        parameters = {"retry_after": retry_after} if error_code == 429 and retry_after else None
        with self._cond:
            canonical = self._canonical.get(method.lower(), method)
            self._failures.setdefault(canonical, []).extend(
                _ApiError(error_code, description, parameters) for _ in range(times)
            )

    # Methods that post into a chat, which fail_chat's errors apply to.
    _POSTING = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendChatAction"})

    def fail_chat(
        self,
        chat_id: int,
        *,
        error_code: int = 403,
        description: str = "Forbidden: bot was kicked from the group chat",
        retry_after: int | None = None,
        times: int | None = None,
    ) -> None:
        """Answer calls that post into ``chat_id`` with an error, leaving other chats alone.

        ``times`` None makes it permanent (the bot was kicked, the chat deleted:
        ``error_code=400, description="Bad Request: chat not found"``); a number fails only
        the next that many calls, e.g. a flood limit (``error_code=429, retry_after=2``) or
        a Bot API outage (``error_code=502, description="Bad Gateway"``).
        """
        parameters = {"retry_after": retry_after} if error_code == 429 and retry_after else None
        error = _ApiError(error_code, description, parameters)
        with self._cond:
            if times is None:
                self._chat_failures[chat_id] = error
            else:
                pending = self._chat_failures.get(chat_id)
                queue = pending if isinstance(pending, list) else []
                queue.extend(_ApiError(error_code, description, parameters) for _ in range(times))
                self._chat_failures[chat_id] = queue

    def restore_chat(self, chat_id: int) -> None:
        """Stop failing calls into ``chat_id``."""
        with self._cond:
            self._chat_failures.pop(chat_id, None)

    def _chat_failure(self, method: str, params: JsonDict) -> _ApiError | None:
        if method not in self._POSTING:
            return None
        found = self._chat_failures.get(params.get("chat_id"))  # type: ignore[arg-type]
        if isinstance(found, list):
            return found.pop(0) if found else None
        return found

    # --------------------------------------------------------------- HTTP layer

    def _route(
        self, path: str, query: str, content_type: str, body: bytes
    ) -> tuple[int, str, bytes]:
        """Answer one HTTP request: file downloads under /file/bot<token>/, API
        methods under /bot<token>/<method>."""
        unauthorized = {"ok": False, "error_code": 401, "description": "Unauthorized"}
        not_found = {"ok": False, "error_code": 404, "description": "Not Found"}
        path = unquote(path)  # PTB percent-encodes file URLs, including the token's ":"
        if path.startswith("/file/bot"):
            token, _, file_path = path.removeprefix("/file/bot").partition("/")
            if token != self.token:
                return _json_response(401, unauthorized)
            with self._cond:
                stored = self._files_by_path.get(file_path)
            if stored is None:
                return _json_response(404, not_found)
            return 200, "application/octet-stream", stored.data
        if not path.startswith("/bot"):
            return _json_response(404, not_found)
        token, _, method = path.removeprefix("/bot").partition("/")
        if token != self.token:
            return _json_response(401, unauthorized)
        try:
            params = self._decode_params(query, content_type, body)
        except _ApiError as err:
            return _json_response(err.code, err.payload())
        status, payload = self._call(method, params)
        return _json_response(status, payload)

    @staticmethod
    def _decode_params(query: str, content_type: str, body: bytes) -> JsonDict:
        fields = parse_qsl(query, keep_blank_values=True)
        uploads: dict[str, UploadedFile] = {}
        mime = content_type.split(";")[0].strip().lower()
        if mime == "application/x-www-form-urlencoded":
            fields += parse_qsl(body.decode(), keep_blank_values=True)
        elif mime == "multipart/form-data":
            more, uploads = _parse_multipart(body, content_type)
            fields += more
        elif body:
            raise _bad_request(f"unsupported Content-Type {content_type!r}")
        params: JsonDict = {key: _decode_value(key, value) for key, value in fields}
        for name, upload in uploads.items():
            referring = [k for k, v in params.items() if v == f"attach://{name}"]
            for key in referring or [name]:
                params[key] = upload
        return params

    def _call(self, method: str, params: JsonDict) -> tuple[int, JsonDict]:
        with self._cond:
            canonical = self._canonical.get(method.lower(), method)
            self._calls.append((canonical, params))
            try:
                failures = self._failures.get(canonical)
                if failures:
                    raise failures.pop(0)
                chat_failure = self._chat_failure(canonical, params)
                if chat_failure is not None:
                    raise chat_failure
                handler = self._handlers.get(canonical)
                if handler is None:
                    raise _ApiError(404, "Not Found")
                result = handler(params)
            except _ApiError as err:
                return err.code, err.payload()
            finally:
                self._cond.notify_all()
            return 200, {"ok": True, "result": result}

    # ------------------------------------------------- method implementations
    # All run with self._cond held (see _call).

    def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        if self._webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active;"
                " use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        deadline = time.monotonic() + max(float(params.get("timeout") or 0), 0.0)
        if "allowed_updates" in params:
            allowed = params["allowed_updates"]
            self._allowed_updates = frozenset(allowed) if allowed else None
        if offset > 0:
            self._confirmed_offset = max(self._confirmed_offset, offset)
            self._queue = [
                q
                for q in self._queue
                if q.update["update_id"] >= offset or (q.redelivery and not q.delivered)
            ]
        elif offset < 0:
            self._queue = self._queue[offset:]
        # A newer getUpdates ends an older one with 409, as Telegram does when two
        # bot instances poll at the same time.
        self._poll_generation += 1
        generation = self._poll_generation
        self._cond.notify_all()
        while not self._stopped:
            if generation != self._poll_generation:
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request;"
                    " make sure that only one bot instance is running",
                )
            batch = [q for q in self._queue if self._is_allowed(q.update)]
            if batch:
                batch = sorted(batch, key=lambda q: q.update["update_id"])[:limit]
                for entry in batch:
                    entry.delivered = True
                return [copy.deepcopy(entry.update) for entry in batch]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._cond.wait(remaining)
        return []

    def _is_allowed(self, update: JsonDict) -> bool:
        """Whether the update's type passes the last allowed_updates filter."""
        kinds = update.keys() - {"update_id"}
        return self._allowed_updates is None or bool(kinds & self._allowed_updates)

    def _delete_webhook(self, params: JsonDict) -> bool:
        self._webhook_url = ""
        if params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    def _set_webhook(self, params: JsonDict) -> bool:
        self._webhook_url = str(params.get("url") or "")
        if params.get("drop_pending_updates"):
            self._queue.clear()
        return True

    def _get_webhook_info(self, _params: JsonDict) -> JsonDict:
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }

    def _send_message(self, params: JsonDict) -> JsonDict:
        text, entities = self._format(
            params.get("text"),
            params.get("parse_mode"),
            params.get("entities"),
            limit=MAX_MESSAGE_LENGTH,
            too_long="message is too long",
        )
        if not text:
            raise _bad_request("message text is empty")
        content: JsonDict = {"text": text, "_raw_text": params.get("text")}
        if entities:
            content["entities"] = entities
        return self._bot_message(params, content)

    def _send_photo(self, params: JsonDict) -> JsonDict:
        stored, upload_name = self._input_file(params, "photo", "photos")
        size = _image_size(stored.data)
        if size is None:
            raise _bad_request("IMAGE_PROCESS_FAILED")
        content: JsonDict = {"photo": [self._photo_size(stored, size)]}
        return self._bot_message(params, self._media_content(content, params, stored, upload_name))

    def _send_document(self, params: JsonDict) -> JsonDict:
        stored, upload_name = self._input_file(params, "document", "documents")
        upload = params["document"]
        document: JsonDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }
        if isinstance(upload, UploadedFile):
            document["file_name"] = upload.file_name
            document["mime_type"] = upload.mime_type
        content: JsonDict = {"document": document}
        return self._bot_message(params, self._media_content(content, params, stored, upload_name))

    def _media_content(
        self, content: JsonDict, params: JsonDict, stored: _StoredFile, upload_name: str | None
    ) -> JsonDict:
        """Add the caption and the private upload keys to a photo/document message."""
        content["_file_bytes"] = stored.data
        content["_file_name"] = upload_name
        if params.get("caption"):
            caption, entities = self._format(
                params["caption"],
                params.get("parse_mode"),
                params.get("caption_entities"),
                limit=MAX_CAPTION_LENGTH,
                too_long="message caption is too long",
            )
            content["_raw_caption"] = params["caption"]
            if caption:
                content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        return content

    def _edit_message_text(self, params: JsonDict) -> JsonDict:
        record = self._editable(params)
        text, entities = self._format(
            params.get("text"),
            params.get("parse_mode"),
            params.get("entities"),
            limit=MAX_MESSAGE_LENGTH,
            too_long="message is too long",
        )
        if not text:
            raise _bad_request("message text is empty")
        if "text" not in record:
            raise _bad_request("there is no text in the message to edit")
        markup = self._checked_markup(params)
        if (
            text == record["text"]
            and entities == record.get("entities", [])
            and markup == _inline_markup(record.get("reply_markup"))
        ):
            raise _bad_request(_NOT_MODIFIED)
        record.update(text=text, _raw_text=params.get("text"), edit_date=int(time.time()))
        record.pop("entities", None)
        if entities:
            record["entities"] = entities
        self._set_inline_markup(record, markup)
        return _public(record)

    def _edit_message_reply_markup(self, params: JsonDict) -> JsonDict:
        record = self._editable(params)
        markup = self._checked_markup(params)
        if markup == _inline_markup(record.get("reply_markup")):
            raise _bad_request(_NOT_MODIFIED)
        record["edit_date"] = int(time.time())
        self._set_inline_markup(record, markup)
        return _public(record)

    def _delete_message(self, params: JsonDict) -> bool:
        record = self._find_message(self._chat_id(params), params.get("message_id"))
        if record is None:
            raise _bad_request("message to delete not found")
        record["_deleted"] = True
        return True

    def _answer_callback_query(self, params: JsonDict) -> bool:
        query_id = params.get("callback_query_id")
        if query_id not in self._open_callback_queries:
            raise _bad_request(_QUERY_INVALID)
        self._open_callback_queries.discard(query_id)
        return True

    def _set_my_commands(self, params: JsonDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request('parameter "commands" is required')
        if len(commands) > 100:
            raise _bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not _COMMAND_RE.match(str(command.get("command", ""))):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._scope_key(params.get("scope"), params.get("language_code"))
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        key = self._scope_key(params.get("scope"), params.get("language_code"))
        return self._commands.get(key, [])

    def _delete_my_commands(self, params: JsonDict) -> bool:
        self._commands.pop(self._scope_key(params.get("scope"), params.get("language_code")), None)
        return True

    def _send_chat_action(self, params: JsonDict) -> bool:
        self._chat_for_bot(params)
        return True

    def _get_file(self, params: JsonDict) -> JsonDict:
        stored = self._files.get(str(params.get("file_id")))
        if stored is None:
            raise _bad_request("invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD_BYTES:
            raise _bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    # ------------------------------------------------------------------ helpers
    # All called with self._cond held.

    @staticmethod
    def _scope_key(scope: Any, language_code: Any) -> tuple[str, str]:
        return json.dumps(scope or {"type": "default"}, sort_keys=True), str(language_code or "")

    @staticmethod
    def _chat_id(params: JsonDict) -> Any:
        if params.get("chat_id") in (None, ""):
            raise _bad_request("chat_id is empty")
        return params["chat_id"]

    def _chat_for_bot(self, params: JsonDict) -> JsonDict:
        chat_id = self._chat_id(params)
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            if isinstance(chat_id, int) and chat_id > 0:
                raise _ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            raise _bad_request("chat not found")
        return chat

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _find_message(self, chat_id: Any, message_id: Any) -> JsonDict | None:
        record = self._messages.get((chat_id, message_id))
        return None if record is None or record.get("_deleted") else record

    @staticmethod
    def _as_reply(target: JsonDict) -> JsonDict:
        """Telegram does not nest reply_to_message inside reply_to_message."""
        reply = _public(target)
        reply.pop("reply_to_message", None)
        return reply

    @staticmethod
    def _format(
        raw: Any, parse_mode: Any, entities: Any, *, limit: int, too_long: str
    ) -> tuple[str, list[JsonDict]]:
        """Apply parse_mode (or explicit entities), trim, and enforce the length limit."""
        if not isinstance(raw, str):
            return "", []
        mode = str(parse_mode or "").lower()
        if mode == "html":
            text, found = _parse_html(raw)
        elif mode in ("markdown", "markdownv2"):
            text, found = raw, []
        elif mode:
            raise _bad_request("unsupported parse_mode")
        else:
            text, found = raw, list(entities or [])
        text, found = _trim(text, found)
        if len(text) > limit:
            raise _bad_request(too_long)
        return text, found

    @staticmethod
    def _checked_markup(params: JsonDict) -> Any:
        markup = params.get("reply_markup")
        if markup is not None and not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        for row in (_inline_markup(markup) or {}).get("inline_keyboard", []):
            for button in row:
                if "callback_data" in button:
                    data_size = len(str(button["callback_data"]).encode())
                    if not 1 <= data_size <= MAX_CALLBACK_DATA_BYTES:
                        raise _bad_request("BUTTON_DATA_INVALID")
                elif set(button) <= {"text"}:
                    raise _bad_request("text buttons are unallowed in the inline keyboard")
        return markup

    @staticmethod
    def _set_inline_markup(record: JsonDict, markup: Any) -> None:
        """Edits replace the inline keyboard; omitting reply_markup removes it."""
        if markup is not None:
            record["reply_markup"] = markup
        elif _inline_markup(record.get("reply_markup")) is not None:
            del record["reply_markup"]

    def _bot_message(self, params: JsonDict, content: JsonDict) -> JsonDict:
        chat = self._chat_for_bot(params)
        markup = self._checked_markup(params)
        record: JsonDict = {
            "message_id": self._new_message_id(chat["id"]),
            "from": dict(self.bot_user),
            "chat": dict(chat),
            "date": int(time.time()),
            **content,
            "_parse_mode": params.get("parse_mode"),
        }
        reply = params.get("reply_parameters") or {}
        reply_to = reply.get("message_id", params.get("reply_to_message_id"))
        if reply_to is not None:
            target = self._find_message(reply.get("chat_id", chat["id"]), reply_to)
            if target is not None:
                record["reply_to_message"] = self._as_reply(target)
            elif not (
                reply.get("allow_sending_without_reply")
                or params.get("allow_sending_without_reply")
            ):
                raise _bad_request("message to be replied not found")
        if markup is not None:
            record["reply_markup"] = markup
        self._messages[(chat["id"], record["message_id"])] = record
        self._sent.append(record)
        return _public(record)

    def _editable(self, params: JsonDict) -> JsonDict:
        if params.get("inline_message_id"):
            raise _bad_request("inline messages are not supported by FakeBotApi")
        if params.get("message_id") is None:
            raise _bad_request("message identifier is not specified")
        record = self._find_message(self._chat_id(params), params["message_id"])
        if record is None:
            raise _bad_request("message to edit not found")
        if not record.get("from", {}).get("is_bot"):
            raise _bad_request("message can't be edited")
        return record

    def _input_file(
        self, params: JsonDict, field: str, folder: str
    ) -> tuple[_StoredFile, str | None]:
        """Resolve an uploaded file or a known file_id; URLs cannot be fetched here."""
        value = params.get(field)
        if isinstance(value, UploadedFile):
            return self._store_file(value.data, folder, value.file_name), value.file_name
        if not value:
            raise _bad_request(f"there is no {field} in the request")
        stored = self._files.get(str(value))
        if stored is None:
            raise _bad_request("wrong file identifier/HTTP URL specified")
        return stored, None

    def _store_file(self, data: bytes, folder: str, file_name: str | None) -> _StoredFile:
        number = len(self._files) + 1
        suffix = PurePosixPath(file_name).suffix if file_name else ".jpg"
        stored = _StoredFile(
            file_id=f"fake-file-{number}",
            file_unique_id=f"fake-unique-{number}",
            file_path=f"{folder}/file_{number}{suffix}",
            data=bytes(data),
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    @staticmethod
    def _photo_size(stored: _StoredFile, size: tuple[int, int]) -> JsonDict:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "width": size[0],
            "height": size[1],
        }
