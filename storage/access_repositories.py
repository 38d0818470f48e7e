"""Repositories for who may do what: members, invitations, chat bindings, the audit log,
pending confirmations, and the directory that routes a chat to its workspace."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Engine, and_, bindparam, delete, func, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from domain.access import ChatSettings, Invitation, Member, Role
from domain.audit import Action, AuditEntry
from domain.errors import AlreadyProcessed
from domain.ports import ChatAccess, PendingConfirmation
from domain.products import FieldChange
from storage.db import WRITE_OPTION
from storage.repositories import SqlNumberSequence, dialect_insert
from storage.tables import (
    AuditEntryRow,
    ChatBindingRow,
    ConfirmationRow,
    InvitationRow,
    MemberRow,
    ProcessedUpdateRow,
    WorkspaceRow,
)
from storage.workspaces import create_workspace

# Owners first, then the roles in the order Role lists them.
_ROLE_ORDER = {role.value: index for index, role in enumerate(Role)}


def _warehouses_text(ids: frozenset[int] | None) -> str:
    return "" if ids is None else ",".join(str(i) for i in sorted(ids))


def _warehouses_ids(text: str) -> frozenset[int] | None:
    return frozenset(int(part) for part in text.split(",")) if text else None


def _make_member(user_id: int, name: str, role: str, username: str, warehouses: str, joined_at: datetime) -> Member:
    return Member(user_id, name, Role(role), username, _warehouses_ids(warehouses), joined_at)


def _member_to_domain(row: MemberRow) -> Member:
    return _make_member(row.user_id, row.name, row.role, row.username, row.warehouses, row.joined_at)


class SqlMemberRepository:
    def __init__(self, session: Session, workspace_id: int) -> None:
        self._session = session
        self._workspace_id = workspace_id

    def get(self, user_id: int) -> Member | None:
        row = self._session.get(MemberRow, (self._workspace_id, user_id))
        return _member_to_domain(row) if row else None

    def add(self, member: Member) -> None:
        self._session.add(
            MemberRow(
                workspace_id=self._workspace_id,
                user_id=member.user_id,
                name=member.name[:64],
                username=member.username[:64],
                role=member.role.value,
                warehouses=_warehouses_text(member.warehouse_ids),
                joined_at=member.joined_at,
            )
        )
        self._session.flush()

    def update(self, member: Member) -> None:
        self._session.execute(
            update(MemberRow)
            .where(MemberRow.workspace_id == self._workspace_id, MemberRow.user_id == member.user_id)
            .values(
                name=member.name[:64],
                username=member.username[:64],
                role=member.role.value,
                warehouses=_warehouses_text(member.warehouse_ids),
            )
        )

    def remove(self, user_id: int) -> None:
        self._session.execute(
            delete(MemberRow).where(MemberRow.workspace_id == self._workspace_id, MemberRow.user_id == user_id)
        )

    def all(self) -> list[Member]:
        rows = self._session.exec(select(MemberRow).where(MemberRow.workspace_id == self._workspace_id))
        members = [_member_to_domain(row) for row in rows]
        return sorted(members, key=lambda m: (_ROLE_ORDER[m.role.value], m.joined_at or datetime.min, m.user_id))


class SqlInvitationRepository:
    def __init__(self, session: Session, workspace_id: int) -> None:
        self._session = session
        self._workspace_id = workspace_id

    def add(self, invitation: Invitation) -> None:
        self._session.add(
            InvitationRow(
                workspace_id=self._workspace_id,
                code=invitation.code,
                role=invitation.role.value,
                created_by=invitation.created_by,
                expires_at=invitation.expires_at,
            )
        )
        self._session.flush()

    def get(self, code: str) -> Invitation | None:
        row = self._session.get(InvitationRow, (self._workspace_id, code))
        if row is None:
            return None
        return Invitation(row.code, Role(row.role), row.created_by, row.expires_at, row.used_by)

    def use(self, code: str, user_id: int, now: datetime) -> bool:
        # Conditional: of two people racing with one code, exactly one gets it.
        result = self._session.execute(
            update(InvitationRow)
            .where(
                InvitationRow.workspace_id == self._workspace_id,
                InvitationRow.code == code,
                InvitationRow.used_by.is_(None),
            )
            .values(used_by=user_id, used_at=now)
        )
        return result.rowcount == 1


class SqlChatRepository:
    def __init__(self, session: Session, workspace_id: int) -> None:
        self._session = session
        self._workspace_id = workspace_id

    def get(self, chat_id: int) -> ChatSettings | None:
        row = self._session.get(ChatBindingRow, chat_id)
        return ChatSettings(row.workspace_id, row.show_sensitive) if row else None

    def bind(self, chat_id: int, bound_by: int, now: datetime) -> None:
        statement = dialect_insert(self._session, ChatBindingRow.__table__).values(
            chat_id=chat_id, workspace_id=self._workspace_id, show_sensitive=False, bound_by=bound_by, bound_at=now
        )
        self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["chat_id"],
                set_={"workspace_id": self._workspace_id, "show_sensitive": False, "bound_by": bound_by, "bound_at": now},
            )
        )

    def unbind(self, chat_id: int) -> None:
        self._session.execute(
            delete(ChatBindingRow).where(
                ChatBindingRow.chat_id == chat_id, ChatBindingRow.workspace_id == self._workspace_id
            )
        )

    def workspace_name(self, workspace_id: int) -> str:
        return self._session.scalar(select(WorkspaceRow.name).where(WorkspaceRow.id == workspace_id)) or ""

    def set_show_sensitive(self, chat_id: int, show: bool) -> None:
        self._session.execute(
            update(ChatBindingRow)
            .where(ChatBindingRow.chat_id == chat_id, ChatBindingRow.workspace_id == self._workspace_id)
            .values(show_sensitive=show)
        )


# ---- audit log ---------------------------------------------------------------------------


def _encode(value: object) -> object:
    # Decimal keeps its exact text and a tuple (packing units) its type; the rest is JSON already.
    if isinstance(value, Decimal):
        return {"$d": str(value)}
    if isinstance(value, tuple):
        return {"$t": [_encode(item) for item in value]}
    return value


def _decode(value: object) -> object:
    if isinstance(value, dict) and "$d" in value:
        return Decimal(value["$d"])
    if isinstance(value, dict) and "$t" in value:
        return tuple(_decode(item) for item in value["$t"])
    return value


def changes_text(changes: tuple[FieldChange, ...]) -> str:
    if not changes:
        return ""
    return json.dumps(
        [[change.field, _encode(change.before), _encode(change.after)] for change in changes], ensure_ascii=False
    )


def changes_from_text(text: str) -> tuple[FieldChange, ...]:
    if not text:
        return ()
    return tuple(FieldChange(field, _decode(before), _decode(after)) for field, before, after in json.loads(text))


def _entry_to_domain(row: AuditEntryRow, undone_by: int | None = None) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        action=Action(row.action),
        user_id=row.user_id,
        user_name=row.user_name,
        chat_id=row.chat_id,
        text=row.text,
        at=row.at,
        subject=row.subject,
        numbers=tuple(row.numbers.split()) if row.numbers else (),
        changes=changes_from_text(row.changes),
        undoes=row.undoes,
        undone_by=undone_by,
    )


_INSERT_AUDIT = insert(AuditEntryRow.__table__)


class SqlAuditLog:
    """Only ``add`` writes; there is no update or delete, so the bot cannot edit the log."""

    def __init__(self, session: Session, workspace_id: int, numbers: SqlNumberSequence) -> None:
        self._session = session
        self._workspace_id = workspace_id
        self._numbers = numbers

    def add(self, entry: AuditEntry) -> AuditEntry:
        entry_id = self._numbers.next("id:audit_entry")
        # A Core INSERT built once: every booking writes one, so the ORM's bookkeeping is skipped.
        self._session.execute(
            _INSERT_AUDIT,
            dict(
                workspace_id=self._workspace_id,
                id=entry_id,
                at=entry.at,
                user_id=entry.user_id,
                user_name=entry.user_name[:64],
                chat_id=entry.chat_id,
                text=entry.text[:1000],
                action=entry.action.value,
                subject=entry.subject[:64],
                number=entry.numbers[0] if entry.numbers else "",
                numbers=" ".join(entry.numbers),
                changes=changes_text(entry.changes),
                undoes=entry.undoes,
            ),
        )
        return replace(entry, id=entry_id)

    def _with_undone(self):  # type: ignore[no-untyped-def]
        undo = aliased(AuditEntryRow)
        return select(AuditEntryRow, undo.id).outerjoin(
            undo, and_(undo.workspace_id == AuditEntryRow.workspace_id, undo.undoes == AuditEntryRow.id)
        ).where(AuditEntryRow.workspace_id == self._workspace_id)

    def get(self, entry_id: int) -> AuditEntry | None:
        row = self._session.exec(self._with_undone().where(AuditEntryRow.id == entry_id)).first()
        return _entry_to_domain(*row) if row else None

    def by_number(self, number: str) -> AuditEntry | None:
        query = self._with_undone().where(AuditEntryRow.number == number)
        # The latest entry with the number: for a stocktake the confirmation, not its opening.
        row = self._session.exec(query.order_by(AuditEntryRow.id.desc())).first()
        return _entry_to_domain(*row) if row else None

    def last_of(self, user_id: int, actions: frozenset[Action]) -> AuditEntry | None:
        query = self._with_undone().where(
            AuditEntryRow.user_id == user_id, AuditEntryRow.action.in_(sorted(action.value for action in actions))
        )
        row = self._session.exec(query.order_by(AuditEntryRow.id.desc()).limit(1)).first()
        return _entry_to_domain(*row) if row else None

    def _filtered(self, query, subject, user_id, since, until):  # type: ignore[no-untyped-def]
        if subject is not None:
            query = query.where(AuditEntryRow.subject == subject)
        if user_id is not None:
            query = query.where(AuditEntryRow.user_id == user_id)
        if since is not None:
            query = query.where(AuditEntryRow.at >= since)
        if until is not None:
            query = query.where(AuditEntryRow.at < until)
        return query

    def page(
        self, subject: str | None, user_id: int | None, since: datetime | None, until: datetime | None, offset: int, limit: int
    ) -> list[AuditEntry]:
        query = self._filtered(self._with_undone(), subject, user_id, since, until)
        rows = self._session.exec(query.order_by(AuditEntryRow.id.desc()).offset(offset).limit(limit))
        return [_entry_to_domain(*row) for row in rows]

    def count(self, subject: str | None, user_id: int | None, since: datetime | None, until: datetime | None) -> int:
        query = select(func.count()).select_from(AuditEntryRow).where(AuditEntryRow.workspace_id == self._workspace_id)
        return int(self._session.scalar(self._filtered(query, subject, user_id, since, until)) or 0)


# ---- confirmations -----------------------------------------------------------------------


class SqlConfirmationRepository:
    def __init__(self, session: Session, workspace_id: int) -> None:
        self._session = session
        self._workspace_id = workspace_id

    def add(self, confirmation: PendingConfirmation) -> None:
        self._session.add(
            ConfirmationRow(
                workspace_id=self._workspace_id,
                token=confirmation.token,
                user_id=confirmation.user_id,
                chat_id=confirmation.chat_id,
                text=confirmation.text,
                expires_at=confirmation.expires_at,
            )
        )
        self._session.flush()

    def take(self, token: str) -> PendingConfirmation | None:
        row = self._session.exec(
            select(ConfirmationRow)
            .where(ConfirmationRow.workspace_id == self._workspace_id, ConfirmationRow.token == token)
            .with_for_update()
        ).first()
        if row is None:
            return None
        return PendingConfirmation(row.token, row.user_id, row.chat_id, row.text, row.expires_at, row.used)

    def mark_used(self, token: str) -> bool:
        result = self._session.execute(
            update(ConfirmationRow)
            .where(
                ConfirmationRow.workspace_id == self._workspace_id,
                ConfirmationRow.token == token,
                ConfirmationRow.used.is_(False),
            )
            .values(used=True)
        )
        return result.rowcount == 1


# ---- the directory -----------------------------------------------------------------------

_member = MemberRow.__table__.c
_binding = ChatBindingRow.__table__.c
_workspace = WorkspaceRow.__table__.c
# Explicit labels: member, binding and workspace share column names (name, workspace_id).
_MEMBER_COLUMNS = (
    _member.user_id.label("member_user_id"),
    _member.name.label("member_name"),
    _member.username.label("member_username"),
    _member.role.label("member_role"),
    _member.warehouses.label("member_warehouses"),
    _member.joined_at.label("member_joined_at"),
)
_processed = ProcessedUpdateRow.__table__.c


def _seen(workspace_column):  # type: ignore[no-untyped-def]
    """Whether the message's update already took effect in that workspace, in the same query."""
    return (
        select(_processed.update_id)
        .where(_processed.workspace_id == workspace_column, _processed.update_id == bindparam("update"))
        .exists()
        .label("update_seen")
    )


