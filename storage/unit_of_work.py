"""The unit of work: one transaction on one workspace; rolls back unless committed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from types import TracebackType
from typing import Self
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlmodel import Session

from storage.db import WRITE_OPTION
from storage.repositories import SqlNumberSequence, SqlProductRepository, SqlStockRepository


_BINDS: WeakKeyDictionary[Engine, dict[bool, Engine]] = WeakKeyDictionary()


def _binds(engine: Engine) -> dict[bool, Engine]:
    """The engine with read or write options, made once per engine (it is not free)."""
    if engine not in _BINDS:
        _BINDS[engine] = {write: engine.execution_options(**{WRITE_OPTION: write}) for write in (False, True)}
    return _BINDS[engine]


class SqlUnitOfWork:
    """``with uow:`` reads; ``with uow.writing():`` takes the write lock up front (SQLite
    ``BEGIN IMMEDIATE``) so that a booking never fails half-way on a busy database."""

    def __init__(self, engine: Engine, workspace_id: int, now: Callable[[], datetime] | None = None) -> None:
        self._engine = engine
        self.workspace_id = workspace_id
        self._now = now or (lambda: datetime.now(timezone.utc))
        self._write = False
        self._committed = False
        self.session: Session | None = None

    def writing(self) -> Self:
        self._write = True
        return self

    def __enter__(self) -> Self:
        bind = _binds(self._engine)[self._write]
        self.session = Session(bind=bind, expire_on_commit=False, autoflush=False)
        self._committed = False
        now = self._now()
        self.numbers = SqlNumberSequence(self.session, self.workspace_id)
        self.products = SqlProductRepository(self.session, self.workspace_id, self.numbers, now)
        self.stock = SqlStockRepository(self.session, self.workspace_id, self.numbers, now)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self.session is not None
        try:
            if not self._committed:
                self.session.rollback()
        finally:
            self.session.close()
            self.session = None
            self._write = False

    def commit(self) -> None:
        assert self.session is not None
        self.session.commit()
        self._committed = True

    def rollback(self) -> None:
        assert self.session is not None
        self.session.rollback()
