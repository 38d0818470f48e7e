"""Who may do what, on a real database (SQLite and PostgreSQL): migration 0002, the audit log,
reversals the database refuses twice, processed updates, invitations, chat bindings, the
directory, and workspaces that never see each other's people."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, insert, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from domain import commands as c
from domain import history, services
from domain.access import ChatSettings, Invitation, Member, Role
from domain.audit import UNDOABLE, Action, AuditEntry
from domain.errors import AlreadyProcessed, ConfirmationExpired
from domain.ports import ChatAccess, PendingConfirmation
from domain.products import FieldChange
from storage.access_repositories import SqlDirectory, ensure_owners
from storage.migrate import current_revision, downgrade, head_revision, upgrade
from storage.tables import ChatBindingRow
from storage.unit_of_work import SqlUnitOfWork
from storage.workspaces import create_workspace
from tests.conftest import make_context

D = Decimal
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)
ACCESS_TABLES = {"member", "invitation", "chat_binding", "audit_entry", "processed_update", "confirmation"}


@pytest.fixture
def other_workspace(engine, workspace_id) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        other = create_workspace(session, "二号店")
        session.commit()
    return other


def entry(action: Action = Action.RECEIVE, user_id: int = 1001, at: datetime = NOW, **fields: object) -> AuditEntry:
    return AuditEntry(action, user_id, f"用户{user_id}", -100123, f"命令 {action.value}", at, **fields)  # type: ignore[arg-type]


def add_entries(engine, workspace_id: int, *entries: AuditEntry) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with SqlUnitOfWork(engine, workspace_id).writing() as uow:
        added = [uow.audit.add(e) for e in entries]
        uow.commit()
    return added


# ---- migration 0002 -----------------------------------------------------------------------


def test_migration_0002_round_trip_keeps_the_books_and_matches_the_models(engine, uow_factory):
    services.add_product(uow_factory(), make_context(), c.AddProduct("A001", "可口可乐", (("unit", "罐"),)))
    services.receive_stock(uow_factory(), make_context(), c.ReceiveStock("A001", D(5), unit_price=D(2)))
    head = head_revision()
    assert current_revision(engine) == head and head >= "0002"  # later migrations build on 0002

    downgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    assert not ACCESS_TABLES & set(inspect(engine).get_table_names())
    assert "reverses_id" not in {column["name"] for column in inspect(engine).get_columns("stock_movement")}
    with engine.connect() as connection:  # the books of 0001 are untouched
        assert connection.execute(text("SELECT number, quantity FROM stock_movement")).all() == [("RK-2026-0001", 5000)]

    upgrade(engine, "0002")
    assert current_revision(engine) == "0002"
    assert ACCESS_TABLES <= set(inspect(engine).get_table_names())
    downgrade(engine, "0001")
    upgrade(engine)
    assert current_revision(engine) == head
    assert ACCESS_TABLES <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        assert connection.execute(text("SELECT number, reverses_id FROM stock_movement")).all() == [("RK-2026-0001", None)]
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []
    # The upgraded books work: a new receipt is audited and can be reversed; the ledger balances.
    services.receive_stock(uow_factory(), make_context(), c.ReceiveStock("A001", D(3), unit_price=D(2)))
    undone = history.undo(uow_factory(), make_context(), c.Undo("RK-2026-0002", confirmed=True))
    assert undone.reversal is not None and undone.balance.quantity == D(5) and undone.balance.value == D(10)
    assert services.check_books(uow_factory()).ok


def test_migration_0002_unique_constraints_exist(engine):
    constraints = {
        table: {tuple(u["column_names"]) for u in inspect(engine).get_unique_constraints(table)}
        for table in ("stock_movement", "audit_entry")
    }
    assert ("workspace_id", "reverses_id") in constraints["stock_movement"]
    assert ("workspace_id", "undoes") in constraints["audit_entry"]
    assert inspect(engine).get_pk_constraint("chat_binding")["constrained_columns"] == ["chat_id"]
    assert inspect(engine).get_pk_constraint("processed_update")["constrained_columns"] == ["workspace_id", "update_id"]


# ---- the audit log ------------------------------------------------------------------------


def test_audit_entries_come_back_exactly_with_ids_per_workspace(engine, workspace_id, other_workspace):
    change = FieldChange("purchase_price", D("2.50"), D("2.80"))
    (first, second) = add_entries(
        engine,
        workspace_id,
        entry(Action.CHANGE_PRODUCT, subject="A001", changes=(change, FieldChange("name", "可乐", "可口可乐"))),
        entry(Action.RECEIVE, subject="A001", numbers=("RK-2026-0001",)),
    )
    (elsewhere,) = add_entries(engine, other_workspace, entry(Action.RECEIVE, user_id=2002))
    assert (first.id, second.id, elsewhere.id) == (1, 2, 1)  # each workspace counts its own
    with SqlUnitOfWork(engine, workspace_id) as uow:
        got = uow.audit.get(first.id)
        assert got == first and got.undone_by is None
        assert got.changes[0].before == D("2.50") and isinstance(got.changes[0].after, Decimal)
        assert got.at == NOW and got.at.tzinfo is not None
        assert uow.audit.get(second.id).numbers == ("RK-2026-0001",)
        assert uow.audit.get(99) is None
    with SqlUnitOfWork(engine, other_workspace) as uow:
        assert uow.audit.get(2) is None and uow.audit.get(1).user_id == 2002


def test_audit_lookup_by_number_and_last_of_which_skips_undo_entries(engine, workspace_id):
    receipt, issue, other_user = add_entries(
        engine,
        workspace_id,
        entry(Action.RECEIVE, subject="A001", numbers=("RK-2026-0001",)),
        entry(Action.ISSUE, subject="A001", numbers=("CK-2026-0001",), at=NOW + timedelta(minutes=1)),
        entry(Action.RECEIVE, user_id=2002, subject="A001", numbers=("RK-2026-0002",)),
    )
    reversal = entry(Action.UNDO, subject="A001", numbers=("CX-2026-0001",), undoes=issue.id)
    (undo,) = add_entries(engine, workspace_id, reversal)
    # Operations 撤销 cannot reverse, newer still: an invitation, a join, a chat bound.
    invited, joined, bound = add_entries(
        engine,
        workspace_id,
        entry(Action.INVITE, numbers=(f"{workspace_id}-K7FQ9XPM",)),
        entry(Action.JOIN, numbers=(f"{workspace_id}-K7FQ9XPM",)),
        entry(Action.BIND_CHAT, subject="-100123"),
    )
    undoable = frozenset(UNDOABLE)
    assert Action.UNDO not in undoable and not {Action.INVITE, Action.JOIN, Action.BIND_CHAT} & undoable
    with SqlUnitOfWork(engine, workspace_id) as uow:
        assert uow.audit.by_number("RK-2026-0001") == receipt
        assert uow.audit.by_number("CK-2026-0001").undone_by == undo.id
        assert uow.audit.by_number("CX-2026-0001") == undo  # a reversal's number names its undo
        assert uow.audit.by_number("RK-2026-0099") is None
        # The undo, the invitation, the join and the binding are newer; last_of looks past them.
        mine = uow.audit.last_of(1001, undoable)
        assert mine == issue and mine.undone_by == undo.id
        assert uow.audit.last_of(1001, frozenset({Action.RECEIVE})) == receipt
        assert uow.audit.last_of(1001, frozenset({Action.UNDO})) == undo
        assert uow.audit.last_of(1001, frozenset({Action.INVITE, Action.JOIN, Action.BIND_CHAT})) == bound
        assert uow.audit.last_of(1001, frozenset({Action.JOIN})) == joined
        assert uow.audit.last_of(1001, frozenset()) is None
        assert uow.audit.last_of(2002, undoable) == other_user
        assert uow.audit.last_of(2002, frozenset({Action.INVITE})) is None
        assert uow.audit.last_of(3003, undoable) is None
        assert uow.audit.get(undo.id).undoes == issue.id
        assert invited.id < joined.id < bound.id


def test_audit_page_and_count_filter_by_subject_user_and_time(engine, workspace_id):
    start = NOW
    add_entries(
        engine,
        workspace_id,
        *(
            entry(
                Action.RECEIVE,
                user_id=1001 if n % 2 else 2002,
                subject="A001" if n < 4 else "B002",
                at=start + timedelta(hours=n),
            )
            for n in range(6)
        ),
    )
    add_entries(engine, workspace_id, entry(Action.UNDO, subject="A001", undoes=2, at=start + timedelta(hours=6)))
    with SqlUnitOfWork(engine, workspace_id) as uow:
        assert uow.audit.count(None, None, None, None) == 7
        assert [e.id for e in uow.audit.page(None, None, None, None, 0, 3)] == [7, 6, 5]  # newest first
        assert [e.id for e in uow.audit.page(None, None, None, None, 3, 3)] == [4, 3, 2]
        assert [e.id for e in uow.audit.page(None, None, None, None, 6, 3)] == [1]
        assert uow.audit.count("A001", None, None, None) == 5
        assert [e.id for e in uow.audit.page("A001", 1001, None, None, 0, 10)] == [7, 4, 2]
        assert uow.audit.count("A001", 1001, None, None) == 3
        # since is inclusive, until exclusive
        since, until = start + timedelta(hours=2), start + timedelta(hours=5)
        assert [e.id for e in uow.audit.page(None, None, since, until, 0, 10)] == [5, 4, 3]
        assert uow.audit.count(None, None, since, until) == 3
        assert uow.audit.count("B002", 2002, since, None) == 1
        assert uow.audit.count("C003", None, None, None) == 0
        undone = {e.id: e.undone_by for e in uow.audit.page(None, None, None, None, 0, 10)}
        assert undone == {7: None, 6: None, 5: None, 4: None, 3: None, 2: 7, 1: None}


def test_a_second_undo_of_the_same_entry_is_refused_by_the_database(engine, workspace_id, other_workspace):
    (original,) = add_entries(engine, workspace_id, entry(Action.RECEIVE, numbers=("RK-2026-0001",)))
    add_entries(engine, workspace_id, entry(Action.UNDO, undoes=original.id))
    with pytest.raises(IntegrityError):
        add_entries(engine, workspace_id, entry(Action.UNDO, undoes=original.id))
    add_entries(engine, other_workspace, entry(Action.UNDO, undoes=original.id))  # another workspace's entry 1
    with SqlUnitOfWork(engine, workspace_id) as uow:
        assert uow.audit.count(None, None, None, None) == 2


def test_a_second_reversal_of_the_same_movement_is_refused_by_the_database(engine, uow_factory):
    services.add_product(uow_factory(), make_context(), c.AddProduct("A001", "可口可乐", ()))
    services.receive_stock(uow_factory(), make_context(), c.ReceiveStock("A001", D(5), unit_price=D(2)))
    undone = history.undo(uow_factory(), make_context(), c.Undo("RK-2026-0001", confirmed=True))
    reversal = undone.reversal
    assert reversal is not None and reversal.number == "CX-2026-0001"
    with uow_factory() as uow:
        original = uow.stock.movement_by_number("RK-2026-0001")
        assert original.reversed_by == "CX-2026-0001" and reversal.reverses_id == original.id
    uow = uow_factory()
    with uow.writing():
        with pytest.raises(IntegrityError):
            uow.stock.append(replace(reversal, id=None, number="CX-2026-0002"))
    with uow_factory() as uow:
        assert uow.stock.count_movements(original.product_id, None, None) == 2
    assert services.check_books(uow_factory()).ok


# ---- processed updates --------------------------------------------------------------------


def test_an_update_commits_once_and_the_second_transaction_is_rolled_back(engine, workspace_id, other_workspace):
    def add_product(code: str, update_id: int, workspace: int = workspace_id) -> None:
        uow = SqlUnitOfWork(engine, workspace, update_id=update_id, chat_id=-100123)
        with uow.writing():
            uow.products.add(services.Product(code=code, name=code))
            uow.audit.add(entry(Action.ADD_PRODUCT, subject=code))
            uow.commit()

    add_product("B001", 42)
    with pytest.raises(AlreadyProcessed) as raised:
        add_product("B002", 42)
    assert raised.value.update_id == 42
    with SqlUnitOfWork(engine, workspace_id) as uow:
        assert uow.products.get("B001") is not None and uow.products.get("B002") is None
        assert uow.audit.count(None, None, None, None) == 1
        assert uow.update_seen(42) and not uow.update_seen(43)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT workspace_id, update_id, chat_id FROM processed_update")).all()
    assert [tuple(r) for r in rows] == [(workspace_id, 42, -100123)]
    # Nothing of the refused transaction was kept, counters included: the next product is id 2.
    add_product("B003", 43)
    with SqlUnitOfWork(engine, workspace_id) as uow:
        assert uow.products.get("B003").id == 2
        assert [e.id for e in uow.audit.page(None, None, None, None, 0, 10)] == [2, 1]
    with SqlUnitOfWork(engine, other_workspace) as uow:
        assert not uow.update_seen(42)  # recorded per workspace
    directory = SqlDirectory(engine)
    assert directory.update_processed(42) and not directory.update_processed(44)


def test_a_unit_of_work_without_an_update_id_records_nothing(engine, uow_factory):
    services.add_product(uow_factory(), make_context(), c.AddProduct("A001", "可口可乐", ()))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM processed_update")).scalar() == 0


# ---- confirmations used up by the booking -------------------------------------------------


def add_confirmation(engine, workspace: int, token: str = "tok-1") -> PendingConfirmation:  # type: ignore[no-untyped-def]
    pending = PendingConfirmation(token, 1001, -100123, "入库 B001 1 确认", NOW + timedelta(minutes=5))
    with SqlUnitOfWork(engine, workspace).writing() as uow:
        uow.confirmations.add(pending)
        uow.commit()
    return pending


def book(engine, workspace: int, code: str, token: str | None = "tok-1", update_id: int | None = None) -> None:  # type: ignore[no-untyped-def]
    """A transaction that writes a product (and its audit entry), carrying a confirmation."""
    uow = SqlUnitOfWork(engine, workspace, confirmation=token, update_id=update_id, chat_id=-100123)
    with uow.writing():
        uow.products.add(services.Product(code=code, name=code))
        uow.audit.add(entry(Action.ADD_PRODUCT, subject=code))
        uow.commit()


def test_a_confirmation_is_used_up_by_the_transaction_that_books_it(engine, workspace_id, other_workspace):
    pending = add_confirmation(engine, workspace_id)
    with SqlUnitOfWork(engine, workspace_id) as uow:
        assert uow.confirmation is None and uow.confirmations.take("tok-1") == pending
    # A transaction that dies before its commit leaves the button usable.
    uow = SqlUnitOfWork(engine, workspace_id, confirmation="tok-1")
    with pytest.raises(RuntimeError), uow.writing():
        uow.products.add(services.Product(code="B000", name="B000"))
        raise RuntimeError("crash before the commit")
    with SqlUnitOfWork(engine, workspace_id) as uow:
        assert not uow.confirmations.take("tok-1").used and uow.products.get("B000") is None

    book(engine, workspace_id, "B001")
    with SqlUnitOfWork(engine, workspace_id) as uow:
        assert uow.confirmations.take("tok-1") == replace(pending, used=True)
        assert uow.products.get("B001") is not None
    # A second booking with the same button is rolled back, update id included.
    with pytest.raises(ConfirmationExpired) as raised:
        book(engine, workspace_id, "B002", update_id=55)
    assert raised.value.foreign is False
    with SqlUnitOfWork(engine, workspace_id) as uow:
        assert uow.products.get("B002") is None
        assert uow.audit.count(None, None, None, None) == 1
        assert not uow.update_seen(55)
    # Unknown here (another workspace's token, or none at all): nothing is booked either.
    for workspace, token in ((other_workspace, "tok-1"), (workspace_id, "tok-nope")):
        with pytest.raises(ConfirmationExpired):
            book(engine, workspace, "B003", token)
        with SqlUnitOfWork(engine, workspace) as uow:
            assert uow.products.get("B003") is None
    # Without a confirmation a transaction commits as before.
    book(engine, workspace_id, "B004", None)
    with SqlUnitOfWork(engine, workspace_id) as uow:
        assert uow.products.get("B004") is not None


def test_of_two_racing_presses_exactly_one_books(engine, workspace_id):
    """Both transactions validated the unused button and are open at once; whichever uses it up
    first books, the other waits at its conditional UPDATE (row or database lock), then finds
    the button used and rolls back."""
    add_confirmation(engine, workspace_id)
    first_booked = threading.Event()

    def press(code: str) -> str:
        if code == "B002":
            first_booked.wait(5)
        uow = SqlUnitOfWork(engine, workspace_id, confirmation="tok-1")
        try:
            with uow.writing():
                uow.products.add(services.Product(code=code, name=code))
                if code == "B001":
                    first_booked.set()
                    time.sleep(0.1)  # the other press is now waiting for this transaction
                uow.commit()
        except ConfirmationExpired:
            return "expired"
        return "booked"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = dict(zip(("B001", "B002"), pool.map(press, ("B001", "B002"))))
    assert sorted(outcomes.values()) == ["booked", "expired"], outcomes
    with SqlUnitOfWork(engine, workspace_id) as uow:
        for code, outcome in outcomes.items():
            assert (uow.products.get(code) is not None) is (outcome == "booked")
        assert uow.confirmations.take("tok-1").used


# ---- invitations --------------------------------------------------------------------------


def test_an_invitation_is_used_once(engine, workspace_id, other_workspace):
    code = f"{workspace_id}-K7FQ9XPM"
    with SqlUnitOfWork(engine, workspace_id).writing() as uow:
        uow.invitations.add(Invitation(code, Role.KEEPER, 1001, NOW + timedelta(hours=24)))
        uow.commit()
    with SqlUnitOfWork(engine, other_workspace).writing() as uow:
        assert uow.invitations.get(code) is None  # another workspace cannot see or use it
        assert uow.invitations.use(code, 2002, NOW) is False
        uow.commit()
    with SqlUnitOfWork(engine, workspace_id).writing() as uow:
        assert uow.invitations.get(code) == Invitation(code, Role.KEEPER, 1001, NOW + timedelta(hours=24))
        assert uow.invitations.use(code, 3003, NOW) is True
        assert uow.invitations.use(code, 4004, NOW) is False  # conditional: only while unused
        assert uow.invitations.use("1-NOPE2345", 4004, NOW) is False
        uow.commit()
    with SqlUnitOfWork(engine, workspace_id) as uow:
        used = uow.invitations.get(code)
        assert used.used_by == 3003 and not used.usable(NOW)


def test_of_two_racing_joiners_exactly_one_gets_the_code(engine, workspace_id):
    """The second transaction waits for the first (row or database lock) and then finds the
    code used: the conditional UPDATE matches nothing."""
    code = f"{workspace_id}-ABCDEFGH"
    with SqlUnitOfWork(engine, workspace_id).writing() as uow:
        uow.invitations.add(Invitation(code, Role.SELLER, 1001, NOW + timedelta(hours=1)))
        uow.commit()
    first_used = threading.Event()

    def join(user_id: int) -> bool:
        if user_id == 4004:
            first_used.wait(5)
        uow = SqlUnitOfWork(engine, workspace_id)
        with uow.writing():
            taken = uow.invitations.use(code, user_id, NOW)
            if user_id == 3003:
                first_used.set()
                time.sleep(0.1)  # the other joiner is now waiting for this transaction
            uow.commit()
        return taken

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(join, (3003, 4004)))
    assert outcomes == [True, False]
    with SqlUnitOfWork(engine, workspace_id) as uow:
        assert uow.invitations.get(code).used_by == 3003


# ---- chat bindings and the directory ------------------------------------------------------


def bind(engine, workspace: int, chat_id: int, user_id: int = 1001) -> None:  # type: ignore[no-untyped-def]
    with SqlUnitOfWork(engine, workspace).writing() as uow:
        uow.chats.bind(chat_id, user_id, NOW)
        uow.commit()


def test_a_chat_belongs_to_one_workspace_and_binding_replaces(engine, workspace_id, other_workspace):
    bind(engine, workspace_id, 2002)
    with SqlUnitOfWork(engine, workspace_id).writing() as uow:
        uow.chats.set_show_sensitive(2002, True)
        uow.commit()
    with SqlUnitOfWork(engine, other_workspace) as uow:
        assert uow.chats.get(2002) == ChatSettings(workspace_id, True)  # seen whichever workspace asks
    bind(engine, other_workspace, 2002)  # a private chat switching workspaces
    with SqlUnitOfWork(engine, workspace_id).writing() as uow:
        assert uow.chats.get(2002) == ChatSettings(other_workspace, False)  # and its settings reset
        uow.chats.unbind(2002)  # not this workspace's chat any more: nothing happens
        uow.chats.set_show_sensitive(2002, True)
        uow.commit()
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT chat_id, workspace_id, show_sensitive FROM chat_binding")).all()
    assert [tuple(r) for r in rows] == [(2002, other_workspace, False)]
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            insert(ChatBindingRow.__table__).values(
                chat_id=2002, workspace_id=workspace_id, show_sensitive=False, bound_by=1, bound_at=NOW
            )
        )
    with SqlUnitOfWork(engine, other_workspace).writing() as uow:
        uow.chats.unbind(2002)
        uow.commit()
    with SqlUnitOfWork(engine, other_workspace) as uow:
        assert uow.chats.get(2002) is None
        assert uow.chats.workspace_name(workspace_id) == "默认账套"


def add_member(engine, workspace: int, user_id: int, role: Role, name: str, **fields) -> Member:  # type: ignore[no-untyped-def]
    member = Member(user_id, name, role, joined_at=NOW, **fields)  # type: ignore[arg-type]
    with SqlUnitOfWork(engine, workspace).writing() as uow:
        uow.members.add(member)
        uow.commit()
    return member


def test_the_directory_resolves_chats_to_workspaces_and_members(engine, workspace_id, other_workspace):
    group, lonely_group = -100111, -100999
    owner = add_member(engine, workspace_id, 1001, Role.OWNER, "张三", username="zhangsan")
    keeper = add_member(engine, other_workspace, 3003, Role.KEEPER, "王五", warehouse_ids=frozenset({1}))
    also = add_member(engine, workspace_id, 3003, Role.VIEWER, "王五")
    bind(engine, workspace_id, group)
    with SqlUnitOfWork(engine, workspace_id).writing() as uow:
        uow.chats.set_show_sensitive(group, True)
        uow.commit()
    directory = SqlDirectory(engine)

    # A bound group: its workspace, and the sender's membership there (names not mixed up).
    assert directory.resolve(group, 1001, False) == ChatAccess(workspace_id, "默认账套", owner, True, bound=True)
    assert directory.resolve(group, 3003, False) == ChatAccess(workspace_id, "默认账套", also, True, bound=True)
    assert directory.resolve(group, 2002, False) == ChatAccess(workspace_id, "默认账套", None, True, bound=True)
    # An unbound group belongs to nobody, whoever speaks.
    assert directory.resolve(lonely_group, 1001, False) == ChatAccess(None)
    # An unbound private chat falls back to the sender's first workspace, and sees everything.
    assert directory.resolve(3003, 3003, True) == ChatAccess(workspace_id, "默认账套", also, show_sensitive=True)
    assert directory.resolve(2002, 2002, True) == ChatAccess(None)
    # A private chat bound to a workspace (switched with 绑定) works there.
    bind(engine, other_workspace, 3003, 3003)
    resolved = directory.resolve(3003, 3003, True)
    assert resolved == ChatAccess(other_workspace, "二号店", keeper, False, bound=True)
    assert resolved.member.warehouse_ids == frozenset({1})
    assert directory.workspace_name(other_workspace) == "二号店" and directory.workspace_name(99) is None
    assert directory.owned_count(1001) == 1 and directory.owned_count(3003) == 0
    # Removed from 二号店, the private chat still names it: it falls back to 默认账套.
    with SqlUnitOfWork(engine, other_workspace).writing() as uow:
        uow.members.remove(3003)
        uow.commit()
    assert directory.resolve(3003, 3003, True) == ChatAccess(workspace_id, "默认账套", also, show_sensitive=True)
    # Removed from that too, they are nobody; a group bound there still knows its workspace.
    with SqlUnitOfWork(engine, workspace_id).writing() as uow:
        uow.members.remove(3003)
        uow.commit()
    assert directory.resolve(3003, 3003, True) == ChatAccess(None)
    assert directory.resolve(group, 3003, False) == ChatAccess(workspace_id, "默认账套", None, True, bound=True)


def test_the_directory_creates_a_workspace_once_per_update(engine, workspace_id):
    directory = SqlDirectory(engine)
    owner = Member(2002, "李四", Role.OWNER, "lisi", joined_at=NOW)
    created = entry(Action.CREATE_WORKSPACE, user_id=2002, subject="二号店")
    new_id = directory.create_workspace("二号店", "Asia/Shanghai", owner, 2002, created, update_id=77)
    assert new_id == workspace_id + 1
    with pytest.raises(AlreadyProcessed):
        directory.create_workspace("二号店", "Asia/Shanghai", owner, 2002, created, update_id=77)
    assert directory.resolve(2002, 2002, True) == ChatAccess(new_id, "二号店", owner, False, bound=True)
    with SqlUnitOfWork(engine, new_id) as uow:
        assert [m.user_id for m in uow.members.all()] == [2002]
        assert uow.audit.get(1).action is Action.CREATE_WORKSPACE
        assert [w.name for w in uow.stock.warehouses()] == ["主仓"]
        assert uow.update_seen(77)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM workspace")).scalar() == 2
    assert directory.owned_count(2002) == 1


def test_workspaces_created_at_the_same_moment_all_succeed(engine, workspace_id):
    # Ids are max(id) + 1: SQLite serialises writers (BEGIN IMMEDIATE), PostgreSQL locks the table.
    directory = SqlDirectory(engine)
    start = threading.Barrier(6)

    def create(user_id: int) -> int:
        owner = Member(user_id, f"店主{user_id}", Role.OWNER, joined_at=NOW)
        start.wait(5)
        return directory.create_workspace(f"店{user_id}", "Asia/Shanghai", owner, user_id, entry(user_id=user_id))

    with ThreadPoolExecutor(max_workers=6) as pool:
        created = list(pool.map(create, range(5001, 5007)))
    assert sorted(created) == [2, 3, 4, 5, 6, 7]
    for user_id, workspace in zip(range(5001, 5007), created):
        assert directory.workspace_name(workspace) == f"店{user_id}"
        assert directory.resolve(user_id, user_id, True).member.role is Role.OWNER  # type: ignore[union-attr]
        with SqlUnitOfWork(engine, workspace) as uow:
            assert [m.user_id for m in uow.members.all()] == [user_id]
            assert [w.name for w in uow.stock.warehouses()] == ["主仓"]


# ---- workspaces never see each other ------------------------------------------------------


def test_members_audit_invitations_and_confirmations_stay_in_their_workspace(engine, workspace_id, other_workspace):
    add_member(engine, workspace_id, 1001, Role.OWNER, "张三")
    add_member(engine, workspace_id, 3003, Role.KEEPER, "王五")
    add_member(engine, other_workspace, 2002, Role.OWNER, "李四")
    add_entries(engine, workspace_id, entry(Action.INVITE, numbers=(f"{workspace_id}-K7FQ9XPM",)))
    pending = PendingConfirmation("tok-1", 1001, -100123, "撤销 #1", NOW + timedelta(minutes=5))
    with SqlUnitOfWork(engine, workspace_id).writing() as uow:
        uow.invitations.add(Invitation(f"{workspace_id}-K7FQ9XPM", Role.KEEPER, 1001, NOW + timedelta(hours=1)))
        uow.confirmations.add(pending)
        uow.commit()

    with SqlUnitOfWork(engine, other_workspace).writing() as uow:
        assert [m.user_id for m in uow.members.all()] == [2002]
        assert uow.members.get(1001) is None and uow.members.get(3003) is None
        uow.members.remove(3003)  # someone else's member: untouched
        uow.members.update(Member(1001, "改名", Role.VIEWER))
        assert uow.audit.count(None, None, None, None) == 0
        assert uow.audit.page(None, None, None, None, 0, 10) == []
        assert uow.audit.last_of(1001, frozenset(Action)) is None
        assert uow.invitations.get(f"{workspace_id}-K7FQ9XPM") is None
        assert uow.confirmations.take("tok-1") is None
        assert uow.confirmations.mark_used("tok-1") is False  # not this workspace's: nothing used
        uow.commit()

    with SqlUnitOfWork(engine, workspace_id).writing() as uow:
        assert [(m.user_id, m.name, m.role) for m in uow.members.all()] == [
            (1001, "张三", Role.OWNER),
            (3003, "王五", Role.KEEPER),
        ]
        assert uow.audit.count(None, None, None, None) == 1
        assert uow.confirmations.take("tok-1") == pending  # still unused
        assert uow.confirmations.mark_used("tok-1") is True
        assert uow.confirmations.mark_used("tok-1") is False  # conditional: only while unused
        uow.commit()
    with SqlUnitOfWork(engine, workspace_id) as uow:
        assert uow.confirmations.take("tok-1").used


def test_members_are_listed_owners_first_and_updated_in_place(engine, workspace_id):
    add_member(engine, workspace_id, 5005, Role.VIEWER, "赵六")
    add_member(engine, workspace_id, 3003, Role.KEEPER, "王五")
    add_member(engine, workspace_id, 1001, Role.OWNER, "张三")
    with SqlUnitOfWork(engine, workspace_id).writing() as uow:
        uow.members.update(Member(3003, "王五" * 40, Role.ADMIN, "wangwu", frozenset({1, 2})))
        uow.commit()
    with SqlUnitOfWork(engine, workspace_id) as uow:
        listed = [(m.user_id, m.role) for m in uow.members.all()]
        assert listed == [(1001, Role.OWNER), (3003, Role.ADMIN), (5005, Role.VIEWER)]
        changed = uow.members.get(3003)
        assert changed.name == ("王五" * 40)[:64] and changed.warehouse_ids == frozenset({1, 2})
        assert changed.username == "wangwu" and changed.joined_at == NOW
    with pytest.raises(IntegrityError):
        add_member(engine, workspace_id, 3003, Role.SELLER, "王五")


# ---- owners from the configuration --------------------------------------------------------


def test_ensure_owners_is_idempotent_and_leaves_existing_members_alone(engine, workspace_id):
    ensure_owners(engine, workspace_id, frozenset(), NOW)
    with SqlUnitOfWork(engine, workspace_id) as uow:
        assert uow.members.all() == []
    ensure_owners(engine, workspace_id, frozenset({1001, 1002}), NOW)
    ensure_owners(engine, workspace_id, frozenset({1001, 1002}), NOW + timedelta(days=1))
    with SqlUnitOfWork(engine, workspace_id).writing() as uow:
        assert [(m.user_id, m.name, m.role, m.joined_at) for m in uow.members.all()] == [
            (1001, "老板 1001", Role.OWNER, NOW),
            (1002, "老板 1002", Role.OWNER, NOW),
        ]
        uow.members.update(Member(1002, "李会计", Role.BOOKKEEPER))  # the owners demoted one
        uow.commit()
    ensure_owners(engine, workspace_id, frozenset({1001, 1002, 1003}), NOW)  # a restart with one more
    with SqlUnitOfWork(engine, workspace_id) as uow:
        assert [(m.user_id, m.role) for m in uow.members.all()] == [
            (1001, Role.OWNER),
            (1003, Role.OWNER),
            (1002, Role.BOOKKEEPER),
        ]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM member")).scalar() == 3
