"""The command language, as people type it on a phone: tables of real inputs → commands."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.parsing import BATCH_USAGE, VERBS_BY_NAME, ParseError, looks_like_command, normalise, parse, split_verb
from domain.commands import (
    CountStock,
    AddProduct,
    CreatePurchaseOrder,
    CreateSalesOrder,
    LineInput,
    RecordCashEntry,
    RecordPayment,
    ShowOrders,
    ChangeProduct,
    FindProducts,
    IssueStock,
    NotYetAvailable,
    ReceiveStock,
    SetProductActive,
    ShowHelp,
    ShowLedger,
    ShowStock,
    Undo,
)
from domain.periods import Period

TODAY = date(2026, 11, 22)  # a Sunday
D = Decimal

IN_USAGE = VERBS_BY_NAME["入库"].usage
OUT_USAGE = VERBS_BY_NAME["出库"].usage
STOCK_USAGE = VERBS_BY_NAME["库存"].usage
LEDGER_USAGE = VERBS_BY_NAME["流水"].usage
HELP_USAGE = VERBS_BY_NAME["帮助"].usage


def days(begin: date, end_exclusive: date) -> Period:
    return Period(begin, end_exclusive)


PARSED = [
    # ---- 入库 / 出库: the shapes people really type ----------------------------------
    ("入库 A001 50", ReceiveStock("A001", D("50"))),
    ("入库 Ａ００１ ５０", ReceiveStock("A001", D("50"))),
    ("入库　A001　50", ReceiveStock("A001", D("50"))),  # ideographic spaces
    ("入库A001 50", ReceiveStock("A001", D("50"))),
    ("入库 a001 50", ReceiveStock("A001", D("50"))),
    ("  入库   a001    50  ", ReceiveStock("A001", D("50"))),
    ("入库 A001 50件", ReceiveStock("A001", D("50"), unit="件")),
    ("入库 A001 50罐", ReceiveStock("A001", D("50"), unit="罐")),
    ("入库 A001 2.5kg", ReceiveStock("A001", D("2.5"), unit="kg")),
    ("入库 A001 2.5KG", ReceiveStock("A001", D("2.5"), unit="kg")),
    ("入库 A001 2.500", ReceiveStock("A001", D("2.5"))),
    ("入库 A001 0.001kg", ReceiveStock("A001", D("0.001"), unit="kg")),
    ("入库 A001 ５０罐", ReceiveStock("A001", D("50"), unit="罐")),
    ("入库 A001 50，单价：2.4", ReceiveStock("A001", D("50"), unit_price=D("2.40"))),
    ("入库 A001 50，单价 2.4", ReceiveStock("A001", D("50"), unit_price=D("2.40"))),
    ("入库 A001 1,000", ReceiveStock("A001", D("1000"))),
    ("入库 A001 1,000罐 单价 1,234.5", ReceiveStock("A001", D("1000"), unit="罐", unit_price=D("1234.50"))),
    ("入库 A001 10,000,000", ReceiveStock("A001", D("10000000"))),
    ("入库 A001 50 单价2.4", ReceiveStock("A001", D("50"), unit_price=D("2.40"))),
    ("入库 A001 50 单价 2.40元", ReceiveStock("A001", D("50"), unit_price=D("2.40"))),
    ("入库 A001 50 单价 ¥3", ReceiveStock("A001", D("50"), unit_price=D("3.00"))),
    ("入库 A001 50 单价 0", ReceiveStock("A001", D("50"), unit_price=D("0.00"))),
    (
        "入库 A001 50 备注 周五到货 单价 3 @华东",
        ReceiveStock("A001", D("50"), note="周五到货 单价 3 @华东"),
    ),
    ("入库 A001 50 备注补货", ReceiveStock("A001", D("50"), note="补货")),
    ("入库 A001 50 @华东饮料", ReceiveStock("A001", D("50"), counterparty="华东饮料")),
    (
        "入库 A001 50 @华东饮料 单价 2.4 备注 补货",
        ReceiveStock("A001", D("50"), unit_price=D("2.40"), counterparty="华东饮料", note="补货"),
    ),
    ("入库 A001 50 ＠华东饮料", ReceiveStock("A001", D("50"), counterparty="华东饮料")),
    ("入库 A001 50 日期 11-20", ReceiveStock("A001", D("50"), occurred_on=date(2026, 11, 20))),
    ("入库 A001 50 日期 2026-11-20", ReceiveStock("A001", D("50"), occurred_on=date(2026, 11, 20))),
    ("入库 A001 50 日期 2026/11/20", ReceiveStock("A001", D("50"), occurred_on=date(2026, 11, 20))),
    ("入库 A001 50 日期 11月20日", ReceiveStock("A001", D("50"), occurred_on=date(2026, 11, 20))),
    ("入库 A001 50 日期 昨天", ReceiveStock("A001", D("50"), occurred_on=date(2026, 11, 21))),
    ("入库 A001 50 日期 前天", ReceiveStock("A001", D("50"), occurred_on=date(2026, 11, 20))),
    ("入库 A001 50 日期 今天", ReceiveStock("A001", D("50"), occurred_on=TODAY)),
    ("入库 A001 50 日期 11-22", ReceiveStock("A001", D("50"), occurred_on=TODAY)),
    # A month-day later than today is last year's (nobody books into the future).
    ("入库 A001 50 日期 11-23", ReceiveStock("A001", D("50"), occurred_on=date(2025, 11, 23))),
    ("入库 A001 50 日期 12-31", ReceiveStock("A001", D("50"), occurred_on=date(2025, 12, 31))),
    ("出库 A001 5", IssueStock("A001", D("5"))),
    ("出库A001 5罐 单价 3.5 @张三超市", IssueStock("A001", D("5"), unit="罐", unit_price=D("3.50"), counterparty="张三超市")),
    ("出库 B-02.x 1.25kg 日期 昨天", IssueStock("B-02.X", D("1.25"), unit="kg", occurred_on=date(2026, 11, 21))),
    # ---- slash aliases -----------------------------------------------------------------
    ("/in A001 50", ReceiveStock("A001", D("50"))),
    ("/in@jxc_test_bot A001 50", ReceiveStock("A001", D("50"))),
    ("/IN A001 50", ReceiveStock("A001", D("50"))),
    ("/out A001 5 单价 3.5", IssueStock("A001", D("5"), unit_price=D("3.50"))),
    ("/out@jxc_test_bot A001 5", IssueStock("A001", D("5"))),
    ("/stock", ShowStock()),
    ("/stock A001", ShowStock("A001")),
    ("/product A001", FindProducts("A001")),
    ("/product", FindProducts()),
    ("/ledger A001", ShowLedger("A001")),
    ("/ledger A001 7天", ShowLedger("A001", days(date(2026, 11, 16), date(2026, 11, 23)))),
    ("/help", ShowHelp()),
    ("/help@jxc_test_bot", ShowHelp()),
    ("/start", ShowHelp()),
    ("/help 入库", ShowHelp("入库")),
    # ---- 商品 ---------------------------------------------------------------------------
    (
        "商品 新增 A001 可口可乐 规格 330ml 单位 罐 进价 2.5 售价 3.5 安全库存 20",
        AddProduct(
            "A001",
            "可口可乐",
            (
                ("spec", "330ml"),
                ("unit", "罐"),
                ("purchase_price", D("2.50")),
                ("sale_price", D("3.50")),
                ("safety_stock", D("20")),
            ),
        ),
    ),
    (
        "商品 新增 a001 可口可乐 分类 饮料 条码 6901234567890 最高库存 200 单位 CAN",
        AddProduct(
            "A001",
            "可口可乐",
            (("category", "饮料"), ("barcode", "6901234567890"), ("max_stock", D("200")), ("unit", "can")),
        ),
    ),
    ("商品 新增 A001 可口 可乐", AddProduct("A001", "可口 可乐")),
    ("商品 新增 A001 名称 雪碧", AddProduct("A001", "雪碧")),
    ("商品 添加 A001 可乐", AddProduct("A001", "可乐")),
    ("商品 新建 A001 可乐", AddProduct("A001", "可乐")),
    ("商品新增A001 可乐", AddProduct("A001", "可乐")),
    ("商品 新增 C004 散装鸡蛋 单位 kg 进价9.6", AddProduct("C004", "散装鸡蛋", (("unit", "kg"), ("purchase_price", D("9.60"))))),
    ("商品 修改 A001 售价 3.8", ChangeProduct("A001", (("sale_price", D("3.80")),))),
    ("商品 修改 a001 售价：3.8，安全库存 24", ChangeProduct("A001", (("sale_price", D("3.80")), ("safety_stock", D("24"))))),
    ("商品 改 A001 名称 雪碧", ChangeProduct("A001", (("name", "雪碧"),))),
    ("商品 修改 A001 进价 0", ChangeProduct("A001", (("purchase_price", D("0.00")),))),
    ("商品 停用 A001", SetProductActive("A001", False)),
    ("商品 启用 a001", SetProductActive("A001", True)),
    ("/product 停用 A001", SetProductActive("A001", False)),
    ("商品 A001", FindProducts("A001")),
    ("商品 可乐", FindProducts("可乐")),
    ("商品 查询 可乐", FindProducts("可乐")),
    ("商品 可乐 第2页", FindProducts("可乐", 2)),
    ("商品", FindProducts()),
    ("商品 第2页", FindProducts(None, 2)),
    # ---- 库存 / 流水 ----------------------------------------------------------------------
    ("库存", ShowStock()),
    ("库存 A001", ShowStock("A001")),
    ("库存A001", ShowStock("A001")),
    ("库存 第2页", ShowStock(None, 2)),
    ("库存 第２页", ShowStock(None, 2)),
    ("流水 A001", ShowLedger("A001")),
    ("流水 A001 7天", ShowLedger("A001", days(date(2026, 11, 16), date(2026, 11, 23)))),
    ("流水 A001 近30天", ShowLedger("A001", days(date(2026, 10, 24), date(2026, 11, 23)))),
    ("流水 A001 今日", ShowLedger("A001", days(TODAY, date(2026, 11, 23)))),
    ("流水 A001 今天", ShowLedger("A001", days(TODAY, date(2026, 11, 23)))),
    ("流水 A001 本周", ShowLedger("A001", days(date(2026, 11, 16), date(2026, 11, 23)))),
    ("流水 A001 本月", ShowLedger("A001", days(date(2026, 11, 1), date(2026, 12, 1)))),
    ("流水 A001 上月", ShowLedger("A001", days(date(2026, 10, 1), date(2026, 11, 1)))),
    ("流水 A001 2026-11-01~2026-11-15", ShowLedger("A001", days(date(2026, 11, 1), date(2026, 11, 16)))),
    ("流水 A001 2026-11-01～2026-11-15", ShowLedger("A001", days(date(2026, 11, 1), date(2026, 11, 16)))),
    ("流水 A001 11-01至11-15", ShowLedger("A001", days(date(2026, 11, 1), date(2026, 11, 16)))),
    ("流水 A001 本月 第3页", ShowLedger("A001", days(date(2026, 11, 1), date(2026, 12, 1)), 3)),
    # ---- 帮助 ---------------------------------------------------------------------------
    ("帮助", ShowHelp()),
    ("帮助 入库", ShowHelp("入库")),
    ("帮助入库", ShowHelp("入库")),
    ("帮助 /in", ShowHelp("入库")),
    ("帮助 stock", ShowHelp("库存")),
    ("帮助 采购", ShowHelp("采购")),
    # ---- documents (issue 4): the forms the issue writes -----------------------------
    ("采购 @华东饮料 A001 100 单价 2.4", CreatePurchaseOrder("华东饮料", (LineInput("A001", D(100), unit_price=D("2.40")),))),
    ("采购单 PO-2026-0001", ShowOrders("采购单", "PO-2026-0001")),
    (
        "销售 @张三超市 A001 10 单价 3.5 折扣 9折",
        CreateSalesOrder("张三超市", (LineInput("A001", D(10), unit_price=D("3.50")),), D("0.9")),
    ),
    ("销售单", ShowOrders("销售单")),
    ("收款 @张三超市 1000 微信", RecordPayment("收款", "张三超市", D("1000.00"), account="微信")),
    ("盘点 A001 48", CountStock("A001", D("48"))),  # available since issue 5
    ("其他收入 200 卖废纸箱", RecordCashEntry(True, D("200.00"), "卖废纸箱")),
    ("/PO_2026_0001", ShowOrders("采购单", "PO-2026-0001")),
    ("/so_2026_0007@jxc_test_bot", ShowOrders("销售单", "SO-2026-0007")),
    ("/undo", Undo()),
]


@pytest.mark.parametrize(("text", "expected"), PARSED)
def test_real_world_input_parses_to_the_expected_command(text: str, expected: object) -> None:
    assert parse(text, TODAY) == expected


PREFIX = "__prefix__"  # marker: usage must start with the given text

REFUSED = [
    # (text, a substring of the reason, the usage line: exact, or (PREFIX, start))
    ("入库", "缺少商品编码", IN_USAGE),
    ("入库 A001", "缺少数量", IN_USAGE),
    ("出库 A001 单价 3", "缺少数量", OUT_USAGE),
    ("入库 A001 -5", "大于 0", IN_USAGE),
    ("入库 A001 0", "大于 0", IN_USAGE),
    ("入库 A001 0.000kg", "大于 0", IN_USAGE),
    ("入库 A001 1234567890123456789012345678901234567890", "太大", IN_USAGE),
    ("入库 A001 10000000.001", "太大", IN_USAGE),
    ("入库 A001 1.2345", "三位小数", IN_USAGE),
    ("入库 A001 五十", "看不懂", IN_USAGE),
    ("入库 A001 ٥٠", "看不懂", IN_USAGE),  # Arabic-Indic digits are not ASCII digits
    ("入库 A001 ᧚", "看不懂", IN_USAGE),  # isdigit() but int() refuses it
    ("入库 A001 5 单价 2.345", "两位小数", IN_USAGE),
    ("入库 A001 5 单价 -1", "负数", IN_USAGE),
    ("入库 A001 5 单价 123456789012345678901234567890", "太大", IN_USAGE),
    # ---- batches (issue 5): 有效期 and 生产日期 belong to 入库 only ----
    ("出库 A001 5 有效期 2027-03-01", "不用「有效期」", OUT_USAGE),
    ("出库 A001 5 生产日期 2026-09-01", "不用「生产日期」", OUT_USAGE),
    ("入库 A001 5 批次 L2311 有效期 03-01", "要写完整日期", IN_USAGE),
    ("入库 A001 5 批次 L2311 有效期 2027-02-30", "不存在", IN_USAGE),
    ("入库 A001 5 批次 L2311 有效期 2027-03-01 生产日期 2026-09-01", "只写一个", IN_USAGE),
    ("入库 A001 5 批次 批次号", "批次号「批次号」不对", IN_USAGE),
    ("入库 A001 5 批次 " + "L" * 31, "最多 30 位", IN_USAGE),
    ("库存 A001 单价 3", "不用「单价」", STOCK_USAGE),
    ("入库 A001 5 第2页", "没有分页", IN_USAGE),
    ("入库 A001 5 单价 2 单价 3", "写了两次", IN_USAGE),
    ("入库 A001 5 日期 11-20 日期 11-21", "写了两次", IN_USAGE),
    ("入库 A001 5 @华东 @好味", "只能写一个", IN_USAGE),
    ("入库 A001 5 @", "@ 后面缺少名称", IN_USAGE),
    ("入库 A001 5 单价", "后面缺少内容", IN_USAGE),
    ("出库 A001 5 备注", "后面缺少内容", OUT_USAGE),
    ("入库 A001 5 日期 13-40", "不存在", IN_USAGE),
    ("入库 A001 5 日期 02-30", "不存在", IN_USAGE),
    ("入库 A001 5 日期 2026-13-01", "不存在", IN_USAGE),
    ("入库 A001 5 日期 明天", "看不懂", IN_USAGE),
    ("入库 A001 5 6", "多余的内容「6」", IN_USAGE),
    ("入库 A001 5 备注 " + "很" * 201, "备注太长", IN_USAGE),
    ("入库 A001 5 @" + "华" * 61, "太长", IN_USAGE),
    ("入库 A00!1 5", "商品编码", IN_USAGE),
    ("入库 " + "A" * 33 + " 5", "商品编码", IN_USAGE),
    # A Chinese name is a product query now (faster entry); punctuation in it is not.
    ("入库 可乐! 5", "商品编码", IN_USAGE),
    ("商品 新增", "缺少商品编码", (PREFIX, "商品 新增")),
    ("商品 新增 A001", "缺少商品名称", (PREFIX, "商品 新增")),
    ("商品 新增 A001 可乐 名称 雪碧", "名称写了两次", (PREFIX, "商品 新增")),
    ("商品 新增 A001 可乐 单价 3", "不用「单价」", (PREFIX, "商品 新增")),
    ("商品 新增 A001 可乐 进价 2.555", "两位小数", (PREFIX, "商品 新增")),
    ("商品 新增 A001 可乐 单位 " + "x" * 9, "单位太长", (PREFIX, "商品 新增")),
    ("商品 新增 A001 " + "可" * 61, "名称太长", (PREFIX, "商品 新增")),
    ("商品 修改 A001", "没有要修改的字段", (PREFIX, "商品 修改")),
    ("商品 修改 A001 售价 3.8 售价 3.9", "写了两次", (PREFIX, "商品 修改")),
    ("商品 修改 A001 A002 售价 3.8", "多余的内容", (PREFIX, "商品 修改")),
    ("商品 停用", "缺少商品编码", "商品 停用 <编码>"),
    ("商品 停用 A001 A002", "多余的内容「A002」", "商品 停用 <编码>"),
    ("商品 启用 A001 @华东", "不用 @华东", "商品 启用 <编码>"),
    ("商品 " + "可" * 33, "太长", (PREFIX, "商品 <编码或名称>")),
    # The same query through the explicit sub-verb must be refused the same way.
    ("商品 查询 " + "可" * 33, "太长", (PREFIX, "商品 <编码或名称>")),
    ("库存 A001 A002", "多余的内容「A002」", STOCK_USAGE),
    ("库存 " + "A" * 33, "太长", STOCK_USAGE),
    ("库存 第0页", "页码超出范围", STOCK_USAGE),
    ("库存 第10001页", "页码超出范围", STOCK_USAGE),
    ("流水", "缺少商品编码", LEDGER_USAGE),
    ("流水 A001 8天前", "看不懂", LEDGER_USAGE),
    ("流水 A001 0天", "天数", LEDGER_USAGE),
    ("流水 A001 9999天", "天数", LEDGER_USAGE),
    ("流水 A001 7天 本月", "多余的内容「本月」", LEDGER_USAGE),
    ("流水 A001 2026-11-15~2026-11-01", "开始应早于结束", LEDGER_USAGE),
    ("流水 A001 2000-01-01~2026-11-15", "最长", LEDGER_USAGE),
    ("流水 A001 13-01~13-05", "不存在", LEDGER_USAGE),
    # A period reaching the last representable day must be refused, not crash.
    ("流水 A001 2026-01-01~9999-12-31", "最长", LEDGER_USAGE),
    ("流水 A001 9999-12-30~9999-12-31", "", LEDGER_USAGE),
    ("帮助 吃饭", "没有「吃饭」", HELP_USAGE),
    ("帮助 /nope", "没有「/nope」", HELP_USAGE),
    # Not commands at all, or not readable as text: no usage line can help.
    ("", "空", "帮助"),
    ("   ", "空", "帮助"),
    ("今天进了五十罐可乐", "不是一条命令", ""),
    ("/foo", "没有 /foo", ""),
    ("/foo@jxc_test_bot A001", "没有 /foo", ""),
    # Several lines are a batch (tests/bot/test_parsing_batch.py); one of only verbs books nothing.
    ("入库\n出库", "只有命令词", BATCH_USAGE),
    ("入库 A001 5\x07", "控制字符", ""),
    ("入库 A001 5 备注 " + "很" * 10_000, "太长", ""),
    ("x" * 10_000, "太长", ""),
]


@pytest.mark.parametrize(("text", "reason", "usage"), REFUSED, ids=[f"refused-{n:02d}" for n in range(len(REFUSED))])
def test_unreadable_input_is_refused_with_a_reason_and_the_right_usage(text: str, reason: str, usage: object) -> None:
    try:
        command = parse(text, TODAY)
    except ParseError as error:
        assert reason in error.reason, f"{text[:60]!r}: reason {error.reason!r}"
        assert "\n" not in error.reason, "the reason is one line"
        if isinstance(usage, tuple):
            assert error.usage.startswith(usage[1]), f"{text[:60]!r}: usage {error.usage!r}"
        else:
            assert error.usage == usage, f"{text[:60]!r}: usage {error.usage!r}"
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"parse({text[:60]!r}) raised {type(error).__name__}: {error}, not ParseError")
    else:
        pytest.fail(f"parse({text[:60]!r}) accepted it as {command!r}")


def test_a_note_keeps_its_punctuation() -> None:
    # 备注 takes the rest of the line; NFKC may turn ，into , but must not drop it.
    command = parse("入库 A001 5 备注 张三：已付款，明天送；急", TODAY)
    assert command.note == "张三:已付款,明天送;急"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("库存不多了吧", False),
        ("入库了吗", False),
        ("出库单呢", False),
        ("流水账记好了没", False),
        ("帮助一下我", False),
        ("今天天气不错", False),
        ("hello", False),
        ("", False),
        ("   ", False),
        ("入库A001 5", True),
        ("入库 A001 5", True),
        ("  入库 A001 5", True),
        ("入库", True),
        ("库存", True),
        ("商品新增 A001 可乐", True),
        ("商品 新增 A001 可乐", True),
        ("商品停用A001", True),
        ("帮助入库", True),
        ("采购 @华东 A001 100", True),
        ("/in", True),
        ("/in@jxc_test_bot A001 5", True),
        ("/whatever", True),
    ],
)
def test_looks_like_command_tells_commands_from_chatter(text: str, expected: bool) -> None:
    assert looks_like_command(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("入库　Ａ００１　５０", "入库 A001 50"),
        ("a\u200bb", "ab"),
        ("  x \t y\u3000z  ", "x y z"),
        ("11。5、【A】", "11.5, A"),
        ("2026-11-01～2026-11-15", "2026-11-01~2026-11-15"),
    ],
)
def test_normalise_reads_full_width_and_chinese_punctuation_as_ascii(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_split_verb_prefers_the_longest_verb() -> None:
    found = split_verb("采购单 PO-2026-0001")
    assert found is not None
    verb, rest = found
    assert (verb.name, rest) == ("采购单", "PO-2026-0001")


def test_split_verb_refuses_a_verb_followed_by_chatter() -> None:
    assert split_verb("库存不多了吧") is None


@pytest.mark.parametrize(
    ("text", "chatter"),
    [
        ("今天进了五十罐可乐", True),
        ("入库了吗", True),
        ("/foo", False),
        ("入库 A001", False),
        ("入库 A001 5\x07", False),
        ("入库 A001 5 备注 " + "很" * 2000, False),
        ("", False),
    ],
)
def test_only_plain_chatter_is_marked_as_not_a_command(text: str, chatter: bool) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text, TODAY)
    assert caught.value.not_a_command is chatter
