"""The in-memory fakes offer exactly the surface the ports promise (so services tested on them
would run on storage), and the port value types are immutable."""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Protocol, runtime_checkable

import pytest

from domain import ports
from domain.access import Invitation, Member, Role
from domain.audit import UNDOABLE, Action, AuditEntry
from domain.errors import AlreadyProcessed
from domain.stock import Movement, MovementKind, StockBalance
from tests.factories import make_product
from tests.fakes import (
    FakeAlertRepository,
    FakeOpenItems,
    FakeAuditLog,
    FakeChatRepository,
    FakeConfirmationRepository,
    FakeDocumentRepository,
    FakeDirectory,
    FakeImportJobRepository,
    FakeIntegrityError,
    FakeInvitationRepository,
    FakeLookupChoiceRepository,
    FakeMemberRepository,
    FakeNumberSequence,
    FakeProductRepository,
    FakeStockRepository,
    FakePartnerRepository,
    FakeReportRepository,
    FakeSettingsRepository,
    FakeValuationRepository,
    FakeBatchRepository,
    FakeThresholdRepository,
    FakePlanningRepository,
    FakeStocktakeRepository,
    FakeUnitOfWork,
    FakeWorld,
    TransactionError,
)

# Every Protocol the domain declares, with the fake that implements it.
PAIRS = [
    (ports.Clock, None),
    (ports.ProductRepository, FakeProductRepository),
    (ports.StockRepository, FakeStockRepository),
    (ports.StocktakeRepository, FakeStocktakeRepository),
    (ports.SettingsRepository, FakeSettingsRepository),
    (ports.PartnerRepository, FakePartnerRepository),
    (ports.ValuationRepository, FakeValuationRepository),
    (ports.BatchRepository, FakeBatchRepository),
    (ports.ThresholdRepository, FakeThresholdRepository),
    (ports.PlanningRepository, FakePlanningRepository),
    (ports.ReportRepository, FakeReportRepository),
    (ports.DocumentRepository, FakeDocumentRepository),
    (ports.MemberRepository, FakeMemberRepository),
    (ports.InvitationRepository, FakeInvitationRepository),
    (ports.ChatRepository, FakeChatRepository),
    (ports.AuditLog, FakeAuditLog),
    (ports.ConfirmationRepository, FakeConfirmationRepository),
    (ports.Directory, FakeDirectory),
    (ports.NumberSequence, FakeNumberSequence),
    (ports.UnitOfWork, FakeUnitOfWork),
    # ---- faster entry ----
    (ports.LookupChoiceRepository, FakeLookupChoiceRepository),
    (ports.ImportJobRepository, FakeImportJobRepository),
    (ports.AlertRepository, FakeAlertRepository),
    (ports.OpenItems, FakeOpenItems),
]
PAIRS = [(protocol, fake) for protocol, fake in PAIRS if fake is not None]
UOW_ATTRIBUTES = {
    "products": FakeProductRepository,
    "stock": FakeStockRepository,
    "numbers": FakeNumberSequence,
    "members": FakeMemberRepository,
    "invitations": FakeInvitationRepository,
    "chats": FakeChatRepository,
    "audit": FakeAuditLog,
    "confirmations": FakeConfirmationRepository,
    "stocktakes": FakeStocktakeRepository,
    "settings": FakeSettingsRepository,
    "partners": FakePartnerRepository,
    "lookup_choices": FakeLookupChoiceRepository,
    "import_jobs": FakeImportJobRepository,
    "valuation": FakeValuationRepository,
    "batches": FakeBatchRepository,
    "thresholds": FakeThresholdRepository,
    "planning": FakePlanningRepository,
    "reports": FakeReportRepository,
    "documents": FakeDocumentRepository,
    "alerts": FakeAlertRepository,
}
_PROTOCOL_DUNDERS = {"__enter__", "__exit__"}


def protocol_methods(protocol: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(protocol).items()
        if inspect.isfunction(member) and (not name.startswith("_") or name in _PROTOCOL_DUNDERS)
    }


def parameter_names(signature: inspect.Signature) -> list[str]:
    return [name for name in signature.parameters if name != "self"]


