"""Reports end to end: the real Application polling the fake Bot API (SQLite and PostgreSQL).
A text report with hand-worked figures, a chart that arrives as a photo with its key number in
the caption, and a spreadsheet that arrives as a document whose cells are checked."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from PIL import Image

from tests.e2e.telegram_harness import Bot
from tests.e2e.test_telegram_access import BOUND_1, GROUP_1

pytestmark = pytest.mark.slow


def today() -> str:
    return f"{datetime.now(ZoneInfo('Asia/Shanghai')):%Y-%m-%d}"


async def book(bot: Bot) -> None:
    # Revenue 30 × 3.50 + 3 × 3.33 = 114.99; cost 30 × 2.40 + 3 × 2.40 = 79.20; profit 35.79 (31.1 %).
    for text in (
        "商品 新增 A001 可口可乐 单位 罐 售价 3.5 安全库存 20 分类 饮料",
        "入库 A001 100 单价 2.4 @华东饮料",
        "出库 A001 30 单价 3.5 @张三超市",
        "出库 A001 3 单价 3.33",
    ):
        reply = await bot.say(text)
        assert reply["text"].startswith("✅"), reply["text"]


async def test_the_report_of_today_shows_the_hand_worked_figures(bot: Bot) -> None:
    await book(bot)
    report = await bot.say("报表 今日")
    lines = report["text"].splitlines()
    assert lines[0] == f"📊 报表 · 今日（{today()}~{today()}）"
    assert "期初 0.00 元 · 入库 240.00 元 · 出库 79.20 元 · 期末 160.80 元" in lines
    assert "销售 · 销售额 114.99 元 · 成本 79.20 元 · 毛利 35.79 元（毛利率 31.1%）" in lines
    assert "1. A001 可口可乐 · 33罐 · 114.99 元 · 毛利 35.79（31.1%）" in lines
    assert "华东饮料 · 1 个商品 · 240.00 元" in lines
    section = await bot.say("/report 今日 进销存")
    assert "期初 0/0.00 · 入 100/240.00 · 出 33/79.20 · 期末 67/160.80" in section["text"]


async def test_a_chart_arrives_as_a_photo_with_its_key_number(bot: Bot) -> None:
    await book(bot)
    photo = await bot.say("图表 销售趋势 7天")
    assert "photo" in photo, photo
    assert photo["caption"].startswith("📈 销售趋势 · 近7天（")
    assert photo["caption"].endswith("：销售额 114.99 元，毛利 35.79 元（31.1%）")
    assert Image.open(io.BytesIO(photo["_file_bytes"])).size == (960, 540)
    level = await bot.say("/chart A001")
    assert "photo" in level and "期末库存 67 罐" in level["caption"] and "安全库存 20 罐" in level["caption"]

    # In a group that does not show cost the chart has no profit line and says where to get it.
    assert (await bot.say("绑定 1", **GROUP_1))["text"] == BOUND_1
    grouped = await bot.say("图表 销售趋势 7天", **GROUP_1)
    assert "photo" in grouped
    assert "销售额 114.99 元" in grouped["caption"] and "毛利" not in grouped["caption"].split("（成本")[0]
    assert "私聊机器人发送同一命令可看完整版" in grouped["caption"]

    # Money owed goes only where cost may show: privately it is a photo, in this group a reason.
    aging = await bot.say("图表 账龄")
    assert "photo" in aging and aging["caption"].startswith("📊 应收、应付账龄"), aging
    assert "应收 0.00 元 · 应付 0.00 元" in aging["caption"]
    withheld = await bot.say("图表 账龄", **GROUP_1)
    assert "photo" not in withheld and "只在私聊或开放了敏感数据的群里发送" in withheld["text"]


async def test_an_export_arrives_as_a_spreadsheet_with_the_figures(bot: Bot) -> None:
    await book(bot)
    day = today().replace("-", "")
    sent = await bot.say("导出 进销存 今日")
    assert sent["document"]["file_name"] == f"进销存_{day}-{day}.xlsx"
    assert sent["caption"] == f"📄 进销存 · 今日（{today()}~{today()}） · 1 行"
    sheet = load_workbook(io.BytesIO(sent["_file_bytes"]))["进销存"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:6] == ["商品编码", "名称", "规格", "单位", "期初数量", "期初金额"]
    assert rows[1] == ["A001", "可口可乐", None, "罐", 0, 0, 100, 240, 33, 79.2, 67, 160.8]
    assert rows[2][0] == "合计" and sheet.freeze_panes == "A2"

    template = await bot.say("/export 模板 商品")
    assert template["document"]["file_name"] == "商品导入模板.xlsx"
    headers = next(load_workbook(io.BytesIO(template["_file_bytes"]))["商品"].iter_rows(values_only=True))
    assert headers[:4] == ("商品编码", "名称", "规格", "单位")

    refused = await bot.say("导出 存货")
    assert refused["text"].startswith("❌") and "document" not in refused


async def test_receivables_export_after_a_sales_cycle(bot: Bot) -> None:
    """A sales cycle by the team, then the bookkeeper's 导出 应收, 报表 资金 and 图表 账龄:
    shipped 10 × 3.50 = 35.00 (due in 15 days), 2 returned (−7.00), 收款 10.00 微信 → 18.00 open."""
    from datetime import timedelta

    from tests.e2e.test_telegram_documents import BOOKKEEPER, KEEPER, SELLER, team

    await team(bot)
    assert (await bot.say("入库 A001 100 单价 2.4"))["text"].startswith("✅")
    for text, person in (
        ("销售 @张三超市 A001 10 单价 3.5", SELLER),
        ("发货 SO-2026-0001", KEEPER),
        ("退货 @张三超市 A001 2", KEEPER),
        ("收款 @张三超市 10 微信", BOOKKEEPER),
    ):
        reply = await bot.say(text, **person)
        assert reply["text"].startswith("✅"), reply["text"]

    day = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    sent = await bot.say("导出 应收", **BOOKKEEPER)
    assert sent["document"]["file_name"] == f"应收_{day:%Y%m%d}.xlsx"
    assert sent["caption"] == "📄 应收 · 截至今天 · 1 行"
    book = load_workbook(io.BytesIO(sent["_file_bytes"]))
    rows = [list(row) for row in book["应收明细"].iter_rows(values_only=True)]
    assert rows[1][:3] == ["张三超市", "CK-2026-0001", "SO-2026-0001"]
    assert rows[1][4].date() == day + timedelta(days=15)
    assert rows[1][5:] == [35, 18, 0, "未到期"]
    assert rows[2][0] == "合计" and book["应收明细"].freeze_panes == "A2"

    funds = await bot.say("报表 今日 资金", **BOOKKEEPER)
    assert "微信 余额 10.00 元 · 本期 收款 10.00 · 付款 0.00 · 其他收入 0.00 · 费用 0.00" in funds["text"]
    assert "应收 18.00 元（1 笔，截至" in funds["text"]
    sales = await bot.say("报表 今日 销售", **BOOKKEEPER)
    assert "合计：8 · 28.00 元 · 毛利 8.80（31.4%）" in sales["text"]  # 35 − 7; cost 24 − 4.80

    chart = await bot.say("图表 账龄", **BOOKKEEPER)
    assert "photo" in chart and "应收 18.00 元 · 应付 0.00 元" in chart["caption"]
    refused = await bot.say("导出 应收", **SELLER)
    assert "document" not in refused and refused["text"].startswith("🔒")