_BOUND = (
    select(
        _binding.workspace_id.label("workspace_id"),
        _binding.show_sensitive.label("show_sensitive"),
        _workspace.name.label("workspace_name"),
        _seen(_binding.workspace_id),
        *_MEMBER_COLUMNS,
    )
    .select_from(
        ChatBindingRow.__table__.join(WorkspaceRow.__table__, _workspace.id == _binding.workspace_id).outerjoin(
            MemberRow.__table__,
            and_(_member.workspace_id == _binding.workspace_id, _member.user_id == bindparam("user")),
        )
    )
    .where(_binding.chat_id == bindparam("chat"))
)
_FIRST_MEMBERSHIP = (
    select(
        _member.workspace_id.label("workspace_id"),
        _workspace.name.label("workspace_name"),
        _seen(_member.workspace_id),
        *_MEMBER_COLUMNS,
    )
    .select_from(MemberRow.__table__.join(WorkspaceRow.__table__, _workspace.id == _member.workspace_id))
    .where(_member.user_id == bindparam("user"))
    .order_by(_member.workspace_id)
    .limit(1)
)


def _member_from(row) -> Member | None:  # type: ignore[no-untyped-def]
    if row.member_user_id is None:
        return None
    return _make_member(
        row.member_user_id,
        row.member_name,
        row.member_role,
        row.member_username,
        row.member_warehouses,
        row.member_joined_at,
    )