@pytest.mark.parametrize(("protocol", "fake"), PAIRS, ids=lambda x: x.__name__)
def test_fake_has_every_method_of_the_protocol_with_the_same_parameters(protocol: type, fake: type) -> None:
    methods = protocol_methods(protocol)
    assert methods, f"{protocol.__name__} declares no methods?"
    for name, signature in methods.items():
        assert callable(getattr(fake, name, None)), f"{fake.__name__} lacks {name}"
        assert parameter_names(inspect.signature(getattr(fake, name))) == parameter_names(signature), name


def test_every_protocol_of_the_ports_module_has_a_fake() -> None:
    declared = {
        value
        for value in vars(ports).values()
        if isinstance(value, type) and getattr(value, "_is_protocol", False) and value.__module__ == ports.__name__
    }
    assert declared - {protocol for protocol, _ in PAIRS} == {ports.Clock}  # the tests pass datetimes


def test_the_protocol_method_lists_are_what_the_services_use() -> None:
    assert set(protocol_methods(ports.UnitOfWork)) == {"writing", "__enter__", "__exit__", "commit", "update_seen"}
    assert "check" in protocol_methods(ports.StockRepository)


def test_fake_unit_of_work_has_the_declared_attributes_of_the_right_kind() -> None:
    uow = FakeUnitOfWork(workspace_id=7)
    assert set(ports.UnitOfWork.__annotations__) == {"workspace_id", "update_id", "confirmation", *UOW_ATTRIBUTES}
    assert uow.workspace_id == 7
    assert uow.update_id is None
    for name, kind in UOW_ATTRIBUTES.items():
        assert isinstance(getattr(uow, name), kind), name


@pytest.mark.parametrize(("protocol", "fake"), PAIRS, ids=lambda x: x.__name__)
def test_fake_satisfies_a_runtime_checkable_copy_of_the_protocol(protocol: type, fake: type) -> None:
    checkable = runtime_checkable(type(f"Checkable{protocol.__name__}", (protocol, Protocol), {}))
    uow = FakeUnitOfWork()
    instances = {type(getattr(uow, name)): getattr(uow, name) for name in UOW_ATTRIBUTES}
    instance = {FakeUnitOfWork: uow, FakeDirectory: FakeDirectory(), FakeOpenItems: FakeOpenItems(), **instances}[fake]
    assert isinstance(instance, checkable)
    assert not isinstance(object(), checkable)


def test_writing_and_enter_return_the_unit_of_work_itself() -> None:
    uow = FakeUnitOfWork()
    assert uow.writing() is uow
    with uow as entered:
        assert entered is uow


@pytest.mark.parametrize(
    "value",
    [
        ports.Warehouse(1, "主仓"),
        ports.StockLine(make_product(), StockBalance()),
        ports.StockTotals(1, Decimal(0), 0, 0),
        ports.PendingConfirmation("t", 1, 1, "撤销", datetime(2026, 3, 10, tzinfo=timezone.utc)),
        ports.ChatAccess(None),
        ports.Stocktake("PD-2026-0001", ports.Warehouse(1, "主仓"), datetime(2026, 3, 10, tzinfo=timezone.utc), "老王"),
        ports.StocktakeLine(make_product(), Decimal(1), Decimal(2), datetime(2026, 3, 10, tzinfo=timezone.utc), "老王"),
        ports.ImportJob("t", "商品", (("编码", "名称"),), datetime(2026, 3, 10, tzinfo=timezone.utc)),
        ports.FlowTotals(1, D0 := Decimal(0), D0, D0, D0, D0, D0),
        ports.SalesTotals(1, Decimal(0), Decimal(0), Decimal(0), Decimal(0), Decimal(0)),
        ports.PurchaseTotals("华东饮料", 1, Decimal(1), Decimal(2)),
        ports.IdleStock(1, Decimal(1), Decimal(2), None),
        ports.CategoryStock("饮料", 1, Decimal(1), Decimal(2)),
    ],
    ids=lambda value: type(value).__name__,
)
def test_port_value_types_are_frozen(value: object) -> None:
    first = dataclasses.fields(value)[0].name  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(value, first, None)


