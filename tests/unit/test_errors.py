"""Each refusal carries the fields its reply template needs."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from domain import errors as e


def test_unknown_product_carries_the_query_and_suggestions() -> None:
    hint = e.ProductHint("A001", "可乐")
    error = e.UnknownProduct("A00l", [hint])
    assert (error.query, error.suggestions) == ("A00l", [hint])


def test_unknown_product_without_suggestions_has_its_own_empty_list() -> None:
    first, second = e.UnknownProduct("X"), e.UnknownProduct("Y")
    assert first.suggestions == []
    first.suggestions.append(e.ProductHint("A001", "可乐"))
    assert second.suggestions == []


def test_product_already_exists_and_inactive_carry_code_and_name() -> None:
    for cls in (e.ProductAlreadyExists, e.ProductInactive):
        error = cls("A001", "可乐")
        assert (error.code, error.name) == ("A001", "可乐")
        assert "A001" in error.message


def test_insufficient_stock_carries_what_was_asked_and_what_is_there() -> None:
    error = e.InsufficientStock("A001", "可乐", "罐", Decimal(8), Decimal(5))
    assert (error.code, error.name, error.unit, error.requested, error.available, error.warehouse) == (
        "A001",
        "可乐",
        "罐",
        Decimal(8),
        Decimal(5),
        "",  # no warehouse named: the reply does not name one either
    )


def test_insufficient_stock_in_a_named_warehouse_carries_its_name() -> None:
    error = e.InsufficientStock("A001", "可乐", "罐", Decimal(8), Decimal(5), "二仓")
    assert error.warehouse == "二仓"
    assert error.message == "A001: requested 8, available 5"


def test_unit_mismatch_carries_both_units() -> None:
    error = e.UnitMismatch("A001", "可乐", "罐", "箱")
    assert (error.code, error.name, error.unit, error.given) == ("A001", "可乐", "罐", "箱")


def test_fractional_quantity_carries_the_quantity() -> None:
    error = e.FractionalQuantity("A001", "可乐", "罐", Decimal("2.5"))
    assert (error.code, error.name, error.unit, error.quantity) == ("A001", "可乐", "罐", Decimal("2.5"))


def test_invalid_product_carries_field_and_reason() -> None:
    error = e.InvalidProduct("名称", "不能为空")
    assert (error.field, error.reason) == ("名称", "不能为空")
    assert error.message == "名称: 不能为空"


def test_nothing_to_change_carries_the_code() -> None:
    assert e.NothingToChange("A001").code == "A001"


def test_future_date_carries_the_day() -> None:
    assert e.FutureDate(date(2026, 3, 11)).day == date(2026, 3, 11)


ALL_ERRORS = [
    e.UnknownProduct("A001"),
    e.ProductAlreadyExists("A001", "可乐"),
    e.ProductInactive("A001", "可乐"),
    e.InsufficientStock("A001", "可乐", "罐", Decimal(8), Decimal(5)),
    e.UnitMismatch("A001", "可乐", "罐", "箱"),
    e.FractionalQuantity("A001", "可乐", "罐", Decimal("2.5")),
    e.InvalidProduct("名称", "不能为空"),
    e.NothingToChange("A001"),
    e.FutureDate(date(2026, 3, 11)),
    e.ConcurrentChange(),
    e.NotAMember(),
    e.NotPermitted("销售", "查看成本、进价、库存金额和毛利", ["老板", "管理员"]),
    e.ChatNotBound(),
    e.AlreadyBound("好运便利店"),
    e.InvalidInvitation(),
    e.AlreadyMember("好运便利店", "仓管"),
    e.UnknownMember("@lisi", ["李四"]),
    e.CannotManageMember("老王", "老板", last_owner=True),
    e.TooManyWorkspaces(5),
    e.UnknownWarehouse("三仓", ["主仓", "二仓"]),
    e.WarehouseExists("二仓"),
    e.WarehouseNotAllowed("主仓"),
    e.NeedsConfirmation(["large_quantity"], "入库 A001 1000", "preview"),
    e.NothingToUndo(10),
    e.UnknownOperation("RK-2026-9999"),
    e.UndoRefused(e.UndoRefused.TOO_OLD, "RK-2026-0001", minutes=10),
    e.ConfirmationExpired(),
    e.AlreadyProcessed(42),
    e.PrivateChatOnly("加入"),
    e.SameWarehouse("主仓"),
    e.StocktakeOpen("PD-2026-0001", "主仓"),
    e.NoOpenStocktake("二仓"),
    e.AmbiguousStocktake(["主仓", "二仓"]),
    e.EmptyStocktake("PD-2026-0001"),
    e.StocktakeBelowZero("A001", "可乐", "罐", Decimal(8), Decimal(5)),
    e.NegativeStockSetting(True),
    e.ValuationRefused(e.ValuationRefused.HAS_MOVEMENTS, "先进先出", current="移动加权平均"),
    e.BatchRefused(e.BatchRefused.REQUIRED, "A001", "可乐"),
    e.PartnerExists("供应商", "华东饮料"),
    e.UnknownPartner("客户", "张三", ["张三超市"]),
    e.BackupNotAllowed(),
    e.BackupUnavailable("文件 60 MB，超过 Telegram 的 50 MB 上限"),
    e.BatchLineFailed(object(), e.UnknownProduct("A009")),
    e.ImportRefused("表格是空的"),
    e.AmbiguousProduct("可乐", [e.ProductHint("A001", "可口可乐"), e.ProductHint("A002", "百事可乐")]),
    e.UnknownDocument("PO-2026-0009"),
    e.IllegalTransition("PO-2026-0001", "已审核", "审核"),
    e.NotOnOrder("PO-2026-0001", "B001", ["A001", "A002"]),
    e.CreditLimitExceeded("张三超市", Decimal(2000), Decimal(1500), Decimal(800)),
    e.AmbiguousPartner("老李", "退货"),
    e.NothingToReturn("供应商", "华东饮料", "A001", "可乐", "罐", Decimal(5), Decimal(2)),
    e.DocumentRefused(e.DocumentRefused.DUPLICATE_LINE, code="A001"),
    e.AlertTopicRefused("应收", ["老板", "管理员", "财务"]),
]


@pytest.mark.parametrize("error", ALL_ERRORS, ids=lambda error: type(error).__name__)
def test_every_refusal_is_a_domain_error_with_its_message_as_text(error: e.DomainError) -> None:
    assert isinstance(error, e.DomainError)
    assert error.message
    assert str(error) == error.message


def test_every_domain_error_class_is_covered_here() -> None:
    classes = {cls for cls in vars(e).values() if isinstance(cls, type) and issubclass(cls, e.DomainError)}
    assert classes - {e.DomainError} == {type(error) for error in ALL_ERRORS}


# ---- access, undo and confirmations ----------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "fields"),
    [
        (e.NotPermitted("销售", "入库、出库", ["老板", "仓管"]), {"role": "销售", "permission": "入库、出库", "roles": ["老板", "仓管"]}),
        (e.AlreadyBound("好运便利店"), {"workspace_name": "好运便利店"}),
        (e.AlreadyMember("好运便利店", "仓管"), {"workspace_name": "好运便利店", "role": "仓管"}),
        (e.UnknownMember("@lisi", ["李四"]), {"handle": "@lisi", "candidates": ["李四"]}),
        (e.UnknownMember("@lisi"), {"handle": "@lisi", "candidates": []}),
        (e.CannotManageMember("老王", "老板"), {"name": "老王", "role": "老板", "last_owner": False}),
        (e.CannotManageMember("老王", "老板", last_owner=True), {"name": "老王", "role": "老板", "last_owner": True}),
        (e.TooManyWorkspaces(5), {"limit": 5}),
        (e.UnknownWarehouse("三仓", ["主仓"]), {"name": "三仓", "known": ["主仓"]}),
        (e.WarehouseExists("二仓"), {"name": "二仓"}),
        (e.WarehouseNotAllowed("主仓"), {"name": "主仓"}),
        (e.NeedsConfirmation(["r"], "cmd", "p"), {"reasons": ["r"], "command": "cmd", "preview": "p"}),
        (e.NeedsConfirmation([], "cmd"), {"reasons": [], "command": "cmd", "preview": None}),
        (e.NothingToUndo(10), {"minutes": 10}),
        (e.UnknownOperation("#12"), {"target": "#12"}),
        (
            e.UndoRefused(e.UndoRefused.STOCK_SINCE_ISSUED, "RK-2026-0001", code="A001", on_hand=Decimal(3)),
            {"why": "stock_since_issued", "label": "RK-2026-0001", "details": {"code": "A001", "on_hand": Decimal(3)}},
        ),
        (e.ConfirmationExpired(), {"foreign": False}),
        (e.ConfirmationExpired(foreign=True), {"foreign": True}),
        (e.AlreadyProcessed(42), {"update_id": 42}),
        (e.PrivateChatOnly("加入"), {"verb": "加入", "group": False}),
        (e.PrivateChatOnly("绑定", group=True), {"verb": "绑定", "group": True}),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, e.DomainError) else "",
)
def test_access_and_undo_errors_carry_their_fields(error: e.DomainError, fields: dict[str, object]) -> None:
    assert {name: getattr(error, name) for name in fields} == fields


@pytest.mark.parametrize(
    ("error", "fields"),
    [
        (e.SameWarehouse("主仓"), {"name": "主仓"}),
        (e.StocktakeOpen("PD-2026-0001", "主仓"), {"number": "PD-2026-0001", "warehouse": "主仓"}),
        (e.NoOpenStocktake("二仓"), {"warehouse": "二仓"}),
        (e.NoOpenStocktake(None), {"warehouse": None}),
        (e.AmbiguousStocktake(["主仓", "二仓"]), {"warehouses": ["主仓", "二仓"]}),
        (e.EmptyStocktake("PD-2026-0001"), {"number": "PD-2026-0001"}),
        (
            e.StocktakeBelowZero("A001", "可乐", "罐", Decimal(8), Decimal(5)),
            {"code": "A001", "name": "可乐", "unit": "罐", "loss": Decimal(8), "on_hand": Decimal(5)},
        ),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, e.DomainError) else "",
)
def test_inventory_errors_carry_their_fields(error: e.DomainError, fields: dict[str, object]) -> None:
    assert {name: getattr(error, name) for name in fields} == fields


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (e.NoOpenStocktake("二仓"), "no open stocktake in 二仓"),
        (e.NoOpenStocktake(None), "no open stocktake"),
        (e.StocktakeOpen("PD-2026-0001", "主仓"), "PD-2026-0001 is open in 主仓"),
        (e.StocktakeBelowZero("A001", "可乐", "罐", Decimal(8), Decimal(5)), "A001: loss 8 > on hand 5"),
    ],
)
def test_inventory_error_messages(error: e.DomainError, message: str) -> None:
    assert error.message == message


def test_undo_refusal_reasons_are_distinct_template_branches() -> None:
    reasons = [value for name, value in vars(e.UndoRefused).items() if name.isupper()]
    assert sorted(reasons) == sorted(
        {
            "already_undone",
            "not_undoable",
            "not_yours",
            "too_old",
            "stock_since_issued",
            "value_negative",
            "changed_since",
            "has_movements",
            "layer_drawn",
        }
    )


# ---- documents (进 · 销 · 财) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "fields"),
    [
        (e.UnknownDocument("PO-2026-0009"), {"number": "PO-2026-0009"}),
        (e.IllegalTransition("SO-2026-0001", "已关闭", "发货"), {"number": "SO-2026-0001", "status": "已关闭", "action": "发货"}),
        (e.NotOnOrder("PO-2026-0001", "B001", ["A001"]), {"number": "PO-2026-0001", "code": "B001", "codes": ["A001"]}),
        (
            e.CreditLimitExceeded("张三超市", Decimal(2000), Decimal(1500), Decimal(800)),
            {"name": "张三超市", "limit": Decimal(2000), "owed": Decimal(1500), "total": Decimal(800)},
        ),
        (e.AmbiguousPartner("老李", "退货"), {"name": "老李", "command": "退货"}),
        (
            e.NothingToReturn("客户", "张三超市", "A001", "可乐", "罐", Decimal(5), Decimal(2)),
            {"kind": "客户", "partner": "张三超市", "code": "A001", "requested": Decimal(5), "returnable": Decimal(2)},
        ),
        (
            e.DocumentRefused(e.DocumentRefused.ACCEPTED_OVER, code="A001", arrived=Decimal(5), accepted=Decimal(6)),
            {"why": "accepted_over", "details": {"code": "A001", "arrived": Decimal(5), "accepted": Decimal(6)}},
        ),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, e.DomainError) else "",
)
def test_document_errors_carry_their_fields(error: e.DomainError, fields: dict[str, object]) -> None:
    assert {name: getattr(error, name) for name in fields} == fields


def test_document_refusal_reasons_are_distinct_template_branches() -> None:
    reasons = [value for name, value in vars(e.DocumentRefused).items() if name.isupper()]
    assert sorted(reasons) == sorted({"missing_price", "duplicate_line", "accepted_over", "nothing_left", "not_a_receipt", "fees_without_goods"})


def test_a_refusal_that_must_reveal_nothing_says_nothing_specific() -> None:
    assert e.NotAMember().message == "not a member"
    assert e.InvalidInvitation().message == "invalid invitation"  # unknown, used and expired alike


def test_product_hint_is_a_frozen_value() -> None:
    hint = e.ProductHint("A001", "可乐")
    assert hint == e.ProductHint("A001", "可乐")
    with pytest.raises(dataclasses.FrozenInstanceError):
        hint.code = "A002"  # type: ignore[misc]


def test_a_refused_alert_topic_says_whether_the_role_or_the_group_is_the_reason() -> None:
    by_role = e.AlertTopicRefused("应收", ["老板", "财务"])
    in_group = e.AlertTopicRefused("应付")
    assert (by_role.topic, by_role.roles, by_role.group) == ("应收", ["老板", "财务"], False)
    assert (in_group.topic, in_group.roles, in_group.group) == ("应付", [], True)
