"""Commands are plain immutable values: frozen, hashable, compared by value."""

from __future__ import annotations

import dataclasses
import typing
from datetime import date, time
from decimal import Decimal

import pytest

from domain import commands as c
from domain.periods import between

EXAMPLES = [
    c.ShowHelp("入库"),
    c.AddProduct("A001", "可乐", (("unit", "罐"), ("sale_price", Decimal("3.50")))),
    c.ChangeProduct("A001", (("sale_price", Decimal("3.80")),)),
    c.SetProductActive("A001", False),
    c.FindProducts("可乐", 2),
    c.ReceiveStock("A001", Decimal(10), "罐", Decimal("2.50"), "百事批发", "周一", date(2026, 3, 8)),
    c.IssueStock("A001", Decimal(3), None, Decimal("4.00"), "张三", "", None),
    c.ShowStock("A001"),
    c.ShowLedger("A001", between(date(2026, 3, 1), date(2026, 3, 5)), 2),
    c.ListWarehouses(),
    c.AddWarehouse("二仓"),
    c.TransferStock("A001", Decimal(10), "主仓", "二仓", "罐", "补货", True),
    c.ScrapStock("A001", Decimal(2), "破损", "罐", "二仓", True),
    c.StartStocktake("二仓"),
    c.CountStock("A001", Decimal(48), "罐", "二仓"),
    c.ShowStocktake("二仓", 2),
    c.ConfirmStocktake("二仓", confirmed=True),
    c.CancelStocktake("二仓"),
    c.SetNegativeStock(True),
    c.SetValuationMethod("fifo"),
    c.SetStockLevels("A001", "二仓", (("safety_stock", Decimal(20)), ("max_stock", None))),
    c.AddPartner("供应商", "华东饮料", (("terms_days", 30),)),
    c.ChangePartner("客户", "张三超市", (("credit_limit", Decimal("20000")),)),
    c.FindPartners("客户", "张三", 2),
    c.AnalyseAbc(30, Decimal("0.7"), Decimal("0.2")),
    c.SuggestReplenishment(14),
    c.CreatePurchaseOrder(
        "华东饮料",
        (c.LineInput("A001", Decimal(100), unit_price=Decimal("2.4")), c.LineInput("A002", Decimal(2), "箱", Decimal(72))),
        date(2026, 12, 1),
    ),
    c.CreateSalesOrder("张三超市", (c.LineInput("A001", Decimal(10), unit_price=Decimal("3.5")),), Decimal("0.9")),
    c.ShowOrders("采购单", "PO-2026-0001"),
    c.ApproveOrder("PO-2026-0001"),
    c.CloseOrder("SO-2026-0001", "销售单"),
    c.ReceiveOrder("PO-2026-0001", (c.LineInput("A001", Decimal(100), accepted=Decimal(98)),), (("运费", Decimal(50)),)),
    c.ShipOrder("SO-2026-0001", (c.LineInput("A001", Decimal(6)),), "SF1234567"),
    c.ReturnGoods("华东饮料", "A001", Decimal(2), number="RK-2026-0003"),
    c.RecordPayment("收款", "张三超市", Decimal(1000), "SO-2026-0001", "微信"),
    c.ShowOpenItems("应收", "张三超市"),
    c.ShowStatement("张三超市", between(date(2026, 3, 1), date(2026, 3, 31))),
    c.RecordCashEntry(False, Decimal(300), "水电", "银行"),
    c.SetTaxRate(Decimal("0.13")),
    c.CreateWorkspace("好运便利店"),
    c.BindChat(3),
    c.UnbindChat(),
    c.SetChatVisibility(True),
    c.Invite("仓管"),
    c.JoinWorkspace("3-K7FQ9XPM"),
    c.ListMembers(2),
    c.SetMemberRole("@lisi", "财务"),
    c.RemoveMember("@lisi"),
    c.LimitMemberWarehouses("@lisi", ("二仓", "三仓")),
    c.ShowAudit("A001", "@lisi", between(date(2026, 3, 1), date(2026, 3, 5)), 2),
    c.Undo("RK-2026-0003", confirmed=True),
    c.ReceiveStock("A001", Decimal(10), warehouse="二仓", confirmed=True),
    # ---- reports ----
    c.ShowReport(between(date(2026, 3, 1), date(2026, 3, 31)), "进销存", 2),
    c.RankSales(between(date(2026, 3, 1), date(2026, 3, 31)), "毛利"),
    c.ShowUnsold(90, 2),
    c.ShowTurnover(between(date(2026, 3, 1), date(2026, 3, 31))),
    c.DrawChart("A001", between(date(2026, 3, 1), date(2026, 3, 31))),
    c.ExportReport("流水", between(date(2026, 3, 1), date(2026, 3, 31)), "A001"),
    c.NotYetAvailable("销售"),
    c.SendBackup(),
    c.RunBatch((c.BatchLine(1, "入库"), c.BatchLine(2, "A001 5", c.ReceiveStock("A001", Decimal(5)))), confirmed=True),
    c.ImportFile("期初库存"),
    c.Subscribe(("库存", "应付", "日报")),
    c.ListSubscriptions(),
    c.Unsubscribe(("应收",)),
    c.ShowAlerts(),
    c.CheckAlerts(),
    c.SnoozeAlert("A001", 3),
    c.SetAlertSettings((("digest_at", time(20, 30)), ("quiet", (time(22, 0), time(8, 0))), ("sales_days", 14))),
]


