"""Reports over the documents in the chat: 报表 … 资金, supplier on-time and QC rates in 采购,
图表 账龄, 导出 应收/应付/对账单; who may see them, and refusals that change nothing (the
dispatcher on a real SQLite database, the clock standing at 2026-11-22 10:00 Shanghai).

The books, worked by hand:
- PO-2026-0001 华东饮料 A001 100 × 2.40, 交期 11-25: 到货 100, 合格 98 on 11-22 (on time) → payable 235.20.
- PO-2026-0002 华东饮料 A001 50 × 2.40, 交期 11-23: 到货 50, 合格 50 on 11-24 (late) → payable 120.00.
- PO-2026-0003 华东饮料 A001 10 × 2.40, no 交期: 到货 10 on 11-24 → counts for QC only.
  On time 1/2 = 50.0 %; QC (98 + 50 + 10) ÷ (100 + 50 + 10) = 158/160 = 98.8 %.
- SO-2026-0001 张三超市 A001 10 × 3.50 shipped 11-24 → receivable 35.00, due 12-09 (15 days);
  退货 2 → credit 7.00 (revenue 35.00 − 7.00 = 28.00; COGS 24.00 − 4.80 = 19.20).
- 收款 10.00 微信; 付款 100.00 银行; 费用 20.50 现金; 其他收入 5 现金.
  Balances: 现金 5 − 20.50 = −15.50; 银行 −100.00; 微信 10.00; total −105.50.
  应收 35 − 7 − 10 = 18.00 (未到期); 应付 235.20 + 120.00 + 24.00 − 100 = 279.20 (未到期).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from bot.app import Runtime
from bot.attachments import DOCUMENT, PHOTO
from tests.bot.chatkit import Person, assert_books_ok, bind, group, join, make_runtime, ok, private, say, snapshot

VIEWER = Person(2107, "周九", "zhoujiu")
BUYER = Person(2108, "采购丙", "buyer")
GROUP = -100710


def book_documents(runtime: Runtime) -> None:
    """The books of the module docstring, through the dispatcher (also used by the storage tests)."""
    for text in (
        "商品 新增 A001 可口可乐 单位 罐 售价 3.5",
        "供应商 新增 华东饮料 账期 30天",
        "客户 新增 张三超市 账期 15天",
        "采购 @华东饮料 A001 100 单价 2.4 交期 11-25",
        "审核 PO-2026-0001",
        "到货 PO-2026-0001 A001 100 合格 98",
        "采购 @华东饮料 A001 50 单价 2.4 交期 11-23",
        "审核 PO-2026-0002",
        "采购 @华东饮料 A001 10 单价 2.4",
        "审核 PO-2026-0003",
    ):
        ok(say(runtime, private(text)))
    runtime.clock.advance(timedelta(days=2))  # 11-24: the second order comes a day late
    for text in (
        "到货 PO-2026-0002",
        "到货 PO-2026-0003",
        "销售 @张三超市 A001 10 单价 3.5",
        "发货 SO-2026-0001",
        "退货 @张三超市 A001 2",
        "收款 @张三超市 10 微信",
        "付款 @华东饮料 100 银行",
        "费用 20.50 水电",
        "其他收入 5 废品",
    ):
        ok(say(runtime, private(text)))


@pytest.fixture
def shop() -> Iterator[Runtime]:
    runtime = make_runtime()
    book_documents(runtime)
    join(runtime, "只读", VIEWER)
    join(runtime, "采购", BUYER)
    bind(runtime, GROUP)
    yield runtime
    assert_books_ok(runtime)
    runtime.engine.dispose()


def test_the_funds_section_shows_accounts_and_what_is_owed(shop: Runtime) -> None:
    html = say(shop, private("报表 本月 资金")).html
    assert "<b>现金</b> 余额 -15.50 元 · 本期 收款 0.00 · 付款 0.00 · 其他收入 5.00 · 费用 20.50" in html
    assert "<b>银行</b> 余额 -100.00 元" in html and "<b>微信</b> 余额 10.00 元" in html
    assert "合计：收款 10.00 元（1 笔）· 付款 100.00 元（1 笔）· 其他收入 5.00 元 · 费用 20.50 元 · 期末余额 -105.50 元" in html
    assert "<b>应收</b> 18.00 元（1 笔，截至 11-24）" in html
    assert "<b>应付</b> 279.20 元（3 笔，截至 11-24）" in html
    overview = say(shop, private("报表 本月")).html
    assert "<b>资金</b> · 收款 10.00 元 · 付款 100.00 元 · 期末余额 -105.50 元" in overview
    assert "应收 18.00 元 · 应付 279.20 元" in overview


def test_sales_net_of_the_customers_return(shop: Runtime) -> None:
    html = say(shop, private("报表 本月 销售")).html
    assert "合计：8 · 28.00 元 · 毛利 8.80（31.4%）" in html


def test_purchases_show_supplier_on_time_and_qc_rates(shop: Runtime) -> None:
    html = say(shop, private("报表 本月 采购", VIEWER)).html
    assert "华东饮料 · 准时率 50.0%（1/2 次） · 合格率 98.8%（158/160）" in html
    assert "235.20" not in html  # the viewer sees no amounts
    export = say(shop, private("导出 采购 本月"))
    book = load_workbook(io.BytesIO(export.attachment.data))  # type: ignore[union-attr]
    assert book.sheetnames == ["采购", "供应商表现"]
    table = [list(r) for r in book["供应商表现"].iter_rows(values_only=True)]
    assert table[1] == ["华东饮料", 2, 1, 0.5, 160, 158, 2, pytest.approx(0.988)]


def test_money_needs_the_money_permission_and_changes_nothing(shop: Runtime) -> None:
    before = snapshot(shop.engine)
    for text in ("报表 本月 资金", "导出 应收", "导出 对账单 @张三超市", "图表 账龄"):
        reply = say(shop, private(text, BUYER))
        assert reply.html.startswith("🔒 你的角色「采购」不能收款、付款、费用。"), reply.html
        assert reply.attachment is None
    overview = say(shop, private("报表 本月", BUYER)).html
    assert "<b>资金</b>" not in overview and "279.20" not in overview
    assert snapshot(shop.engine) == before


def test_in_an_open_group_money_is_withheld_and_the_owner_told_where_to_get_it(shop: Runtime) -> None:
    reply = say(shop, group("导出 应收", GROUP))
    assert reply.attachment is None
    assert reply.html == "🔒 应收含往来金额，只在私聊或开放了敏感数据的群里发送。私聊机器人发送同一命令即可。"
    chart = say(shop, group("图表 账龄", GROUP))
    assert chart.attachment is None and "只在私聊或开放了敏感数据的群里发送" in chart.html


def test_the_aging_chart_is_a_photo_with_the_totals(shop: Runtime) -> None:
    chart = say(shop, private("图表 账龄"))
    assert chart.attachment is not None and chart.attachment.kind == PHOTO
    assert chart.attachment.filename == "账龄_20261124.png"
    assert "应收 18.00 元 · 应付 279.20 元" in chart.html


def test_export_of_receivables_payables_and_a_statement(shop: Runtime) -> None:
    receivables = say(shop, private("导出 应收"))
    assert receivables.attachment is not None and receivables.attachment.kind == DOCUMENT
    assert receivables.attachment.filename == "应收_20261124.xlsx"
    assert receivables.html.startswith("📄 应收 · 截至今天 · 1 行")
    book = load_workbook(io.BytesIO(receivables.attachment.data))
    assert book.sheetnames == ["应收明细", "应收账龄"]
    detail = [list(r) for r in book["应收明细"].iter_rows(values_only=True)]
    assert detail[0] == ["客户", "单号", "订单", "日期", "到期日", "金额", "未结金额", "逾期天数", "账龄"]
    assert detail[1][:3] == ["张三超市", "CK-2026-0001", "SO-2026-0001"]
    assert detail[1][3].date().isoformat() == "2026-11-24" and detail[1][4].date().isoformat() == "2026-12-09"
    assert detail[1][5:] == [35, 18, 0, "未到期"]
    assert detail[2][0] == "合计" and detail[2][5:7] == [35, 18]
    assert [list(r) for r in book["应收账龄"].iter_rows(values_only=True)][1] == ["张三超市", 18, 0, 0, 0, 0, 18]

    payables = load_workbook(io.BytesIO(say(shop, private("导出 应付")).attachment.data))  # type: ignore[union-attr]
    rows = [list(r) for r in payables["应付明细"].iter_rows(values_only=True)]
    assert [r[1] for r in rows[1:4]] == ["RK-2026-0001", "RK-2026-0002", "RK-2026-0003"]
    assert rows[4][0] == "合计" and rows[4][5:7] == [pytest.approx(379.2), pytest.approx(279.2)]

    statement = say(shop, private("导出 对账单 @张三超市 本月"))
    assert statement.attachment is not None and statement.attachment.filename == "对账单_张三超市_20261101-20261130.xlsx"
    table = [list(r) for r in load_workbook(io.BytesIO(statement.attachment.data)).active.iter_rows(values_only=True)]
    assert table[0] == ["日期", "单号", "摘要", "增加", "减少", "余额"]
    assert [r[1:] for r in table[1:5]] == [
        [None, "期初余额", 0, 0, 0],
        ["CK-2026-0001", "销售 SO-2026-0001", 35, 0, 35],
        ["XT-2026-0001", "退货", 0, 7, 28],
        ["SK-2026-0001", "收款（微信）", 0, 10, 18],
    ]
    assert table[5][:5] == ["合计", None, None, 35, 17]
    assert table[-1] == ["张三超市 应收对账单 2026-11-01~2026-11-30：期初 0.00，期末 18.00 元", None, None, None, None, None]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("导出 对账单", "❌ 缺少 @客户 或 @供应商"),
        ("导出 对账单 @无名氏", "❌"),
        ("导出 应收 本月", "❌ 多余的内容「本月」（应收、应付按今天导出）"),
        ("报表 本月 资金 第2页 x", "❌"),
    ],
)
def test_refusals_say_why_and_change_nothing(shop: Runtime, text: str, expected: str) -> None:
    before = snapshot(shop.engine)
    reply = say(shop, private(text))
    assert reply.html.startswith(expected), reply.html
    assert reply.attachment is None
    assert snapshot(shop.engine) == before