# ---- the fake behaves as storage does (the services' tests are only as good as it is) ----------

AT = datetime(2026, 3, 10, 1, 30, tzinfo=timezone.utc)
D = Decimal


def an_entry(action: Action = Action.RECEIVE, user_id: int = 1, at: datetime = AT, **more: object) -> AuditEntry:
    return replace(AuditEntry(action, user_id, "老王", -1, "入库 A001 1", at), **more)


def a_movement(number: str, quantity: str = "1", kind: MovementKind = MovementKind.RECEIPT, **more: object) -> Movement:
    movement = Movement(
        kind=kind, product_id=1, warehouse_id=1, quantity=D(quantity), value=D(0), balance_quantity=D(0),
        balance_value=D(0), occurred_at=AT, recorded_at=AT, actor_id=1, actor_name="老王", chat_id=-1, number=number,
    )
    return replace(movement, **more)


def test_fake_audit_ids_come_from_the_sequence_and_undone_by_is_derived() -> None:
    uow = FakeUnitOfWork()
    with uow.writing():
        first = uow.audit.add(an_entry(subject="A001", numbers=("RK-2026-0001",)))
        second = uow.audit.add(an_entry(subject="B001", numbers=("RK-2026-0002",), user_id=2))
        undo = uow.audit.add(an_entry(Action.UNDO, subject="A001", numbers=("CX-2026-0001",), undoes=first.id))
        assert (first.id, second.id, undo.id) == (1, 2, 3)
        assert uow.numbers.values["id:audit_entry"] == 3
        assert uow.audit.get(1).undone_by == 3  # type: ignore[union-attr]
        assert uow.audit.get(2).undone_by is None  # type: ignore[union-attr]
        assert uow.audit.by_number("RK-2026-0001").id == 1  # type: ignore[union-attr]
        assert uow.audit.by_number("CX-2026-0001").action is Action.UNDO  # a reversal's number names its undo
        assert uow.audit.last_of(1, frozenset(UNDOABLE)).id == 1  # type: ignore[union-attr]  # the undo is skipped
        assert uow.audit.get(99) is None
        with pytest.raises(FakeIntegrityError):
            uow.audit.add(an_entry(Action.UNDO, undoes=first.id))
        uow.commit()


def test_fake_audit_page_filters_and_orders_newest_first() -> None:
    uow = FakeUnitOfWork()
    with uow.writing():
        for index, (subject, user) in enumerate([("A001", 1), ("B001", 1), ("A001", 2), ("A001", 1)]):
            uow.audit.add(an_entry(subject=subject, user_id=user, at=AT + timedelta(hours=index)))
        uow.commit()
    with uow:
        assert [e.id for e in uow.audit.page(None, None, None, None, 0, 10)] == [4, 3, 2, 1]
        assert [e.id for e in uow.audit.page("A001", 1, None, None, 0, 10)] == [4, 1]
        assert [e.id for e in uow.audit.page(None, None, AT + timedelta(hours=1), AT + timedelta(hours=3), 0, 10)] == [3, 2]
        assert [e.id for e in uow.audit.page(None, None, None, None, 1, 2)] == [3, 2]
        assert uow.audit.count("A001", None, None, None) == 3
        assert uow.audit.count(None, 2, None, None) == 1


def test_fake_audit_stores_changes_as_the_table_does() -> None:
    from domain.products import FieldChange

    uow = FakeUnitOfWork()
    with uow.writing():
        uow.audit.add(an_entry(changes=(FieldChange("sale_price", D("3.50"), None),), text="x" * 1200))
        with pytest.raises(TypeError):  # not JSON: storage could not write it either
            uow.audit.add(an_entry(changes=(FieldChange("at", AT, None),)))
        (stored,) = uow.audit.entries
    assert stored.changes == (FieldChange("sale_price", D("3.50"), None),)
    assert len(stored.text) == 1000