def test_examples_cover_every_command_of_the_language() -> None:
    assert {type(command) for command in EXAMPLES} == set(typing.get_args(c.Command))


@pytest.mark.parametrize("command", EXAMPLES, ids=lambda command: type(command).__name__)
def test_command_is_frozen(command: object) -> None:
    fields = dataclasses.fields(command)  # type: ignore[arg-type]
    if not fields:
        # Nothing to change; nothing can be added either (slots). CPython 3.11 raises TypeError
        # here instead of FrozenInstanceError (frozen + slots without fields), either way it fails.
        with pytest.raises((dataclasses.FrozenInstanceError, TypeError, AttributeError)):
            setattr(command, "anything", None)
        return
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(command, fields[0].name, None)


@pytest.mark.parametrize("command", EXAMPLES, ids=lambda command: type(command).__name__)
def test_command_is_hashable_and_equal_to_its_copy(command: object) -> None:
    copy = dataclasses.replace(command)  # type: ignore[type-var]
    assert copy == command
    assert hash(copy) == hash(command)
    assert len({command, copy}) == 1


@pytest.mark.parametrize("command", EXAMPLES, ids=lambda command: type(command).__name__)
def test_command_has_no_instance_dict(command: object) -> None:
    assert not hasattr(command, "__dict__")


def test_commands_differing_in_one_field_are_different() -> None:
    assert c.ReceiveStock("A001", Decimal(10)) != c.ReceiveStock("A001", Decimal(11))
    assert c.ReceiveStock("A001", Decimal(10)) != c.IssueStock("A001", Decimal(10))


def test_document_command_defaults() -> None:
    # No lines on 到货/发货 means everything still open; money goes to 现金 unless an account is named.
    assert c.ReceiveOrder("PO-2026-0001") == c.ReceiveOrder("PO-2026-0001", (), (), False)
    assert c.ShipOrder("SO-2026-0001") == c.ShipOrder("SO-2026-0001", (), "", False)
    assert c.RecordPayment("付款", "华东饮料", Decimal(500)).account == "现金"
    assert c.RecordCashEntry(True, Decimal(200), "房租转租").account == "现金"
    assert c.IssueStock("A001", Decimal(1)).cash is False
    assert c.CreateSalesOrder("张三超市", ()).confirmed is False
    assert c.LineInput("A001", Decimal(1)) == c.LineInput("A001", Decimal(1), None, None, None)


def test_a_confirmed_stocktake_differs_from_the_question() -> None:
    assert c.ConfirmStocktake("主仓") != c.ConfirmStocktake("主仓", confirmed=True)
    assert c.ConfirmStocktake("主仓") != c.ConfirmStocktake("二仓")


def test_field_less_commands_are_all_equal() -> None:
    assert c.ListWarehouses() == c.ListWarehouses()
    assert c.UnbindChat() == c.UnbindChat()


def test_command_defaults() -> None:
    assert c.ListMembers() == c.ListMembers(1)
    assert c.LimitMemberWarehouses("@lisi").warehouses == ()  # 全部: no limit
    assert c.ShowAudit() == c.ShowAudit(None, None, None, 1)
    assert c.Undo() == c.Undo(None, False)
    assert (c.IssueStock("A001", Decimal(1)).warehouse, c.IssueStock("A001", Decimal(1)).confirmed) == (None, False)
    assert c.FindProducts() == c.FindProducts(None, 1)
    assert c.ShowStock() == c.ShowStock(None, 1)
    transfer = c.TransferStock("A001", Decimal(1), "主仓", "二仓")
    assert (transfer.unit, transfer.note, transfer.confirmed) == (None, "", False)
    scrap = c.ScrapStock("A001", Decimal(1), "破损")
    assert (scrap.unit, scrap.warehouse, scrap.confirmed) == (None, None, False)
    assert c.StartStocktake() == c.StartStocktake(None)
    assert (c.CountStock("A001", Decimal(0)).unit, c.CountStock("A001", Decimal(0)).warehouse) == (None, None)
    assert c.ShowStocktake() == c.ShowStocktake(None, 1)
    assert c.ConfirmStocktake() == c.ConfirmStocktake(None, False)
    assert c.CancelStocktake() == c.CancelStocktake(None)
    receipt = c.ReceiveStock("A001", Decimal(1))
    assert (receipt.unit, receipt.unit_price, receipt.counterparty, receipt.note, receipt.occurred_on) == (
        None,
        None,
        "",
        "",
        None,
    )
