"""Shared fixtures: a migrated database on SQLite and, when configured, on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from domain.services import Actor, Context
from storage.db import make_engine
from storage.migrate import upgrade
from storage.unit_of_work import SqlUnitOfWork
from storage.workspaces import ensure_default_workspace
from tests.databases import drop_database

POSTGRES_ENV = "JXC_TEST_POSTGRES_URL"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def pytest_report_header(config: pytest.Config) -> str:
    if postgres_url():
        return f"PostgreSQL tests: on ({make_url(postgres_url()).render_as_string(hide_password=True)})"
    return f"PostgreSQL tests: SKIPPED — no server configured; set {POSTGRES_ENV} (deploy/postgres-dev.sh prints one)"


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    url = postgres_url()
    if url is None:
        pytest.skip(f"PostgreSQL not configured: set {POSTGRES_ENV} (deploy/postgres-dev.sh prints one)")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"jxc_t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        drop_database(admin, name)
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """The same test on an SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'jxc.sqlite3'}"
    return request.getfixturevalue("postgres_database")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def workspace_id(engine: Engine) -> int:
    return ensure_default_workspace(engine)


@pytest.fixture
def uow_factory(engine: Engine, workspace_id: int):  # type: ignore[no-untyped-def]
    return lambda ws=workspace_id: SqlUnitOfWork(engine, ws)


def make_context(now: datetime | None = None, user_id: int = 1001, name: str = "张三", chat_id: int = 1001) -> Context:
    return Context(Actor(user_id, name, chat_id), now or datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc), SHANGHAI)
