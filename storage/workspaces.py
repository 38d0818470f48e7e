"""Creating and listing workspaces (账套), each with its default warehouse."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Engine, func, text
from sqlmodel import Session, select

from storage.db import WRITE_OPTION
from storage.tables import CounterRow, WarehouseRow, WorkspaceRow

DEFAULT_WORKSPACE_NAME = "默认账套"
DEFAULT_WAREHOUSE_NAME = "主仓"


def create_workspace(session: Session, name: str, timezone_name: str = "Asia/Shanghai") -> int:
    """Insert a workspace with its default warehouse; the caller commits."""
    if session.get_bind().dialect.name == "postgresql":
        # Ids are max + 1: two creations at once must not read the same max. Creating a
        # workspace is rare, so a table lock until commit costs nothing that matters.
        session.execute(text("LOCK TABLE workspace IN SHARE ROW EXCLUSIVE MODE"))
    next_id = (session.scalar(select(func.max(WorkspaceRow.id))) or 0) + 1
    session.add(WorkspaceRow(id=next_id, name=name, timezone=timezone_name, created_at=datetime.now(timezone.utc)))
    session.flush()
    session.add(WarehouseRow(workspace_id=next_id, id=1, name=DEFAULT_WAREHOUSE_NAME, is_default=True))
    session.add(CounterRow(workspace_id=next_id, key="id:warehouse", value=1))
    session.flush()
    return next_id


def ensure_default_workspace(engine: Engine, timezone_name: str = "Asia/Shanghai") -> int:
    """Return the first workspace's id, creating it on a fresh database."""
    with Session(engine.execution_options(**{WRITE_OPTION: True})) as session:
        existing = session.exec(select(WorkspaceRow.id).order_by(WorkspaceRow.id)).first()
        if existing is not None:
            return existing
        workspace_id = create_workspace(session, DEFAULT_WORKSPACE_NAME, timezone_name)
        session.commit()
        return workspace_id


def workspace_ids(engine: Engine) -> list[int]:
    with Session(engine) as session:
        return list(session.exec(select(WorkspaceRow.id).order_by(WorkspaceRow.id)))


def workspace_timezone(engine: Engine, workspace_id: int) -> str:
    with Session(engine) as session:
        return session.exec(select(WorkspaceRow.timezone).where(WorkspaceRow.id == workspace_id)).one()
