"""Shared fixtures for the chat-edge tests: a fixed "today", a real dispatcher on an in-memory
database, and a checker for the Telegram HTML subset."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, timezone

import pytest

from bot.app import Runtime, build_runtime
from bot.clock import ManualClock
from bot.settings import Settings
from tests.bot.chatkit import GENEROUS_RATE, assert_books_ok, empty_database, fresh_database, make_runtime

TODAY = date(2026, 11, 22)
# 02:00 UTC is 10:00 in Asia/Shanghai, the same calendar day as TODAY.
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)
OWNER_ID = 1001

# Telegram's parse_mode=HTML accepts more (strong, em, tg-spoiler …); the bot promises this subset.
ALLOWED_TAGS = frozenset({"b", "i", "u", "s", "code", "pre", "a"})
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)([^<>]*)>")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]+|#x[0-9A-Fa-f]+);")


def telegram_html_problems(text: str) -> list[str]:
    """Everything Telegram's HTML parser would reject (or the bot's subset forbids)."""
    problems: list[str] = []
    stack: list[str] = []
    position = 0
    segments: list[str] = []
    for match in _TAG.finditer(text):
        segments.append(text[position : match.start()])
        position = match.end()
        closing, name, attributes = match.group(1), match.group(2).lower(), match.group(3)
        if name not in ALLOWED_TAGS:
            problems.append(f"tag <{name}> is not allowed")
            continue
        if closing:
            if not stack or stack[-1] != name:
                problems.append(f"</{name}> closes {'<' + stack[-1] + '>' if stack else 'nothing'}")
            else:
                stack.pop()
            continue
        if attributes.strip() and not (name == "a" and re.fullmatch(r'\s+href="[^"<>]*"', attributes)):
            problems.append(f"<{name}{attributes}> has attributes")
        stack.append(name)
    segments.append(text[position:])
    for segment in segments:
        for bad in ("<", ">"):
            if bad in segment:
                problems.append(f"bare {bad!r} in text {segment[:40]!r}")
        for index, char in enumerate(segment):
            if char == "&" and _ENTITY.match(segment, index) is None:
                problems.append(f"bare '&' in text {segment[max(0, index - 10) : index + 10]!r}")
    if stack:
        problems.append(f"unclosed tags {stack}")
    return problems


@pytest.fixture
def check_html() -> Callable[[str], None]:
    """Assert that a reply is well-formed Telegram HTML within the bot's tag subset."""

    def check(text: str) -> None:
        problems = telegram_html_problems(text)
        assert not problems, f"{problems} in:\n{text}"

    return check


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def runtime(clock: ManualClock) -> Iterator[Runtime]:
    """A fresh in-memory database per test (sqlite:// uses one static connection).

    The clock stands still, so the rate limit is set far above what a test sends; the rate
    limit itself is tested with its own small setting (test_chat_guards.py)."""
    settings = Settings(
        database_url="sqlite://", jxc_owner_ids=str(OWNER_ID), jxc_rate_limit=GENEROUS_RATE, _env_file=None
    )
    runtime = build_runtime(settings, clock)
    yield runtime
    assert_books_ok(runtime)  # `jxc check` after every scenario, for every workspace
    runtime.engine.dispose()


@pytest.fixture(scope="session")
def bot_postgres_url() -> Iterator[str]:
    """One PostgreSQL database for the chat tests, emptied before each (see any_runtime)."""
    with fresh_database("postgres") as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_runtime(request: pytest.FixtureRequest, clock: ManualClock) -> Iterator[Runtime]:
    """The same scenario on in-memory SQLite and, when configured, on PostgreSQL (JXC_TEST_POSTGRES_URL)."""
    if request.param == "sqlite":
        url = "sqlite://"
    else:
        url = request.getfixturevalue("bot_postgres_url")
        empty_database(url)
    runtime = make_runtime(url, clock)
    yield runtime
    assert_books_ok(runtime)
    runtime.engine.dispose()
