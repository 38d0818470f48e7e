"""Repositories of the faster-entry work (lookup_choice, import_job)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlmodel import Session

from domain.ports import ImportJob
from storage.entry_tables import ImportJobRow, LookupChoiceRow

JOB_LIFETIME = timedelta(days=1)


class SqlLookupChoiceRepository:
    def __init__(self, session: Session, workspace_id: int) -> None:
        self._session = session
        self._workspace_id = workspace_id

    def get(self, user_id: int, query: str) -> str | None:
        row = self._session.get(LookupChoiceRow, (self._workspace_id, user_id, query.casefold()[:32]))
        return row.code if row is not None else None

    def remember(self, user_id: int, query: str, code: str, at: datetime) -> None:
        key = (self._workspace_id, user_id, query.casefold()[:32])
        row = self._session.get(LookupChoiceRow, key)
        if row is None:
            row = LookupChoiceRow(workspace_id=key[0], user_id=user_id, query=key[2], code=code, chosen_at=at)
        else:
            row.code, row.chosen_at = code, at
        self._session.add(row)
        self._session.flush()


class SqlImportJobRepository:
    def __init__(self, session: Session, workspace_id: int) -> None:
        self._session = session
        self._workspace_id = workspace_id

    def add(self, job: ImportJob) -> None:
        table = ImportJobRow.__table__
        self._session.execute(
            delete(table).where(table.c.workspace_id == self._workspace_id, table.c.created_at < job.created_at - JOB_LIFETIME)
        )
        self._session.add(
            ImportJobRow(
                workspace_id=self._workspace_id,
                token=job.token,
                kind=job.kind,
                rows=json.dumps([list(row) for row in job.rows], ensure_ascii=False),
                created_at=job.created_at,
            )
        )
        self._session.flush()

    def get(self, token: str) -> ImportJob | None:
        table = ImportJobRow.__table__
        row = self._session.execute(
            select(table).where(table.c.workspace_id == self._workspace_id, table.c.token == token)
        ).first()
        if row is None:
            return None
        rows = tuple(tuple(str(cell) for cell in cells) for cells in json.loads(row.rows))
        return ImportJob(row.token, row.kind, rows, row.created_at)
