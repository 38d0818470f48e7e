"""The audit log's vocabulary: which actions exist, which 撤销 can reverse, and with which right."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from domain.access import Permission
from domain.audit import UNDO_WINDOW, UNDOABLE, Action, AuditEntry
from domain.products import FieldChange
from tests.unit.support import NOW

PRODUCT_ACTIONS = {Action.ADD_PRODUCT, Action.CHANGE_PRODUCT, Action.DEACTIVATE_PRODUCT, Action.ACTIVATE_PRODUCT}
STOCK_ACTIONS = {Action.RECEIVE, Action.ISSUE, Action.TRANSFER, Action.SCRAP, Action.STOCKTAKE_CONFIRM}
# A stocktake's opening, counts and cancellation book nothing: there is nothing to reverse.
NOT_BOOKING = {Action.STOCKTAKE_START, Action.STOCKTAKE_COUNT, Action.STOCKTAKE_CANCEL}


def entry(action: Action, **overrides: object) -> AuditEntry:
    return replace(AuditEntry(action, 1001, "老王", -100123, "入库 A001 10", NOW, "A001", ("RK-2026-0001",)), **overrides)


def test_undoable_covers_exactly_the_product_and_stock_actions() -> None:
    assert set(UNDOABLE) == PRODUCT_ACTIONS | STOCK_ACTIONS
    assert not NOT_BOOKING & set(UNDOABLE)


def test_inventory_actions_have_their_chinese_labels() -> None:
    assert {a: a.value for a in STOCK_ACTIONS | NOT_BOOKING} == {
        Action.RECEIVE: "入库",
        Action.ISSUE: "出库",
        Action.TRANSFER: "调拨",
        Action.SCRAP: "报损",
        Action.STOCKTAKE_START: "盘点开始",
        Action.STOCKTAKE_COUNT: "盘点录入",
        Action.STOCKTAKE_CONFIRM: "盘点确认",
        Action.STOCKTAKE_CANCEL: "盘点取消",
    }


def test_reversing_needs_the_permission_of_the_original() -> None:
    assert {action: UNDOABLE[action] for action in STOCK_ACTIONS} == dict.fromkeys(STOCK_ACTIONS, Permission.MOVE_STOCK)
    assert {action: UNDOABLE[action] for action in PRODUCT_ACTIONS} == dict.fromkeys(
        PRODUCT_ACTIONS, Permission.EDIT_PRODUCTS
    )


def test_the_undo_window_is_ten_minutes() -> None:
    assert UNDO_WINDOW == timedelta(minutes=10)


@pytest.mark.parametrize("action", sorted(UNDOABLE, key=str), ids=lambda a: a.name)
def test_an_undoable_action_is_undoable_until_undone(action: Action) -> None:
    assert entry(action).undoable
    assert not entry(action, undone_by=7).undoable


@pytest.mark.parametrize("action", sorted(set(Action) - set(UNDOABLE), key=str), ids=lambda a: a.name)
def test_other_actions_are_never_undoable(action: Action) -> None:
    assert not entry(action).undoable


def test_an_undo_is_not_itself_undoable() -> None:
    assert not entry(Action.UNDO, undoes=3).undoable


def test_action_values_are_the_labels_replies_show_and_are_distinct() -> None:
    assert Action.RECEIVE.value == "入库"
    assert Action.UNDO.value == "撤销"
    assert len({a.value for a in Action}) == len(Action)
    # The table column is 20 characters wide.
    assert max(len(a.value) for a in Action) <= 20


def test_undone_by_is_derived_and_not_part_of_equality() -> None:
    assert entry(Action.RECEIVE, id=3) == entry(Action.RECEIVE, id=3, undone_by=9)


def test_entry_is_frozen_and_carries_what_the_issue_asks_for() -> None:
    change = FieldChange("sale_price", None, None)
    e = entry(Action.CHANGE_PRODUCT, changes=(change,), numbers=())
    assert (e.user_id, e.user_name, e.chat_id, e.text, e.at, e.subject, e.changes) == (
        1001,
        "老王",
        -100123,
        "入库 A001 10",
        NOW,
        "A001",
        (change,),
    )
    with pytest.raises(AttributeError):
        e.text = "edited"  # type: ignore[misc]