class SqlDirectory:
    """Cross-workspace lookups; each call is its own short transaction."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = engine.execution_options(**{WRITE_OPTION: True})

    def resolve(self, chat_id: int, user_id: int, private: bool, update_id: int | None = None) -> ChatAccess:
        keys = {"chat": chat_id, "user": user_id, "update": update_id if update_id is not None else -1}
        with self._engine.connect() as connection:
            row = connection.execute(_BOUND, keys).first()
            if row is not None and (row.member_user_id is not None or not private):
                return ChatAccess(
                    row.workspace_id,
                    row.workspace_name,
                    _member_from(row),
                    row.show_sensitive,
                    bound=True,
                    update_seen=bool(row.update_seen),
                )
            if not private:
                return ChatAccess(None)
            # An unbound private chat, or one still bound to a workspace the user has left.
            row = connection.execute(_FIRST_MEMBERSHIP, keys).first()
            if row is None:
                return ChatAccess(None)
            # A private chat sees everything its member may see: nobody else reads it.
            return ChatAccess(
                row.workspace_id,
                row.workspace_name,
                _member_from(row),
                show_sensitive=True,
                update_seen=bool(row.update_seen),
            )

    def workspace_name(self, workspace_id: int) -> str | None:
        with Session(self._engine) as session:
            return session.scalar(select(WorkspaceRow.name).where(WorkspaceRow.id == workspace_id))

    def owned_count(self, user_id: int) -> int:
        with Session(self._engine) as session:
            statement = select(func.count()).select_from(MemberRow).where(
                MemberRow.user_id == user_id, MemberRow.role == Role.OWNER.value
            )
            return int(session.scalar(statement) or 0)

    def create_workspace(
        self, name: str, timezone: str, owner: Member, chat_id: int, entry: AuditEntry, update_id: int | None = None
    ) -> int:
        with Session(self._writer) as session:
            if update_id is not None and self._processed(session, update_id):
                raise AlreadyProcessed(update_id)
            workspace_id = create_workspace(session, name, timezone)
            SqlMemberRepository(session, workspace_id).add(owner)
            SqlChatRepository(session, workspace_id).bind(chat_id, owner.user_id, entry.at)
            SqlAuditLog(session, workspace_id, SqlNumberSequence(session, workspace_id)).add(entry)
            if update_id is not None:
                session.add(
                    ProcessedUpdateRow(workspace_id=workspace_id, update_id=update_id, chat_id=chat_id, recorded_at=entry.at)
                )
            session.commit()
            return workspace_id

    @staticmethod
    def _processed(session: Session, update_id: int) -> bool:
        statement = select(ProcessedUpdateRow.update_id).where(ProcessedUpdateRow.update_id == update_id).limit(1)
        return session.scalar(statement) is not None

    def update_processed(self, update_id: int) -> bool:
        with Session(self._engine) as session:
            return self._processed(session, update_id)


def ensure_owners(engine: Engine, workspace_id: int, owner_ids: frozenset[int], now: datetime) -> None:
    """Make the configured owners (JXC_OWNER_IDS) owners of the first workspace, once."""
    if not owner_ids:
        return
    with Session(engine.execution_options(**{WRITE_OPTION: True})) as session:
        members = SqlMemberRepository(session, workspace_id)
        for user_id in sorted(owner_ids):
            if members.get(user_id) is None:
                members.add(Member(user_id, f"老板 {user_id}", Role.OWNER, joined_at=now))
        try:
            session.commit()
        except IntegrityError:  # another process added them first
            session.rollback()
