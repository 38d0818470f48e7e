"""The composition root: the only module that wires storage to the chat edge."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Engine

from bot.alert_jobs import AlertBackend
from bot.clock import SystemClock
from bot.dispatcher import Dispatcher, RateLimiter
from bot.settings import Settings
from domain.alert_services import DocumentOpenItems
from domain.ports import Clock
from storage.access_repositories import SqlDirectory, ensure_owners
from storage.backup import make_backup_directory
from storage.alert_repositories import prune_housekeeping
from storage.db import make_engine
from storage.migrate import upgrade
from storage.unit_of_work import SqlUnitOfWork
from storage.workspaces import ensure_default_workspace, workspace_ids

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """What every entry point needs: the database and a dispatcher on it."""

    engine: Engine
    workspace_id: int
    dispatcher: Dispatcher
    clock: Clock


def open_database(url: str, timezone_name: str) -> tuple[Engine, int]:
    """Connect, migrate to the newest schema, and make sure a workspace exists."""
    engine = make_engine(url)
    upgrade(engine)
    return engine, ensure_default_workspace(engine, timezone_name)


def build_runtime(settings: Settings, clock: Clock | None = None) -> Runtime:
    clock = clock or SystemClock()
    engine, workspace_id = open_database(settings.database_url, settings.jxc_timezone)
    ensure_owners(engine, workspace_id, settings.owner_ids, clock.now())

    def uow_factory(
        workspace: int, update_id: int | None = None, chat_id: int = 0, confirmation: str | None = None
    ) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            engine, workspace, now=clock.now, update_id=update_id, chat_id=chat_id, confirmation=confirmation
        )

    dispatcher = Dispatcher(
        uow_factory,
        SqlDirectory(engine),
        clock,
        settings.tz,
        console_workspace_id=workspace_id,
        timezone_name=settings.jxc_timezone,
        rate_limit=RateLimiter(*settings.rate_limit),
        backups=make_backup_directory(engine, settings.jxc_backup_dir, settings.jxc_backup_keep),
        operator_ids=settings.owner_ids,
    )
    # The payment alerts (预警, 预警 检查 and the tick) read the documents' open items.
    dispatcher.open_items = DocumentOpenItems
    dispatcher.alert_backend = AlertBackend(
        uow_factory, lambda: workspace_ids(engine), lambda now: prune_housekeeping(engine, now), clock
    )
    return Runtime(engine, workspace_id, dispatcher, clock)