def test_fake_commit_records_the_update_once_and_a_duplicate_rolls_back() -> None:
    uow = FakeUnitOfWork()
    uow.update_id = 77
    with uow.writing():
        uow.audit.add(an_entry())
        assert not uow.update_seen(77)  # not committed yet
        uow.commit()
    assert uow.update_seen(77)
    before, commits = uow.state(), uow.commits
    with uow.writing():
        uow.audit.add(an_entry())
        with pytest.raises(AlreadyProcessed) as caught:
            uow.commit()
        assert caught.value.update_id == 77
        assert uow.audit.entries == before.audit  # rolled back at once
    assert (uow.state(), uow.commits) == (before, commits)


def test_fake_invitation_is_used_only_once() -> None:
    uow = FakeUnitOfWork()
    with uow.writing():
        uow.invitations.add(Invitation("1-ABCDEFGH", Role.KEEPER, 1, AT))
        assert uow.invitations.use("1-ABCDEFGH", 2, AT)
        assert not uow.invitations.use("1-ABCDEFGH", 3, AT)
        assert not uow.invitations.use("1-ZZZZZZZZ", 3, AT)
        assert uow.invitations.get("1-ABCDEFGH").used_by == 2  # type: ignore[union-attr]
        with pytest.raises(FakeIntegrityError):
            uow.invitations.add(Invitation("1-ABCDEFGH", Role.KEEPER, 1, AT))


def test_fake_chat_binding_is_one_per_chat_across_workspaces_and_rolls_back() -> None:
    world = FakeWorld()
    one, two = FakeUnitOfWork(1, "一号店", world), FakeUnitOfWork(2, "二号店", world)
    with one.writing():
        one.chats.bind(-5, 1, AT)
        one.chats.set_show_sensitive(-5, True)
        one.commit()
    with two.writing():
        two.chats.set_show_sensitive(-5, False)  # not bound here: nothing happens
        two.chats.unbind(-5)
        assert two.chats.get(-5).show_sensitive is True  # type: ignore[union-attr]
        two.chats.bind(-5, 2, AT)  # replaces the binding, sensitive figures hidden again
        assert two.chats.get(-5).workspace_id == 2  # type: ignore[union-attr]
        assert two.chats.get(-5).show_sensitive is False  # type: ignore[union-attr]
        assert two.chats.workspace_name(1) == "一号店"
        assert two.chats.workspace_name(9) == ""
    # not committed: the binding in workspace 1 is back
    with one:
        assert one.chats.get(-5).workspace_id == 1  # type: ignore[union-attr]


def test_fake_members_are_sorted_owners_first_and_update_keeps_joined_at() -> None:
    uow = FakeUnitOfWork()
    keeper = Member(3, "张三", Role.KEEPER, joined_at=AT)
    owner = Member(1, "老王", Role.OWNER, joined_at=AT + timedelta(days=1))
    uow.seed_members(keeper, owner)
    with uow.writing():
        uow.members.update(replace(keeper, role=Role.ADMIN, joined_at=None))
        uow.members.update(Member(99, "没人", Role.ADMIN))  # no such row: nothing
        assert uow.members.all() == [owner, replace(keeper, role=Role.ADMIN)]
        with pytest.raises(FakeIntegrityError):
            uow.members.add(keeper)
        uow.members.remove(1)
        assert [m.user_id for m in uow.members.all()] == [3]


