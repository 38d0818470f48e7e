"""撤销 (undo by reversal), 日志 (the audit log read back) and confirmation buttons, through the
in-memory unit of work. After every scenario the books still check out (``jxc check``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from domain import commands as c
from domain import history, services
from domain import stocktake as stk
from domain import workspaces as ws
from domain.access import Member, Permission, Role
from domain.audit import Action, AuditEntry
from domain.errors import (
    ConfirmationExpired,
    NeedsConfirmation,
    NothingToUndo,
    NotPermitted,
    UndoRefused,
    UnknownMember,
    UnknownOperation,
)
from domain.periods import between
from domain.ports import PendingConfirmation
from domain.products import FieldChange, Product
from domain.stock import Movement, MovementKind, StockBalance
from tests.factories import SHANGHAI, make_product
from tests.fakes import FakeIntegrityError, FakeUnitOfWork
from tests.unit.support import ADMIN, BUYER, GROUP, KEEPER, KEEPER2, NOW, OWNER, SELLER, ctx_of, shop

D = Decimal
R = Role
WHY = UndoRefused
MINUTE = timedelta(minutes=1)


@pytest.fixture
def uow() -> Iterator[FakeUnitOfWork]:
    uow = shop()
    uow.seed(make_product("A001", name="可乐", unit="罐"))
    yield uow
    report = services.check_books(uow)
    assert report.ok, report.mismatches


# ---- helpers -----------------------------------------------------------------------------------


def receive(
    uow: FakeUnitOfWork, who: Member, quantity: str, price: str | None = None, at=NOW, warehouse: str | None = None  # type: ignore[no-untyped-def]
) -> services.StockReceived:
    text = f"入库 A001 {quantity}" + (f" 单价 {price}" if price else "")
    cmd = c.ReceiveStock("A001", D(quantity), unit_price=None if price is None else D(price), warehouse=warehouse, confirmed=True)
    return services.receive_stock(uow, ctx_of(who, text, at), cmd)


def issue(uow: FakeUnitOfWork, who: Member, quantity: str, price: str | None = None, at=NOW) -> services.StockIssued:  # type: ignore[no-untyped-def]
    cmd = c.IssueStock("A001", D(quantity), unit_price=None if price is None else D(price), confirmed=True)
    return services.issue_stock(uow, ctx_of(who, f"出库 A001 {quantity}", at), cmd)


def ask(uow: FakeUnitOfWork, who: Member, target: str | None = None, at=NOW) -> NeedsConfirmation:  # type: ignore[no-untyped-def]
    """Send 撤销 and return the question it asks (nothing may have changed)."""
    before = uow.state()
    with pytest.raises(NeedsConfirmation) as caught:
        history.undo(uow, ctx_of(who, "撤销" + (f" {target}" if target else ""), at), c.Undo(target))
    assert uow.state() == before
    return caught.value


def undo(uow: FakeUnitOfWork, who: Member, target: str | None = None, at=NOW) -> history.Undone:  # type: ignore[no-untyped-def]
    """撤销, then press 确认: what the chat edge does."""
    question = ask(uow, who, target, at)
    assert question.reasons == []
    assert isinstance(question.command, c.Undo) and question.command.confirmed
    return history.undo(uow, ctx_of(who, "撤销 确认", at), question.command)


def refused(uow: FakeUnitOfWork, who: Member, target: str | None, error: type = UndoRefused, at=NOW, confirmed: bool = False):  # type: ignore[no-untyped-def]
    """The refusal of a 撤销 (asked or confirmed), having proved that nothing changed."""
    before = uow.state()
    with pytest.raises(error) as caught:
        history.undo(uow, ctx_of(who, "撤销", at), c.Undo(target, confirmed=confirmed))
    assert uow.state() == before
    return caught.value


def entry_of(uow: FakeUnitOfWork, number: str) -> AuditEntry:
    with uow:
        found = uow.audit.by_number(number)
    assert found is not None
    return found


def movement(uow: FakeUnitOfWork, number: str) -> Movement:
    with uow:
        found = uow.stock.movement_by_number(number)
    assert found is not None
    return found


def balance(uow: FakeUnitOfWork, warehouse_id: int = 1) -> StockBalance:
    return uow.stock.balances[(1, warehouse_id)]


def product(uow: FakeUnitOfWork, code: str = "A001") -> Product:
    with uow:
        found = uow.products.get(code)
    assert found is not None
    return found


# ---- undo of one's own last operation ----------------------------------------------------------


def test_undo_asks_first_with_a_preview_then_reverses_the_receipt(uow: FakeUnitOfWork) -> None:
    booked = receive(uow, KEEPER, "10", "2.50")
    original = entry_of(uow, "RK-2026-0001")
    later = NOW + 5 * MINUTE

    question = ask(uow, KEEPER, at=later)
    assert question.command == c.Undo(f"#{original.id}", confirmed=True)
    assert question.preview == history.UndoPreview(original, booked.movement, product(uow), (booked.movement,))
    assert uow.confirmations.by_token == {}  # storing the question is the chat edge's business

    result = history.undo(uow, ctx_of(KEEPER, "撤销 确认", later), question.command)
    reversal = result.reversal
    assert reversal == Movement(
        kind=MovementKind.REVERSAL,
        product_id=1,
        warehouse_id=1,
        quantity=D(-10),
        value=D("-25.00"),
        balance_quantity=D(0),
        balance_value=D(0),
        occurred_at=later,
        recorded_at=later,
        actor_id=KEEPER.user_id,
        actor_name=KEEPER.name,
        chat_id=GROUP,
        unit_price=D("2.50"),
        note="冲销 RK-2026-0001",
        number="CX-2026-0001",
        id=reversal.id,
        reverses_id=booked.movement.id,
    )
    assert (result.entry, result.product, result.balance) == (original, product(uow), StockBalance(D(0), D(0)))
    assert result.reversals == (reversal,)
    assert balance(uow) == StockBalance(D(0), D(0))
    # Nothing was deleted: the receipt is still there, marked as reversed.
    assert [m.number for m in uow.stock.ledger] == ["RK-2026-0001", "CX-2026-0001"]
    assert movement(uow, "RK-2026-0001").reversed_by == "CX-2026-0001"
    # The undo is itself an audit entry pointing at the original.
    undo_entry = uow.audit.entries[-1]
    assert (undo_entry.action, undo_entry.undoes, undo_entry.numbers, undo_entry.subject, undo_entry.text, undo_entry.user_id) == (
        Action.UNDO,
        original.id,
        ("CX-2026-0001",),
        "A001",
        "撤销 确认",
        KEEPER.user_id,
    )
    with uow:
        assert uow.audit.get(original.id).undone_by == undo_entry.id  # type: ignore[union-attr]


@pytest.mark.parametrize(("after", "allowed"), [(10 * MINUTE, True), (10 * MINUTE + timedelta(seconds=1), False)])
def test_undo_without_a_number_reaches_back_ten_minutes(uow: FakeUnitOfWork, after: timedelta, allowed: bool) -> None:
    receive(uow, KEEPER, "10", "2.50")
    if allowed:
        assert undo(uow, KEEPER, at=NOW + after).balance == StockBalance(D(0), D(0))
    else:
        assert refused(uow, KEEPER, None, NothingToUndo, at=NOW + after).minutes == 10


def test_an_admin_too_reaches_back_only_ten_minutes_without_a_number(uow: FakeUnitOfWork) -> None:
    receive(uow, ADMIN, "10", "2.50")
    refused(uow, ADMIN, None, NothingToUndo, at=NOW + 11 * MINUTE)


def test_an_older_operation_is_refused_to_its_author_by_number_but_allowed_to_an_admin(uow: FakeUnitOfWork) -> None:
    receive(uow, KEEPER, "10", "2.50")
    old = NOW + 11 * MINUTE
    error = refused(uow, KEEPER, "RK-2026-0001", at=old)
    assert (error.why, error.label, error.details) == (WHY.TOO_OLD, "RK-2026-0001", {"minutes": 10})
    result = undo(uow, ADMIN, "RK-2026-0001", at=NOW + timedelta(days=30))
    assert result.reversal.actor_id == ADMIN.user_id  # type: ignore[union-attr]
    assert balance(uow) == StockBalance(D(0), D(0))


@pytest.mark.parametrize("who", [KEEPER2], ids=["other keeper"])
def test_someone_elses_operation_is_not_yours(uow: FakeUnitOfWork, who: Member) -> None:
    receive(uow, KEEPER, "10", "2.50")
    error = refused(uow, who, "RK-2026-0001")
    assert (error.why, error.label) == (WHY.NOT_YOURS, "RK-2026-0001")


@pytest.mark.parametrize("who", [ADMIN, OWNER], ids=lambda m: m.role.name)
def test_admins_and_owners_undo_anyones_operation(uow: FakeUnitOfWork, who: Member) -> None:
    receive(uow, KEEPER, "10", "2.50")
    undo(uow, who, "RK-2026-0001", at=NOW + MINUTE)
    assert movement(uow, "RK-2026-0001").reversed_by == "CX-2026-0001"


@pytest.mark.parametrize("who", [SELLER, BUYER], ids=lambda m: m.role.name)
def test_a_role_without_the_originals_permission_cannot_undo_it(uow: FakeUnitOfWork, who: Member) -> None:
    receive(uow, KEEPER, "10", "2.50")
    error = refused(uow, who, "RK-2026-0001", NotPermitted)
    assert (error.role, error.permission, error.roles) == (who.role, Permission.MOVE_STOCK, [R.OWNER, R.ADMIN, R.KEEPER])


def test_a_keeper_demoted_after_booking_cannot_undo_it_any_more(uow: FakeUnitOfWork) -> None:
    receive(uow, KEEPER, "10", "2.50")
    ws.set_member_role(uow, ctx_of(OWNER, "成员 设置 @zhangsan 销售"), c.SetMemberRole("@zhangsan", "销售"))
    demoted = replace(KEEPER, role=R.SELLER)
    refused(uow, demoted, None, NotPermitted, at=NOW + MINUTE)


# ---- what a reversal books ---------------------------------------------------------------------


def test_reversing_a_receipt_restores_the_previous_balance_exactly(uow: FakeUnitOfWork) -> None:
    receive(uow, KEEPER, "10", "1.00")
    issue(uow, KEEPER, "3")  # 7 left worth 7.00
    receive(uow, KEEPER, "3", "3.333")  # 3 × 3.333 = 9.999 → 10.00; 10 worth 17.00
    assert balance(uow) == StockBalance(D(10), D("17.00"))
    result = undo(uow, KEEPER, at=NOW + MINUTE)
    assert (result.reversal.quantity, result.reversal.value) == (D(-3), D("-10.00"))  # type: ignore[union-attr]
    assert (result.reversal.reverses_id, result.reversal.number) == (3, "CX-2026-0001")  # type: ignore[union-attr]
    assert balance(uow) == StockBalance(D(7), D("7.00"))
    assert result.balance == StockBalance(D(7), D("7.00"))


def test_reversing_a_receipt_whose_goods_were_since_issued_is_refused(uow: FakeUnitOfWork) -> None:
    receive(uow, KEEPER, "10", "2.00")
    issue(uow, KEEPER, "4")  # 6 left: the reversal would leave −4
    error = refused(uow, KEEPER, "RK-2026-0001", confirmed=True)
    assert (error.why, error.label, error.details) == (
        WHY.STOCK_SINCE_ISSUED,
        "RK-2026-0001",
        {"code": "A001", "name": "可乐", "unit": "罐", "on_hand": D(6)},
    )
    refused(uow, ADMIN, "RK-2026-0001", confirmed=True)  # not even an admin


def test_reversing_a_receipt_that_raised_the_cost_of_later_issues_is_refused(uow: FakeUnitOfWork) -> None:
    receive(uow, KEEPER, "100", "0.10")  # 100 worth 10.00
    receive(uow, KEEPER, "10", "10.00")  # 110 worth 110.00: average 1.00
    issue(uow, KEEPER, "50")  # costs 50.00: 60 worth 60.00 left
    # Taking the 10 out again leaves 50 on hand but −40.00 of value: refused.
    error = refused(uow, ADMIN, "RK-2026-0002", confirmed=True)
    assert (error.why, error.details["on_hand"]) == (WHY.VALUE_WOULD_BE_NEGATIVE, D(60))
    assert balance(uow) == StockBalance(D(60), D("60.00"))


def test_reversing_an_issue_puts_back_its_cost(uow: FakeUnitOfWork) -> None:
    receive(uow, KEEPER, "10", "2.50")
    receive(uow, KEEPER, "10", "2.60")  # 20 worth 51.00
    issued = issue(uow, KEEPER, "3", price="4.00")  # costs 7.65
    assert issued.cost == D("7.65")
    result = undo(uow, KEEPER, "CK-2026-0001", at=NOW + MINUTE)
    reversal = result.reversal
    assert (reversal.quantity, reversal.value, reversal.unit_price, reversal.reverses_id) == (  # type: ignore[union-attr]
        D(3),
        D("7.65"),
        D("4.00"),
        issued.movement.id,
    )
    assert balance(uow) == StockBalance(D(20), D("51.00"))
    assert movement(uow, "CK-2026-0001").reversed_by == "CX-2026-0001"


def test_reversing_to_zero_stock_takes_the_whole_remaining_value(uow: FakeUnitOfWork) -> None:
    receive(uow, KEEPER, "10", "1.00")  # 10.00
    receive(uow, KEEPER, "10", "3.00")  # 30.00: 20 worth 40.00
    issue(uow, KEEPER, "10")  # costs 20.00: 10 worth 20.00
    result = undo(uow, ADMIN, "RK-2026-0002", at=NOW + MINUTE)
    # Not the receipt's 30.00 (which would leave −10.00 on empty stock): all that is left.
    assert (result.reversal.quantity, result.reversal.value) == (D(-10), D("-20.00"))  # type: ignore[union-attr]
    assert balance(uow) == StockBalance(D(0), D("0.00"))


def test_reversal_in_a_second_warehouse_books_there_and_reports_the_total(uow: FakeUnitOfWork) -> None:
    uow.seed_warehouses("二仓")
    receive(uow, KEEPER, "5", "2.00")
    receive(uow, KEEPER, "3", "2.00", warehouse="二仓")
    result = undo(uow, KEEPER, at=NOW + MINUTE)
    assert result.reversal.warehouse_id == 2  # type: ignore[union-attr]
    assert (balance(uow, 1), balance(uow, 2)) == (StockBalance(D(5), D("10.00")), StockBalance(D(0), D(0)))
    assert result.balance == StockBalance(D(5), D("10.00"))


def test_a_member_limited_to_another_warehouse_cannot_reverse_a_movement_there(uow: FakeUnitOfWork) -> None:
    uow.seed_warehouses("二仓")
    receive(uow, KEEPER, "5", "2.00")  # in 主仓
    limited_admin = replace(ADMIN, warehouse_ids=frozenset({2}))
    error = refused(uow, limited_admin, "#" + str(entry_of(uow, "RK-2026-0001").id), confirmed=True)
    assert (error.why, error.label) == (WHY.NOT_YOURS, "RK-2026-0001")


def test_a_member_limited_to_another_warehouse_is_refused_before_being_asked(uow: FakeUnitOfWork) -> None:
    uow.seed_warehouses("二仓")
    receive(uow, KEEPER, "5", "2.00")
    limited_admin = replace(ADMIN, warehouse_ids=frozenset({2}))
    error = refused(uow, limited_admin, "RK-2026-0001")
    assert error.why == WHY.NOT_YOURS


def _since_issued(uow: FakeUnitOfWork) -> str:
    receive(uow, KEEPER, "10", "2.00")
    issue(uow, KEEPER, "4")
    return "RK-2026-0001"


def _changed_since(uow: FakeUnitOfWork) -> str:
    change(uow, BUYER, ("sale_price", D("3.50")))
    change(uow, KEEPER, ("sale_price", D("3.80")))
    return f"#{uow.audit.entries[-2].id}"


@pytest.mark.parametrize("setup", [_since_issued, _changed_since], ids=["stock since issued", "changed since"])
def test_an_undo_that_cannot_be_booked_is_refused_before_asking(uow: FakeUnitOfWork, setup) -> None:  # type: ignore[no-untyped-def]
    target = setup(uow)
    refused(uow, OWNER, target)


# ---- what cannot be undone twice or at all ------------------------------------------------------


def test_an_undone_operation_cannot_be_undone_again(uow: FakeUnitOfWork) -> None:
    receive(uow, KEEPER, "10", "2.50")
    undo(uow, KEEPER, at=NOW + MINUTE)
    # By number, by #id, and as "my last operation" (the undo itself is skipped).
    for target in ("RK-2026-0001", f"#{entry_of(uow, 'RK-2026-0001').id}", None):
        error = refused(uow, KEEPER, target, at=NOW + 2 * MINUTE)
        assert (error.why, error.label) == (WHY.ALREADY_UNDONE, "RK-2026-0001")
    # A confirmation pressed twice finds it undone too.
    error = refused(uow, KEEPER, f"#{entry_of(uow, 'RK-2026-0001').id}", at=NOW + 2 * MINUTE, confirmed=True)
    assert error.why == WHY.ALREADY_UNDONE


def test_an_undo_cannot_be_undone(uow: FakeUnitOfWork) -> None:
    receive(uow, KEEPER, "10", "2.50")
    undo(uow, KEEPER, at=NOW + MINUTE)
    undo_entry = uow.audit.entries[-1]
    error = refused(uow, OWNER, f"#{undo_entry.id}")
    assert (error.why, error.label, error.details) == (WHY.NOT_UNDOABLE, "CX-2026-0001", {"action": "撤销"})
    # The reversal's own number names the undo, which is refused the same way.
    assert refused(uow, OWNER, "CX-2026-0001").why == WHY.NOT_UNDOABLE


def test_operations_outside_products_and_stock_are_not_undoable(uow: FakeUnitOfWork) -> None:
    services.add_warehouse(uow, ctx_of(ADMIN, "仓库 新增 二仓"), c.AddWarehouse("二仓"))
    entry_id = uow.audit.entries[-1].id
    error = refused(uow, ADMIN, f"#{entry_id}")
    assert (error.why, error.details) == (WHY.NOT_UNDOABLE, {"action": "仓库新增"})
    assert error.label == f"#{entry_id}"
    # 撤销 alone reaches only for operations it can reverse.
    refused(uow, ADMIN, None, NothingToUndo)


def test_the_database_refuses_a_second_undo_of_the_same_entry(uow: FakeUnitOfWork) -> None:
    receive(uow, KEEPER, "10", "2.50")
    original = entry_of(uow, "RK-2026-0001")
    undo(uow, KEEPER, at=NOW + MINUTE)
    with uow.writing(), pytest.raises(FakeIntegrityError):
        services.audit(uow, ctx_of(ADMIN, "撤销"), Action.UNDO, "A001", undoes=original.id)


# ---- finding the operation ---------------------------------------------------------------------


def test_undo_by_document_number_in_any_case_and_by_entry_id(uow: FakeUnitOfWork) -> None:
    receive(uow, KEEPER, "10", "2.50")
    receive(uow, KEEPER, "5", "2.50")
    assert undo(uow, KEEPER, "rk-2026-0001", at=NOW + MINUTE).entry.numbers == ("RK-2026-0001",)
    second = entry_of(uow, "RK-2026-0002")
    assert undo(uow, KEEPER, f"#{second.id}", at=NOW + MINUTE).entry.id == second.id
    assert balance(uow) == StockBalance(D(0), D(0))


@pytest.mark.parametrize("target", ["RK-2026-9999", "#999", "#abc", "#", "#" + "9" * 25])
def test_an_unknown_operation_is_named_back(uow: FakeUnitOfWork, target: str) -> None:
    receive(uow, KEEPER, "10", "2.50")
    assert refused(uow, OWNER, target, UnknownOperation).target == target


def test_nothing_to_undo_for_someone_who_did_nothing(uow: FakeUnitOfWork) -> None:
    receive(uow, KEEPER, "10", "2.50")
    assert refused(uow, KEEPER2, None, NothingToUndo).minutes == 10


def test_operations_of_another_workspace_cannot_be_found() -> None:
    here, there = shop(), shop()
    for uow in (here, there):
        uow.seed(make_product("A001", name="可乐", unit="罐"))
    receive(there, KEEPER, "10", "2.50")
    refused(here, OWNER, "RK-2026-0001", UnknownOperation)
    refused(here, OWNER, "#3", UnknownOperation)
    assert services.check_books(here).ok and services.check_books(there).ok


# ---- master data -------------------------------------------------------------------------------


def change(uow: FakeUnitOfWork, who: Member, *fields: tuple[str, object], at=NOW) -> services.ProductChanged:  # type: ignore[no-untyped-def]
    return services.change_product(uow, ctx_of(who, "商品 修改 A001 …", at), c.ChangeProduct("A001", fields))


def test_undo_of_a_change_restores_the_old_values_including_prices(uow: FakeUnitOfWork) -> None:
    change(uow, BUYER, ("purchase_price", D("2.40")), ("sale_price", D("3.00")))
    before = product(uow)
    change(uow, BUYER, ("purchase_price", None), ("sale_price", D("3.50")), ("spec", "330ml"), at=NOW + MINUTE)
    result = undo(uow, BUYER, at=NOW + 2 * MINUTE)
    assert product(uow) == before
    assert product(uow).sale_price == D("3.00") and isinstance(product(uow).sale_price, Decimal)
    assert result.changes == (
        FieldChange("purchase_price", None, D("2.40")),
        FieldChange("sale_price", D("3.50"), D("3.00")),
        FieldChange("spec", "330ml", ""),
    )
    assert uow.audit.entries[-1].changes == result.changes


def test_undo_of_a_change_is_refused_when_a_field_changed_since(uow: FakeUnitOfWork) -> None:
    first = change(uow, BUYER, ("sale_price", D("3.50")))
    change(uow, KEEPER, ("sale_price", D("3.80")), at=NOW + MINUTE)
    entry_id = uow.audit.entries[-2].id
    error = refused(uow, OWNER, f"#{entry_id}", at=NOW + 2 * MINUTE, confirmed=True)
    assert (error.why, error.label, error.details) == (WHY.CHANGED_SINCE, f"#{entry_id}", {"code": "A001"})
    assert first.product.sale_price == D("3.50")


def test_undo_of_a_change_is_allowed_when_only_other_fields_changed_since(uow: FakeUnitOfWork) -> None:
    change(uow, BUYER, ("sale_price", D("3.50")))
    change(uow, BUYER, ("spec", "330ml"), at=NOW + MINUTE)
    undo(uow, BUYER, f"#{uow.audit.entries[-2].id}", at=NOW + 2 * MINUTE)
    assert (product(uow).sale_price, product(uow).spec) == (None, "330ml")


def test_undo_of_adding_a_product_deactivates_it(uow: FakeUnitOfWork) -> None:
    services.add_product(uow, ctx_of(BUYER, "商品 新增 B001 雪碧"), c.AddProduct("B001", "雪碧"))
    result = undo(uow, BUYER, at=NOW + MINUTE)
    assert product(uow, "B001").active is False
    assert result.changes == (FieldChange("active", True, False),)
    assert result.reversal is None


def test_undo_of_adding_a_product_with_movements_is_refused(uow: FakeUnitOfWork) -> None:
    services.add_product(uow, ctx_of(KEEPER, "商品 新增 B001 雪碧"), c.AddProduct("B001", "雪碧"))
    added = uow.audit.entries[-1]
    services.receive_stock(uow, ctx_of(KEEPER, "入库 B001 1"), c.ReceiveStock("B001", D(1), unit_price=D(1)))
    error = refused(uow, KEEPER, f"#{added.id}", confirmed=True)
    assert (error.why, error.details) == (WHY.HAS_MOVEMENTS, {"code": "B001"})
    assert product(uow, "B001").active is True


@pytest.mark.parametrize("active", [False, True], ids=["停用", "启用"])
def test_undo_of_deactivating_or_activating_sets_it_back(uow: FakeUnitOfWork, active: bool) -> None:
    if active:
        services.set_product_active(uow, ctx_of(KEEPER, "商品 停用 A001"), c.SetProductActive("A001", False))
    services.set_product_active(uow, ctx_of(KEEPER, "商品 启用 A001"), c.SetProductActive("A001", active))
    undo(uow, KEEPER, at=NOW + MINUTE)
    assert product(uow).active is (not active)


# ---- 日志 ----------------------------------------------------------------------------------------


def test_audit_log_newest_first_with_undone_marks_and_filters(uow: FakeUnitOfWork) -> None:
    uow.seed(make_product("B001", name="雪碧"))
    yesterday = NOW - timedelta(days=1)
    receive(uow, KEEPER, "10", "2.50", at=yesterday)
    services.receive_stock(uow, ctx_of(ADMIN, "入库 B001 1"), c.ReceiveStock("B001", D(1), unit_price=D(1)))
    receive(uow, KEEPER, "5", "2.50")
    undo(uow, KEEPER, at=NOW + MINUTE)

    all_entries = history.show_audit(uow, ctx_of(ADMIN), c.ShowAudit())
    assert [(e.action, e.subject, e.numbers) for e in all_entries.entries] == [
        (Action.UNDO, "A001", ("CX-2026-0001",)),
        (Action.RECEIVE, "A001", ("RK-2026-0003",)),
        (Action.RECEIVE, "B001", ("RK-2026-0002",)),
        (Action.RECEIVE, "A001", ("RK-2026-0001",)),
    ]
    assert [e.undone_by for e in all_entries.entries] == [None, all_entries.entries[0].id, None, None]
    assert (all_entries.total, all_entries.page, all_entries.pages) == (4, 1, 1)

    by_code = history.show_audit(uow, ctx_of(ADMIN), c.ShowAudit(code="a001"))
    assert (by_code.code, by_code.total) == ("A001", 3)
    by_member = history.show_audit(uow, ctx_of(ADMIN), c.ShowAudit(member="@xiaoli"))
    assert [e.subject for e in by_member.entries] == ["B001"]
    today = between(date(2026, 3, 10), date(2026, 3, 10))
    todays = history.show_audit(uow, ctx_of(ADMIN), c.ShowAudit(period=today))
    assert todays.total == 3
    assert todays.period == today


def test_audit_log_of_an_unknown_member_is_refused(uow: FakeUnitOfWork) -> None:
    with pytest.raises(UnknownMember):
        history.show_audit(uow, ctx_of(ADMIN), c.ShowAudit(member="@nobody"))


def test_audit_log_pages_by_ten_and_clamps(uow: FakeUnitOfWork) -> None:
    for minute in range(12):
        receive(uow, KEEPER, "1", "1.00", at=NOW + minute * MINUTE)
    last = history.show_audit(uow, ctx_of(ADMIN), c.ShowAudit(page=7))
    assert (last.page, last.pages, last.total) == (2, 2, 12)
    assert [e.numbers[0] for e in last.entries] == ["RK-2026-0002", "RK-2026-0001"]


def test_audit_period_is_a_shanghai_day(uow: FakeUnitOfWork) -> None:
    late = datetime(2026, 3, 9, 23, 59, tzinfo=SHANGHAI)
    receive(uow, KEEPER, "1", "1.00", at=late)
    receive(uow, KEEPER, "1", "1.00", at=late + MINUTE)  # 00:00 on the 10th
    day = history.show_audit(uow, ctx_of(ADMIN), c.ShowAudit(period=between(date(2026, 3, 10), date(2026, 3, 10))))
    assert [e.numbers for e in day.entries] == [("RK-2026-0002",)]


# ---- confirmation buttons ----------------------------------------------------------------------


def test_a_confirmation_is_kept_for_its_issuer_for_five_minutes(uow: FakeUnitOfWork) -> None:
    pending = history.ask_confirmation(uow, ctx_of(KEEPER), "入库 A001 1000 确认")
    assert pending == PendingConfirmation(pending.token, KEEPER.user_id, GROUP, "入库 A001 1000 确认", NOW + 5 * MINUTE)
    assert uow.confirmations.by_token == {pending.token: pending}
    assert len(pending.token) >= 16


def test_a_confirmation_is_used_up_by_the_transaction_that_books_it(uow: FakeUnitOfWork) -> None:
    token = history.ask_confirmation(uow, ctx_of(KEEPER), "撤销 #3 确认").token
    # Reading the text does not use the button: a crash before the booking leaves it usable.
    assert history.confirmation_text(uow, ctx_of(KEEPER, now=NOW + MINUTE), token) == "撤销 #3 确认"
    assert not uow.confirmations.by_token[token].used
    uow.confirmation = token
    with uow.writing():
        uow.commit()
    assert uow.confirmations.by_token[token].used
    # A second booking with the same button is rolled back.
    before = uow.state()
    with pytest.raises(ConfirmationExpired), uow.writing():
        uow.stock.add_warehouse("三仓")
        uow.commit()
    uow.confirmation = None
    assert uow.state() == before
    with pytest.raises(ConfirmationExpired) as caught:
        history.confirmation_text(uow, ctx_of(KEEPER, now=NOW + MINUTE), token)
    assert caught.value.foreign is False


def test_cancel_uses_the_confirmation_up_without_running_it(uow: FakeUnitOfWork) -> None:
    token = history.ask_confirmation(uow, ctx_of(KEEPER), "入库 A001 1000 确认").token
    with pytest.raises(ConfirmationExpired) as caught:
        history.cancel_confirmation(uow, ctx_of(KEEPER2), token)
    assert caught.value.foreign is True
    assert history.cancel_confirmation(uow, ctx_of(KEEPER), token) == "入库 A001 1000 确认"
    with pytest.raises(ConfirmationExpired):
        history.confirmation_text(uow, ctx_of(KEEPER), token)


@pytest.mark.parametrize(("after", "works"), [(5 * MINUTE - timedelta(seconds=1), True), (5 * MINUTE, False)])
def test_a_confirmation_expires_at_exactly_five_minutes(uow: FakeUnitOfWork, after: timedelta, works: bool) -> None:
    token = history.ask_confirmation(uow, ctx_of(KEEPER), "撤销 #3 确认").token
    if works:
        assert history.confirmation_text(uow, ctx_of(KEEPER, now=NOW + after), token) == "撤销 #3 确认"
        return
    before = uow.state()
    with pytest.raises(ConfirmationExpired) as caught:
        history.confirmation_text(uow, ctx_of(KEEPER, now=NOW + after), token)
    assert not caught.value.foreign
    assert uow.state() == before


def test_a_foreign_press_is_refused_and_does_not_use_the_confirmation(uow: FakeUnitOfWork) -> None:
    token = history.ask_confirmation(uow, ctx_of(KEEPER), "撤销 #3 确认").token
    before = uow.state()
    for intruder in (KEEPER2, OWNER):  # not even the owner may press someone else's button
        with pytest.raises(ConfirmationExpired) as caught:
            history.confirmation_text(uow, ctx_of(intruder), token)
        assert caught.value.foreign is True
    assert uow.state() == before
    assert history.confirmation_text(uow, ctx_of(KEEPER), token) == "撤销 #3 确认"


def test_an_unknown_token_is_expired(uow: FakeUnitOfWork) -> None:
    with pytest.raises(ConfirmationExpired):
        history.confirmation_text(uow, ctx_of(KEEPER), "nonsense")


def test_confirmations_of_another_workspace_cannot_be_taken() -> None:
    here, there = shop(), shop()
    token = history.ask_confirmation(there, ctx_of(KEEPER), "撤销 #3 确认").token
    with pytest.raises(ConfirmationExpired):
        history.confirmation_text(here, ctx_of(KEEPER), token)


# ---- 调拨, 报损 and 盘点 are undone document by document ------------------------------------------------


def transfer(uow: FakeUnitOfWork, who: Member, quantity: str, source: str, target: str, at=NOW) -> services.StockTransferred:  # type: ignore[no-untyped-def]
    cmd = c.TransferStock("A001", D(quantity), source, target)
    return services.transfer_stock(uow, ctx_of(who, f"调拨 A001 {quantity} {source}→{target}", at), cmd)


def scrap(uow: FakeUnitOfWork, who: Member, quantity: str, reason: str = "破损", at=NOW) -> services.StockScrapped:  # type: ignore[no-untyped-def]
    return services.scrap_stock(uow, ctx_of(who, f"报损 A001 {quantity} 原因 {reason}", at), c.ScrapStock("A001", D(quantity), reason))


def test_undo_of_a_transfer_reverses_both_legs_under_one_number(uow: FakeUnitOfWork) -> None:
    uow.seed_warehouses("二仓")
    receive(uow, KEEPER, "7", "1.4286")  # 7 × 1.4286 = 10.0002 → 10.00
    receive(uow, KEEPER, "2", "3.00", warehouse="二仓")  # 二仓: 2 worth 6.00
    moved = transfer(uow, KEEPER, "3", "主仓", "二仓")  # 3 × 10.00 / 7 = 4.29
    assert (balance(uow, 1), balance(uow, 2)) == (StockBalance(D(4), D("5.71")), StockBalance(D(5), D("10.29")))
    entry = entry_of(uow, moved.number)
    assert (entry.action, entry.numbers) == (Action.TRANSFER, ("DB-2026-0001",))

    question = ask(uow, KEEPER, at=NOW + MINUTE)  # 撤销 alone reaches the transfer
    out, into = question.preview.movements
    assert question.preview == history.UndoPreview(entry, out, product(uow), (out, into))
    assert [(m.kind, m.warehouse_id, m.quantity, m.value) for m in (out, into)] == [
        (MovementKind.TRANSFER_OUT, 1, D(-3), D("-4.29")),
        (MovementKind.TRANSFER_IN, 2, D(3), D("4.29")),
    ]
    result = history.undo(uow, ctx_of(KEEPER, "撤销 确认", NOW + MINUTE), question.command)
    # The incoming leg leaves 二仓 first, then the outgoing one returns to 主仓: one CX number.
    assert [(m.warehouse_id, m.quantity, m.value, m.number, m.reverses_id, m.note) for m in result.reversals] == [
        (2, D(-3), D("-4.29"), "CX-2026-0001", into.id, "冲销 DB-2026-0001"),
        (1, D(3), D("4.29"), "CX-2026-0001", out.id, "冲销 DB-2026-0001"),
    ]
    assert result.reversal == result.reversals[0]
    # Both warehouses are back exactly where they were.
    assert (balance(uow, 1), balance(uow, 2)) == (StockBalance(D(7), D("10.00")), StockBalance(D(2), D("6.00")))
    assert result.balance == StockBalance(D(9), D("16.00"))
    with uow:
        assert [m.reversed_by for m in uow.stock.movements_by_number("DB-2026-0001")] == ["CX-2026-0001"] * 2
    undo_entry = uow.audit.entries[-1]
    assert (undo_entry.action, undo_entry.undoes, undo_entry.numbers) == (Action.UNDO, entry.id, ("CX-2026-0001",))
    assert refused(uow, KEEPER, "DB-2026-0001", at=NOW + 2 * MINUTE).why == WHY.ALREADY_UNDONE


def test_undo_of_a_transfer_whose_goods_the_target_has_since_issued_is_refused(uow: FakeUnitOfWork) -> None:
    uow.seed_warehouses("二仓")
    receive(uow, KEEPER, "10", "2.00")
    transfer(uow, KEEPER, "6", "主仓", "二仓")
    services.issue_stock(uow, ctx_of(KEEPER, "出库 A001 4 仓库 二仓"), c.IssueStock("A001", D(4), warehouse="二仓", confirmed=True))
    # 二仓 holds 2 of the 6: taking the 6 back would leave −4 there.
    for confirmed in (False, True):
        error = refused(uow, OWNER, "DB-2026-0001", confirmed=confirmed)
        assert (error.why, error.label, error.details) == (
            WHY.STOCK_SINCE_ISSUED,
            "DB-2026-0001",
            {"code": "A001", "name": "可乐", "unit": "罐", "on_hand": D(2)},
        )


def test_undo_of_a_transfer_by_a_member_limited_to_one_of_its_warehouses_is_refused(uow: FakeUnitOfWork) -> None:
    uow.seed_warehouses("二仓")
    receive(uow, KEEPER, "10", "2.00")
    transfer(uow, KEEPER, "6", "主仓", "二仓")
    for allowed in ({1}, {2}):
        error = refused(uow, replace(ADMIN, warehouse_ids=frozenset(allowed)), "DB-2026-0001", confirmed=True)
        assert error.why == WHY.NOT_YOURS
    undo(uow, replace(ADMIN, warehouse_ids=frozenset({1, 2})), "DB-2026-0001")
    assert (balance(uow, 1), balance(uow, 2)) == (StockBalance(D(10), D("20.00")), StockBalance(D(0), D(0)))


def test_undo_of_a_transfer_never_creates_or_destroys_value(uow: FakeUnitOfWork) -> None:
    uow.seed_warehouses("二仓")
    receive(uow, KEEPER, "100", "2.40")  # 主仓 100 worth 240.00
    receive(uow, KEEPER, "10", "5.00", warehouse="二仓")  # 二仓 10 worth 50.00
    transfer(uow, KEEPER, "30", "主仓", "二仓")  # 30 × 2.40 = 72.00: 二仓 40 worth 122.00
    services.issue_stock(uow, ctx_of(KEEPER, "出库"), c.IssueStock("A001", D(10), warehouse="二仓", confirmed=True))
    # 10 × 122.00 / 40 = 30.50: 二仓 30 worth 91.50; 主仓 70 worth 168.00; total 259.50
    assert (balance(uow, 1), balance(uow, 2)) == (StockBalance(D(70), D("168.00")), StockBalance(D(30), D("91.50")))
    result = history.undo(uow, ctx_of(OWNER, "撤销"), c.Undo("DB-2026-0001", confirmed=True))
    # A transfer moves value between warehouses; so must its reversal.
    assert sum(m.value for m in result.reversals) == 0
    assert balance(uow, 1).value + balance(uow, 2).value == D("259.50")


def test_undo_of_a_scrap_puts_the_goods_back_at_their_cost(uow: FakeUnitOfWork) -> None:
    receive(uow, KEEPER, "10", "2.50")
    receive(uow, KEEPER, "10", "2.60")  # 20 worth 51.00
    scrapped = scrap(uow, KEEPER, "3")  # 3 × 2.55 = 7.65
    assert (scrapped.movement.number, scrapped.cost, balance(uow)) == ("BS-2026-0001", D("7.65"), StockBalance(D(17), D("43.35")))
    entry = entry_of(uow, "BS-2026-0001")
    assert entry.action is Action.SCRAP
    result = undo(uow, KEEPER, "bs-2026-0001", at=NOW + MINUTE)
    assert (result.reversal.quantity, result.reversal.value, result.reversal.reverses_id) == (  # type: ignore[union-attr]
        D(3), D("7.65"), scrapped.movement.id
    )
    assert balance(uow) == StockBalance(D(20), D("51.00"))
    assert result.balance == StockBalance(D(20), D("51.00"))


def test_undo_of_a_scrap_that_emptied_the_stock_restores_its_whole_value(uow: FakeUnitOfWork) -> None:
    receive(uow, KEEPER, "3", "3.3333")  # 10.00
    scrap(uow, KEEPER, "3", "过期")  # takes all 10.00
    assert balance(uow) == StockBalance(D(0), D(0))
    undo(uow, KEEPER, at=NOW + MINUTE)
    assert balance(uow) == StockBalance(D(3), D("10.00"))


def test_undo_of_a_confirmed_stocktake_reverses_every_line(uow: FakeUnitOfWork) -> None:
    uow.seed(make_product("B001", name="雪碧", unit="罐", purchase_price=D("1.80")))
    receive(uow, KEEPER, "68", "2.45")  # 68 worth 166.60
    keeper = ctx_of(KEEPER, "盘点")
    stk.start_stocktake(uow, keeper, c.StartStocktake())
    stk.count_stock(uow, keeper, c.CountStock("A001", D(60)))  # 8 missing: 8 × 2.45 = 19.60
    stk.count_stock(uow, keeper, c.CountStock("B001", D(4)))  # 4 found: 4 × 1.80 = 7.20
    confirmed = stk.confirm_stocktake(uow, keeper, c.ConfirmStocktake(confirmed=True))
    assert (confirmed.loss_value, confirmed.gain_value) == (D("19.60"), D("7.20"))
    assert (balance(uow), uow.stock.balances[(2, 1)]) == (StockBalance(D(60), D("147.00")), StockBalance(D(4), D("7.20")))
    # 撤销 alone reaches the confirmation (not the counts or the start).
    result = undo(uow, KEEPER, at=NOW + MINUTE)
    assert result.entry.action is Action.STOCKTAKE_CONFIRM
    assert [(m.product_id, m.quantity, m.value) for m in result.reversals] == [(2, D(-4), D("-7.20")), (1, D(8), D("19.60"))]
    assert (balance(uow), uow.stock.balances[(2, 1)]) == (StockBalance(D(68), D("166.60")), StockBalance(D(0), D(0)))
    # The count itself stays closed: undoing the booking does not reopen it.
    with uow:
        assert uow.stocktakes.open_counts() == []


@pytest.mark.parametrize("action", [Action.STOCKTAKE_START, Action.STOCKTAKE_COUNT, Action.STOCKTAKE_CANCEL], ids=lambda a: a.name)
def test_opening_counting_and_cancelling_a_stocktake_are_not_undoable(uow: FakeUnitOfWork, action: Action) -> None:
    keeper = ctx_of(KEEPER, "盘点")
    stk.start_stocktake(uow, keeper, c.StartStocktake())
    stk.count_stock(uow, keeper, c.CountStock("A001", D(1)))
    stk.cancel_stocktake(uow, keeper, c.CancelStocktake())
    entry = next(e for e in uow.audit.entries if e.action is action)
    error = refused(uow, KEEPER, f"#{entry.id}")
    assert (error.why, error.label, error.details) == (WHY.NOT_UNDOABLE, "PD-2026-0001", {"action": action.value})
    # By number, the latest entry of the PD number is found: the cancellation.
    assert refused(uow, KEEPER, "PD-2026-0001").details == {"action": "盘点取消"}
    refused(uow, KEEPER, None, NothingToUndo)
