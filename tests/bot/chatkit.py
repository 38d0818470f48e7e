"""A small kit for dispatcher tests: people, private and group messages, a team built the way
people build it (邀请 → 加入, 绑定), and a snapshot of every table to prove that a refusal
changed nothing."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, create_engine, inspect, select
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from bot.app import Runtime, build_runtime
from bot.clock import ManualClock
from bot.dispatcher import Incoming, Reply
from bot.rendering import Renderer
from bot.settings import Settings
from domain.services import check_books
from storage.tables import StockMovementRow
from storage.unit_of_work import SqlUnitOfWork
from storage.workspaces import workspace_ids
from tests.databases import drop_database

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)  # 10:00 in Asia/Shanghai
GENEROUS_RATE = "100000/60"  # tests send many commands while the clock stands still


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    username: str = ""


OWNER = Person(1001, "老王", "laowang")  # JXC_OWNER_IDS: 老板 of 默认账套 (id 1)
STRANGER = Person(777001, "路人甲", "passerby")


def make_runtime(
    url: str = "sqlite://", clock: ManualClock | None = None, rate: str = GENEROUS_RATE, owners: str = "1001"
) -> Runtime:
    settings = Settings(database_url=url, jxc_owner_ids=owners, jxc_rate_limit=rate, _env_file=None)
    return build_runtime(settings, clock or ManualClock(NOW))


# ---- messages ------------------------------------------------------------------------------


def private(text: str, person: Person = OWNER, **kwargs: object) -> Incoming:
    return Incoming(text, person.user_id, person.name, person.user_id, "private", username=person.username, **kwargs)


def group(text: str, chat_id: int, person: Person = OWNER, **kwargs: object) -> Incoming:
    return Incoming(text, person.user_id, person.name, chat_id, "group", username=person.username, **kwargs)


def console(text: str) -> Incoming:
    return Incoming(text, 0, "控制台", 0, chat_type="console")


def say(runtime: Runtime, incoming: Incoming) -> Reply:
    reply = runtime.dispatcher.handle(incoming)
    assert reply is not None, f"no reply to {incoming.text!r}"
    return reply


def press(runtime: Runtime, incoming: Incoming, data: str) -> Reply:
    reply = runtime.dispatcher.handle_button(incoming, data)
    assert reply is not None, f"no reply to the button {data!r}"
    return reply


def ok(reply: Reply, start: str | tuple[str, ...] = "✅") -> Reply:
    assert reply.html.startswith(start), reply.html
    return reply


# ---- building a team -----------------------------------------------------------------------

_CODE = re.compile(r"加入 (\d+-[0-9A-Z]{8})</code>")


def invite(runtime: Runtime, role: str, inviter: Person = OWNER) -> str:
    """The inviter sends `邀请 <role>` in private; returns the code from the reply."""
    reply = say(runtime, private(f"邀请 {role}", inviter))
    found = _CODE.search(reply.html)
    assert found is not None, reply.html
    return found.group(1)


def join(runtime: Runtime, role: str, person: Person, inviter: Person = OWNER) -> None:
    """Invite ``person`` as ``role`` and let them join in their private chat."""
    code = invite(runtime, role, inviter)
    reply = say(runtime, private(f"加入 {code}", person))
    assert reply.html.startswith("✅ 已加入"), reply.html
    assert f"角色：{role}" in reply.html, reply.html


def bind(runtime: Runtime, chat_id: int, workspace_id: int = 1, by: Person = OWNER) -> None:
    reply = say(runtime, group(f"绑定 {workspace_id}", chat_id, by))
    assert reply.html.startswith("✅ 本群已绑定"), reply.html


def create_workspace(runtime: Runtime, name: str, owner: Person) -> int:
    reply = say(runtime, private(f"新建账套 {name}", owner))
    found = re.search(r"编号 <b>(\d+)</b>", reply.html)
    assert reply.html.startswith("✅ 已创建账套") and found is not None, reply.html
    return int(found.group(1))


# ---- what the database holds ---------------------------------------------------------------


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table: equal snapshots mean nothing was written."""
    rows: dict[str, list[tuple[object, ...]]] = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            rows[table.name] = sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
    return rows


def changed_tables(before: dict[str, list[tuple[object, ...]]], after: dict[str, list[tuple[object, ...]]]) -> set[str]:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def assert_books_ok(runtime: Runtime) -> None:
    """`jxc check` for every workspace: balances equal the sum of their movements."""
    for workspace_id in workspace_ids(runtime.engine):
        report = check_books(SqlUnitOfWork(runtime.engine, workspace_id))
        assert report.ok, (workspace_id, report.mismatches)


def movement_numbers(runtime: Runtime, workspace_id: int) -> list[str]:
    """The document numbers of a workspace's ledger, oldest first."""
    table = StockMovementRow.__table__
    with runtime.engine.connect() as connection:
        query = select(table.c.number).where(table.c.workspace_id == workspace_id).order_by(table.c.id)
        return list(connection.scalars(query))


def rendered(template: str, **values: object) -> str:
    """A template as the dispatcher renders it (Asia/Shanghai), for exact comparisons."""
    return Renderer(ZoneInfo("Asia/Shanghai")).render(template, **values)


NOT_A_MEMBER = rendered("errors/not_a_member.html")
CHAT_NOT_BOUND = rendered("errors/chat_not_bound.html")
EDITED = rendered("errors/edited.html")
ALREADY_PROCESSED = rendered("errors/already_processed.html")


def workspace_rows(engine: Engine, workspace_id: int) -> dict[str, list[tuple[object, ...]]]:
    """The rows that belong to one workspace (its workspace row, and every row carrying its id)."""
    rows: dict[str, list[tuple[object, ...]]] = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            column = table.c.get("workspace_id")
            if column is None:
                column = table.c.id  # the workspace table itself
            query = select(table).where(column == workspace_id)
            rows[table.name] = sorted((tuple(row) for row in connection.execute(query)), key=repr)
    return rows


@contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """A URL of a new, empty database: in-memory SQLite, or a PostgreSQL database dropped
    afterwards (for fixtures wider than one test; tests/conftest.py has the per-test one)."""
    if kind == "sqlite":
        yield "sqlite://"
        return
    url = os.environ.get("JXC_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PostgreSQL not configured: set JXC_TEST_POSTGRES_URL")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"jxc_t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(sql(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        drop_database(admin, name)
        admin.dispose()


def empty_database(url: str) -> None:
    """Delete every row of every table (the schema stays): a used database made fresh again,
    much faster than creating a PostgreSQL database per test."""
    engine = create_engine(url)
    try:
        names = [name for name in inspect(engine).get_table_names() if name != "alembic_version"]
        if names:
            with engine.begin() as connection:
                connection.execute(sql("TRUNCATE TABLE " + ", ".join(f'"{name}"' for name in names)))
    finally:
        engine.dispose()