def test_fake_stock_warehouses_movements_and_guard_rail_history() -> None:
    uow = FakeUnitOfWork()
    with uow.writing():
        assert uow.stock.warehouses() == [ports.Warehouse(1, "主仓")]
        assert uow.stock.add_warehouse("二仓") == ports.Warehouse(2, "二仓")
        with pytest.raises(FakeIntegrityError):
            uow.stock.add_warehouse("二仓")
        assert uow.stock.warehouse_named("二仓") == ports.Warehouse(2, "二仓")
        assert uow.stock.warehouse_named("三仓") is None
        assert not uow.stock.has_movements(1)
        assert uow.stock.typical_quantity(1, MovementKind.RECEIPT) is None
        for n in range(1, 23):
            uow.stock.append(a_movement(f"RK-{n}", "100" if n <= 2 else str(n % 3 + 1), unit_price=D(n) if n < 21 else None))
        uow.stock.append(a_movement("CK-1", "-7", MovementKind.ISSUE))
        # the last 20 receipts: 3..22, quantities n % 3 + 1
        assert uow.stock.typical_quantity(1, MovementKind.RECEIPT) == D(sum(n % 3 + 1 for n in range(3, 23))) / 20
        assert uow.stock.typical_quantity(1, MovementKind.ISSUE) == D(7)
        assert uow.stock.last_unit_price(1, MovementKind.RECEIPT) == D(20)
        assert uow.stock.last_unit_price(1, MovementKind.ISSUE) is None
        assert uow.stock.has_movements(1)
        reversal = uow.stock.append(a_movement("CX-1", "-1", MovementKind.REVERSAL, reverses_id=1))
        assert uow.stock.movement_by_number("RK-1").reversed_by == "CX-1"  # type: ignore[union-attr]
        assert uow.stock.movement_by_number("CX-1") == reversal
        assert uow.stock.movement_by_number("RK-99") is None
        assert uow.stock.movements(1, None, None, 0, 50)[-1].reversed_by == "CX-1"
        with pytest.raises(FakeIntegrityError):
            uow.stock.append(a_movement("CX-2", "-1", MovementKind.REVERSAL, reverses_id=1))
        uow.stock.append(a_movement("RK-X", warehouse_id=2))
        assert uow.stock.count_movements(1, None, None) == 25
        assert uow.stock.count_movements(1, None, None, frozenset({2})) == 1


def test_fake_stock_lets_a_document_number_cover_several_movements() -> None:
    # A transfer's two legs and a stocktake's lines share one number (migration 0003 dropped the
    # unique constraint on it); only one reversal per movement remains unique.
    uow = FakeUnitOfWork()
    with uow.writing():
        out = uow.stock.append(a_movement("DB-1", "-3", MovementKind.TRANSFER_OUT))
        into = uow.stock.append(a_movement("DB-1", "3", MovementKind.TRANSFER_IN, warehouse_id=2))
        uow.stock.append(a_movement("RK-1"))
        assert uow.stock.movements_by_number("DB-1") == [out, into]  # in the order they were booked
        assert uow.stock.movement_by_number("DB-1") == out  # the first one
        assert uow.stock.movements_by_number("DB-9") == []
        reversal = uow.stock.append(a_movement("CX-1", "-3", MovementKind.REVERSAL, warehouse_id=2, reverses_id=into.id))
        assert [m.reversed_by for m in uow.stock.movements_by_number("DB-1")] == ["", "CX-1"]
        assert uow.stock.movements_by_number("CX-1") == [reversal]
        with pytest.raises(FakeIntegrityError):
            uow.stock.append(a_movement("CX-2", "-3", MovementKind.REVERSAL, warehouse_id=2, reverses_id=into.id))


def test_fake_stock_balances_by_warehouse_are_in_warehouse_order_and_filtered() -> None:
    uow = FakeUnitOfWork()
    uow.seed(make_product("A001"), make_product("B001"))
    uow.seed_warehouses("二仓", "三仓")
    with uow.writing():
        for warehouse_id, quantity in ((3, "4"), (1, "10")):
            before = uow.stock.lock_balance(1, warehouse_id)
            uow.stock.save_balance(1, warehouse_id, before, StockBalance(D(quantity), D(quantity) * 2))
        uow.stock.lock_balance(1, 2)  # a zero row, as a refused or emptied booking leaves
        uow.stock.lock_balance(2, 1)
        assert uow.stock.balances_by_warehouse(1) == [
            (ports.Warehouse(1, "主仓"), StockBalance(D(10), D(20))),
            (ports.Warehouse(2, "二仓"), StockBalance(D(0), D(0))),
            (ports.Warehouse(3, "三仓"), StockBalance(D(4), D(8))),
        ]
        assert uow.stock.balances_by_warehouse(1, frozenset({3, 9})) == [(ports.Warehouse(3, "三仓"), StockBalance(D(4), D(8)))]
        assert uow.stock.balances_by_warehouse(1, frozenset()) == []
        assert uow.stock.balances_by_warehouse(7) == []


