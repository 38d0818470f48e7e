"""The report verbs read from tables: 报表, 排行, 滞销, 周转, 图表, 导出."""

from __future__ import annotations

from datetime import date

import pytest

from bot.parsing import ParseError, parse
from domain import commands as c
from domain.periods import Period, between, last_days, this_month

TODAY = date(2026, 11, 22)
NOVEMBER = this_month(TODAY)
OCTOBER = Period(date(2026, 10, 1), date(2026, 11, 1))
LAST_30 = last_days(TODAY, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("报表", c.ShowReport(NOVEMBER)),
        ("报表 本月", c.ShowReport(NOVEMBER)),
        ("/report 上月", c.ShowReport(OCTOBER)),
        ("报表 今日", c.ShowReport(Period(TODAY, date(2026, 11, 23)))),
        ("报表 本周 销售", c.ShowReport(Period(date(2026, 11, 16), date(2026, 11, 23)), "销售")),
        ("报表 进销存 上月 第2页", c.ShowReport(OCTOBER, "进销存", 2)),
        ("报表 2026-11-01~2026-11-15 采购", c.ShowReport(between(date(2026, 11, 1), date(2026, 11, 15)), "采购")),
        ("报表本月客户", None),  # glued words are one unknown word (see the refusals)
        ("排行", c.RankSales(NOVEMBER)),
        ("排行 销售 本月", c.RankSales(NOVEMBER, "金额")),
        ("排行 数量", c.RankSales(NOVEMBER, "数量")),
        ("排行 销量 上月", c.RankSales(OCTOBER, "数量")),
        ("排行 上月 毛利", c.RankSales(OCTOBER, "毛利")),
        ("滞销", c.ShowUnsold(30)),
        ("滞销 90天", c.ShowUnsold(90)),
        ("滞销 7天 第3页", c.ShowUnsold(7, 3)),
        ("周转", c.ShowTurnover(LAST_30)),
        ("周转 本月", c.ShowTurnover(NOVEMBER)),
        ("图表 销售趋势", c.DrawChart("销售趋势", LAST_30)),
        ("/chart 销售趋势 7天", c.DrawChart("销售趋势", last_days(TODAY, 7))),
        ("图表 排行", c.DrawChart("排行", NOVEMBER)),
        ("图表 库存", c.DrawChart("库存", LAST_30)),
        ("图表 账龄", c.DrawChart("账龄", LAST_30)),
        ("图表 a001 90天", c.DrawChart("A001", last_days(TODAY, 90))),
        ("导出 进销存 本月", c.ExportReport("进销存", NOVEMBER)),
        ("/export 报表 上月", c.ExportReport("报表", OCTOBER)),
        ("导出 流水", c.ExportReport("流水", NOVEMBER)),
        ("导出 流水 a001 7天", c.ExportReport("流水", last_days(TODAY, 7), "A001")),
        ("导出 流水 6901234 本月", c.ExportReport("流水", NOVEMBER, "6901234")),
        ("导出 模板 商品", c.ExportReport("模板", NOVEMBER)),
        ("导出 滞销 30天", c.ExportReport("滞销", LAST_30)),
    ],
)
def test_report_commands_parse(text: str, expected: c.Command | None) -> None:
    if expected is None:
        with pytest.raises(ParseError):
            parse(text, TODAY)
        return
    assert parse(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("报表 本月 第2页", "分页要指定部分"),
        ("报表 明天", "多余的内容「明天」"),
        ("报表 本月 上月", "多余的内容「上月」"),
        ("报表 2026-11-15~2026-11-01", "时间段的开始应早于结束"),
        ("报表 本月 @张三", "这个命令不用 @张三"),
        ("排行 利润", "多余的内容「利润」"),
        ("排行 本月 第2页", "这个命令没有分页"),
        ("滞销 abc", "「abc」看不懂，天数写成 30天"),
        ("滞销 0天", "天数应在 1 到 730 之间"),
        ("滞销 30天 90天", "多余的内容「90天」"),
        ("周转 销售", "多余的内容「销售」"),
        ("图表", "缺少图表类型"),
        ("图表 A 001", "时间「001」看不懂"),
        ("图表 销售趋势 99999天", "时间「99999天」看不懂"),
        ("导出", "缺少要导出的内容"),
        ("导出 存货", "不能导出「存货」"),
        ("导出 模板", "现在有的模板是 商品"),
        ("导出 模板 客户", "现在有的模板是 商品"),
        ("导出 进销存 本月 上月", "多余的内容「上月」"),
    ],
)
def test_report_refusals_say_why_and_show_the_form(text: str, reason: str) -> None:
    with pytest.raises(ParseError) as refused:
        parse(text, TODAY)
    assert refused.value.reason.startswith(reason), refused.value.reason
    assert refused.value.usage
