"""Reports in the chat: who sees which figures, files on the console, and refusals that change
nothing (the dispatcher on a real SQLite database)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook

from bot.app import Runtime
from bot.attachments import DOCUMENT, PHOTO
from bot.console import run_console
from tests.bot.chatkit import Person, assert_books_ok, bind, console, group, join, make_runtime, ok, private, say, snapshot

VIEWER = Person(2007, "周九", "zhoujiu")
GROUP = -100700
NOTE = "🔒 成本和金额已私聊发给你。"


@pytest.fixture
def shop() -> Iterator[Runtime]:
    runtime = make_runtime()
    for text in (
        "商品 新增 A001 可口可乐 单位 罐 售价 3.5 安全库存 20 分类 饮料",
        "入库 A001 100 单价 2.4 @华东饮料",
        "出库 A001 30 单价 3.5 @张三超市",
    ):
        ok(say(runtime, private(text)))
    join(runtime, "只读", VIEWER)
    bind(runtime, GROUP)
    yield runtime
    assert_books_ok(runtime)
    runtime.engine.dispose()


def test_the_owner_sees_cost_and_margin_a_viewer_the_same_report_without(shop: Runtime) -> None:
    full = say(shop, private("报表 本月")).html
    assert "成本 72.00 元 · 毛利 33.00 元（毛利率 31.4%）" in full
    reduced = say(shop, private("报表 本月", VIEWER)).html
    assert "销售额 105.00 元" in reduced
    assert "毛利" not in reduced and "72.00" not in reduced and "240.00" not in reduced


def test_in_a_group_the_report_hides_cost_and_the_owner_gets_it_privately(shop: Runtime) -> None:
    reply = say(shop, group("报表 本月", GROUP))
    assert "毛利" not in reply.html and reply.html.endswith(NOTE)
    assert reply.private is not None and "毛利 33.00 元" in reply.private.html


def test_a_chart_is_a_photo_and_an_export_a_document(shop: Runtime) -> None:
    chart = say(shop, private("图表 排行"))
    assert chart.attachment is not None and chart.attachment.kind == PHOTO and chart.attachment.data.startswith(b"\x89PNG")
    assert "第一 <b>A001</b> 可口可乐 105.00 元" in chart.html
    export = say(shop, private("导出 报表 本月"))
    assert export.attachment is not None and export.attachment.kind == DOCUMENT
    book = load_workbook(io.BytesIO(export.attachment.data))
    assert book.sheetnames == ["进销存", "销售-商品", "销售-客户", "销售-每日", "采购", "供应商表现"]


def test_a_viewers_export_leaves_out_the_cost_columns(shop: Runtime) -> None:
    export = say(shop, private("导出 销售 本月", VIEWER))
    assert export.attachment is not None
    headers = next(load_workbook(io.BytesIO(export.attachment.data)).active.iter_rows(values_only=True))
    assert "毛利" not in headers and "成本" not in headers and "销售额" in headers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("图表 X999", "❌ 未找到商品 X999。"),
        ("报表 明天", "❌ 多余的内容「明天」"),
        ("导出 存货 本月", "❌ 不能导出「存货」"),
        ("图表", "❌ 缺少图表类型"),
        ("滞销 9999天", "❌ 天数应在 1 到 730 之间"),
        ("排行 利润", "❌ 多余的内容「利润」"),
    ],
)
def test_refusals_say_why_and_change_nothing(shop: Runtime, text: str, expected: str) -> None:
    before = snapshot(shop.engine)
    reply = say(shop, private(text))
    assert reply.html.startswith(expected), reply.html
    assert reply.attachment is None
    assert snapshot(shop.engine) == before


def test_the_console_saves_charts_and_spreadsheets_and_prints_their_paths(shop: Runtime, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    run_console(shop.dispatcher, "控制台", ["图表 销售趋势 7天", "导出 进销存 本月", "导出 进销存 本月"], out, interactive=False, files_dir=tmp_path)
    text = out.getvalue()
    saved = sorted(p.name for p in tmp_path.iterdir())
    assert len(saved) == 3 and saved[0].startswith("进销存_") and saved[1].endswith("_2.xlsx") and saved[2].startswith("销售趋势_")
    for name in saved:
        assert f"已保存：{(tmp_path / name).resolve()}" in text
    assert "📈 销售趋势" in text


def test_console_reports_run_without_telegram(shop: Runtime) -> None:
    reply = say(shop, console("周转"))
    # 100 in, 30 sold today: average stock (0 + 70) / 2 = 35 over 30 days ÷ 30 sold = 35.0 days.
    assert reply.html.startswith("🔄 库存周转")
    assert "<b>A001</b> 可口可乐 · 35.0 天 · 卖出 30罐" in reply.html