def test_fake_products_with_id() -> None:
    uow = FakeUnitOfWork()
    first, second = uow.seed(make_product("A001"), make_product("B001"))
    with uow:
        assert uow.products.with_id(second.id) == second  # type: ignore[arg-type]
        assert uow.products.with_id(first.id).code == "A001"  # type: ignore[arg-type]


def test_fake_stocktakes_open_record_replace_list_and_close() -> None:
    uow = FakeUnitOfWork()
    a001, b001 = uow.seed(make_product("A001"), make_product("B001"))
    uow.seed_warehouses("二仓")
    main, second = ports.Warehouse(1, "主仓"), ports.Warehouse(2, "二仓")
    with uow.writing():
        assert (uow.stocktakes.open_counts(), uow.stocktakes.open_in(1)) == ([], None)
        first = uow.stocktakes.start(ports.Stocktake("PD-1", main, AT, "老王"))
        other = uow.stocktakes.start(ports.Stocktake("PD-2", second, AT, "x" * 80))
        assert (first.id, other.id, first.status) == (1, 2, "open")
        assert other.opened_by == "x" * 80  # returned as given …
        assert uow.stocktakes.open_in(2).opened_by == "x" * 64  # type: ignore[union-attr]  # … stored in 64 characters
        assert uow.stocktakes.open_in(1) == first
        assert [s.number for s in uow.stocktakes.open_counts()] == ["PD-1", "PD-2"]
        uow.stocktakes.record(first.id, b001.id, D(5), D(3), AT, "老王")  # type: ignore[arg-type]
        uow.stocktakes.record(first.id, a001.id, D(2), D(4), AT, "老王")  # type: ignore[arg-type]
        later = AT + timedelta(minutes=5)
        uow.stocktakes.record(first.id, b001.id, D(6), D(7), later, "y" * 80)  # type: ignore[arg-type]  # a recount replaces
        assert uow.stocktakes.lines(first.id) == [
            ports.StocktakeLine(a001, D(2), D(4), AT, "老王"),
            ports.StocktakeLine(b001, D(6), D(7), later, "y" * 64),
        ]
        assert [line.variance for line in uow.stocktakes.lines(first.id)] == [D(-2), D(-1)]
        assert uow.stocktakes.lines(other.id) == []
        with pytest.raises(FakeIntegrityError):
            uow.stocktakes.record(99, a001.id, D(1), D(1), AT, "老王")  # type: ignore[arg-type]
        with pytest.raises(FakeIntegrityError):
            uow.stocktakes.record(first.id, 99, D(1), D(1), AT, "老王")
        with pytest.raises(FakeIntegrityError):
            uow.stocktakes.start(ports.Stocktake("PD-3", ports.Warehouse(9, "九仓"), AT, "老王"))
        uow.stocktakes.close(first.id, "confirmed", later)
        assert uow.stocktakes.open_in(1) is None
        assert [s.number for s in uow.stocktakes.open_counts()] == ["PD-2"]
        uow.commit()
    # A closed count keeps its lines; a new one in the same warehouse starts empty.
    with uow.writing():
        again = uow.stocktakes.start(ports.Stocktake("PD-3", main, AT, "老王"))
        assert (again.id, uow.stocktakes.lines(again.id), len(uow.stocktakes.lines(first.id))) == (3, [], 2)
    # not committed: rolled back, and the id with it
    with uow:
        assert uow.stocktakes.open_in(1) is None
        assert uow.numbers.values["id:stocktake"] == 2


