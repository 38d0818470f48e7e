"""Tables of the faster-entry work: remembered product picks and sheets awaiting 导入有效行."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKeyConstraint, Text
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime


class LookupChoiceRow(SQLModel, table=True):
    """What a user picked when a name or pinyin matched several products."""

    __tablename__ = "lookup_choice"
    __table_args__ = (ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),)

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    user_id: int = Field(primary_key=True, sa_type=BigInteger)
    query: str = Field(primary_key=True, max_length=32)
    code: str = Field(max_length=32)
    chosen_at: datetime = Field(sa_type=UtcDateTime)


class ImportJobRow(SQLModel, table=True):
    """A checked sheet with errors, kept until its 导入有效行 button is pressed (or a day passes)."""

    __tablename__ = "import_job"
    __table_args__ = (ForeignKeyConstraint(["workspace_id"], ["workspace.id"]),)

    workspace_id: int = Field(primary_key=True, sa_type=BigInteger)
    token: str = Field(primary_key=True, max_length=24)
    kind: str = Field(max_length=8)
    rows: str = Field(sa_type=Text)  # JSON: a list of rows of text cells, the header first
    created_at: datetime = Field(sa_type=UtcDateTime)
