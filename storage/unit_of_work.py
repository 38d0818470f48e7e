"""The unit of work: one transaction on one workspace; rolls back unless committed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from types import TracebackType
from typing import Self
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from domain.errors import AlreadyProcessed, ConfirmationExpired
from storage.access_repositories import (
    SqlAuditLog,
    SqlChatRepository,
    SqlConfirmationRepository,
    SqlInvitationRepository,
    SqlMemberRepository,
)
from storage.alert_repositories import SqlAlertRepository
from storage.db import WRITE_OPTION
from storage.document_repositories import SqlDocumentRepository
from storage.entry_repositories import SqlImportJobRepository, SqlLookupChoiceRepository
from storage.repositories import (
    SqlNumberSequence,
    SqlPartnerRepository,
    SqlProductRepository,
    SqlSettingsRepository,
    SqlStockRepository,
    SqlStocktakeRepository,
)
from storage.report_repositories import SqlReportRepository
from storage.tables import ProcessedUpdateRow
from storage.valuation_repositories import (
    SqlBatchRepository,
    SqlPlanningRepository,
    SqlThresholdRepository,
    SqlValuationRepository,
)

_processed = ProcessedUpdateRow.__table__
_RECORD_UPDATE = insert(_processed)
_UPDATE_SEEN = select(_processed.c.update_id).where(
    _processed.c.workspace_id == bindparam("ws"), _processed.c.update_id == bindparam("update")
)


_BINDS: WeakKeyDictionary[Engine, dict[bool, Engine]] = WeakKeyDictionary()


def _binds(engine: Engine) -> dict[bool, Engine]:
    """The engine with read or write options, made once per engine (it is not free)."""
    if engine not in _BINDS:
        _BINDS[engine] = {write: engine.execution_options(**{WRITE_OPTION: write}) for write in (False, True)}
    return _BINDS[engine]


class SqlUnitOfWork:
    """``with uow:`` reads; ``with uow.writing():`` takes the write lock up front (SQLite
    ``BEGIN IMMEDIATE``) so that a booking never fails half-way on a busy database."""

    def __init__(
        self,
        engine: Engine,
        workspace_id: int,
        now: Callable[[], datetime] | None = None,
        update_id: int | None = None,
        chat_id: int = 0,
        confirmation: str | None = None,
    ) -> None:
        self._engine = engine
        self.workspace_id = workspace_id
        self.update_id = update_id
        self.confirmation = confirmation
        self._chat_id = chat_id
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
        self.members = SqlMemberRepository(self.session, self.workspace_id)
        self.invitations = SqlInvitationRepository(self.session, self.workspace_id)
        self.chats = SqlChatRepository(self.session, self.workspace_id)
        self.audit = SqlAuditLog(self.session, self.workspace_id, self.numbers)
        self.confirmations = SqlConfirmationRepository(self.session, self.workspace_id)
        self.stocktakes = SqlStocktakeRepository(self.session, self.workspace_id, self.numbers)
        self.settings = SqlSettingsRepository(self.session, self.workspace_id)
        self.partners = SqlPartnerRepository(self.session, self.workspace_id, self.numbers, now)
        self.documents = SqlDocumentRepository(self.session, self.workspace_id, self.numbers)
        self.lookup_choices = SqlLookupChoiceRepository(self.session, self.workspace_id)
        self.import_jobs = SqlImportJobRepository(self.session, self.workspace_id)
        self.valuation = SqlValuationRepository(self.session, self.workspace_id, self.numbers)
        self.batches = SqlBatchRepository(self.session, self.workspace_id, self.numbers)
        self.thresholds = SqlThresholdRepository(self.session, self.workspace_id)
        self.planning = SqlPlanningRepository(self.session, self.workspace_id)
        self.reports = SqlReportRepository(self.session, self.workspace_id)
        self.alerts = SqlAlertRepository(self.session, self.workspace_id, self.numbers)
        self._now_value = now
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
        if (
            isinstance(exc, Exception)
            and not isinstance(exc, AlreadyProcessed)
            and self.update_id is not None
            and self.update_seen(self.update_id)
        ):
            # Two replicas given the same update: the loser can fail on the winner's effects
            # (its product code is taken, its stock is gone) before its own commit would find
            # the update id; what the user needs to hear is that the update took effect.
            raise AlreadyProcessed(self.update_id) from exc

    def commit(self) -> None:
        assert self.session is not None
        if self.confirmation is not None and not self.confirmations.mark_used(self.confirmation):
            self.session.rollback()
            raise ConfirmationExpired()
        if self.update_id is not None:
            # The update's identity goes in with its effects: a redelivery finds it and stops,
            # and of two replicas racing with the same update only one commit succeeds.
            try:
                self.session.execute(
                    _RECORD_UPDATE,
                    dict(
                        workspace_id=self.workspace_id,
                        update_id=self.update_id,
                        chat_id=self._chat_id,
                        recorded_at=self._now_value,
                    ),
                )
                self.session.flush()
            except IntegrityError:
                self.session.rollback()
                raise AlreadyProcessed(self.update_id) from None
        self.session.commit()
        self._committed = True

    def update_seen(self, update_id: int) -> bool:
        with Session(self._engine) as session:
            found = session.execute(_UPDATE_SEEN, {"ws": self.workspace_id, "update": update_id}).first()
        return found is not None

    def rollback(self) -> None:
        assert self.session is not None
        self.session.rollback()