@pytest.mark.parametrize(
    "write",
    [
        lambda u: u.members.add(Member(1, "x", Role.OWNER, joined_at=AT)),
        lambda u: u.members.update(Member(1, "x", Role.OWNER)),
        lambda u: u.members.remove(1),
        lambda u: u.invitations.add(Invitation("1-ABCDEFGH", Role.KEEPER, 1, AT)),
        lambda u: u.invitations.use("1-ABCDEFGH", 1, AT),
        lambda u: u.chats.bind(1, 1, AT),
        lambda u: u.chats.unbind(1),
        lambda u: u.chats.set_show_sensitive(1, True),
        lambda u: u.audit.add(an_entry()),
        lambda u: u.confirmations.add(ports.PendingConfirmation("t", 1, 1, "x", AT)),
        lambda u: u.confirmations.mark_used("t"),
        lambda u: u.stock.add_warehouse("二仓"),
        lambda u: u.stocktakes.start(ports.Stocktake("PD-1", ports.Warehouse(1, "主仓"), AT, "老王")),
        lambda u: u.stocktakes.record(1, 1, D(1), D(1), AT, "老王"),
        lambda u: u.stocktakes.close(1, "cancelled", AT),
    ],
)
def test_fake_refuses_writes_outside_writing(write) -> None:  # type: ignore[no-untyped-def]
    uow = FakeUnitOfWork()
    with pytest.raises(TransactionError):
        write(uow)
    with uow, pytest.raises(TransactionError):
        write(uow)


@pytest.mark.parametrize(
    "read",
    [
        lambda u: u.members.all(),
        lambda u: u.invitations.get("x"),
        lambda u: u.chats.get(1),
        lambda u: u.audit.page(None, None, None, None, 0, 10),
        lambda u: u.stock.warehouses(),
        lambda u: u.stock.typical_quantity(1, "receipt"),
        lambda u: u.stock.movements_by_number("DB-1"),
        lambda u: u.stock.balances_by_warehouse(1),
        lambda u: u.products.with_id(1),
        lambda u: u.stocktakes.open_counts(),
        lambda u: u.stocktakes.open_in(1),
        lambda u: u.stocktakes.lines(1),
    ],
)
def test_fake_refuses_reads_outside_a_transaction(read) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TransactionError):
        read(FakeUnitOfWork())


def test_fake_rolls_back_every_repository() -> None:
    uow = FakeUnitOfWork()
    before = uow.state()
    with uow.writing():
        uow.members.add(Member(1, "x", Role.OWNER, joined_at=AT))
        uow.invitations.add(Invitation("1-ABCDEFGH", Role.KEEPER, 1, AT))
        uow.chats.bind(1, 1, AT)
        uow.audit.add(an_entry())
        uow.confirmations.add(ports.PendingConfirmation("t", 1, 1, "x", AT))
        uow.stock.add_warehouse("二仓")
        started = uow.stocktakes.start(ports.Stocktake("PD-1", ports.Warehouse(1, "主仓"), AT, "老王"))
        uow.products.add(make_product())
        uow.stocktakes.record(started.id, 1, D(1), D(1), AT, "老王")
    assert uow.state() == before
    assert uow.rollbacks == 1


# ---- faster entry ----


def test_fake_products_lookup_finds_by_pinyin_name_and_barcode_active_only() -> None:
    uow = FakeUnitOfWork()
    uow.seed(
        make_product(code="A001", name="可口可乐", barcode="6901234567892"),
        make_product(code="A002", name="百事可乐"),
        make_product(code="A003", name="可乐停用", active=False),
    )
    with uow:
        assert [p.code for p in uow.products.lookup("kkl", 5)] == ["A001"]
        assert [p.code for p in uow.products.lookup("可乐", 5)] == ["A001", "A002"]
        assert [p.code for p in uow.products.lookup("6901234567892", 5)] == ["A001"]
        assert uow.products.lookup("xyz", 5) == []


def test_fake_import_jobs_drop_day_old_ones_and_roll_back() -> None:
    uow = FakeUnitOfWork()
    old = ports.ImportJob("old", "商品", (("编码",),), AT - timedelta(days=2))
    with uow.writing():
        uow.import_jobs.add(old)
        uow.commit()
    with uow.writing():
        uow.import_jobs.add(replace(old, token="new", created_at=AT))
        assert uow.import_jobs.get("old") is None and uow.import_jobs.get("new") is not None
    with uow:
        assert uow.import_jobs.get("old") == old and uow.import_jobs.get("new") is None  # rolled back
