"""The grammars of issue 6 (订阅, 退订, 预警, 设置 预警) as people type them: tables of accepted
forms, and of refusals with their exact reason and usage."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.parsing import VERBS_BY_NAME, ParseError, looks_like_command, parse, to_text
from domain import commands as c

TODAY = date(2026, 11, 22)
SUBSCRIBE_USAGE = "订阅 预警 <库存|临期|应付|应收|日报…>"
UNSUBSCRIBE_USAGE = "退订 <库存|临期|应付|应收|日报…|全部>"
ALERTS_USAGE = "预警 [检查] · 预警 忽略 <编码> [7天]"
SNOOZE_USAGE = "预警 忽略 <编码> [7天]"
SETTINGS_USAGE = "设置 预警 [日报 21:00] [免打扰 22:00-08:00|关闭] [日均 7天] [应付 3天] [临期 30天]"
TOPICS = "库存 临期 应付 应收 日报"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("订阅 预警 库存 应付 应收 日报", c.Subscribe(("库存", "应付", "应收", "日报"))),
        ("订阅 日报 库存", c.Subscribe(("库存", "日报"))),  # any order, stored in one
        ("订阅 预警 库存、日报，库存", c.Subscribe(("库存", "日报"))),  # Chinese separators, repeats once
        ("订阅预警 临期", c.Subscribe(("临期",))),  # a type whose rule comes with the batches
        ("订阅", c.ListSubscriptions()),
        ("退订 应收", c.Unsubscribe(("应收",))),
        ("退订 预警 应收 应付", c.Unsubscribe(("应付", "应收"))),
        ("退订 全部", c.Unsubscribe(())),
        ("预警", c.ShowAlerts()),
        ("/alerts", c.ShowAlerts()),
        ("预警 检查", c.CheckAlerts()),
        ("预警检查", c.CheckAlerts()),
        ("预警 忽略 a001", c.SnoozeAlert("A001", 7)),
        ("预警 忽略 A001 3天", c.SnoozeAlert("A001", 3)),
        ("预警 忽略 A001 90", c.SnoozeAlert("A001", 90)),
        ("设置 预警", c.SetAlertSettings()),
        ("设置 预警 日报 20:30", c.SetAlertSettings((("digest_at", time(20, 30)),))),
        ("设置 预警 日报 ２１：００", c.SetAlertSettings((("digest_at", time(21, 0)),))),  # full-width
        ("设置 预警 日报 9点", c.SetAlertSettings((("digest_at", time(9, 0)),))),
        ("设置 预警 免打扰 22:00-08:00", c.SetAlertSettings((("quiet", (time(22, 0), time(8, 0))),))),
        ("设置 预警 免打扰 22点到7点", c.SetAlertSettings((("quiet", (time(22, 0), time(7, 0))),))),
        ("设置 预警 免打扰 关闭", c.SetAlertSettings((("quiet", None),))),
        (
            "设置 预警 日均 14天 应付 5天 临期 30",
            c.SetAlertSettings((("sales_days", 14), ("payables_days", 5), ("expiry_days", 30))),
        ),
        ("设置 预警 日报21:00 日均7天", c.SetAlertSettings((("digest_at", time(21, 0)), ("sales_days", 7)))),
    ],
)
def test_alert_commands_as_people_type_them(text: str, expected: c.Command) -> None:
    command = parse(text, TODAY)
    assert command == expected
    assert parse(to_text(command), TODAY) == command


@pytest.mark.parametrize(
    ("command", "text"),
    [
        (c.Subscribe(("库存", "日报")), "订阅 预警 库存 日报"),
        (c.Unsubscribe(()), "退订 全部"),
        (c.SnoozeAlert("A001"), "预警 忽略 A001 7天"),  # what the 忽略 7 天 button runs
        (c.SetAlertSettings((("quiet", (time(22, 0), time(8, 0))), ("digest_at", time(9, 5)))), "设置 预警 免打扰 22:00-08:00 日报 09:05"),
        (c.SetAlertSettings((("quiet", None),)), "设置 预警 免打扰 关闭"),
    ],
)
def test_the_canonical_text_of_alert_commands(command: c.Command, text: str) -> None:
    assert to_text(command) == text


REFUSED = [
    ("订阅 预警", f"缺少预警类型，可选：{TOPICS}", SUBSCRIBE_USAGE),
    ("订阅 天气", f"没有「天气」这种预警，可选：{TOPICS}", SUBSCRIBE_USAGE),
    ("订阅 预警 库存 单价 3", "这个命令不用「单价」", SUBSCRIBE_USAGE),
    ("退订", f"缺少要退订的类型，可选：{TOPICS} 或 全部", UNSUBSCRIBE_USAGE),
    ("退订 日报 天气", f"没有「天气」这种预警，可选：{TOPICS}", UNSUBSCRIBE_USAGE),
    ("预警 全部", "「全部」看不懂，可写：预警 / 预警 检查 / 预警 忽略 A001 7天", ALERTS_USAGE),
    ("预警 检查 A001", "多余的内容「A001」", ALERTS_USAGE),
    ("预警 忽略", "缺少商品编码", SNOOZE_USAGE),
    ("预警 忽略 A001 0天", "忽略的天数写成 1 到 90 之间，如 7天", SNOOZE_USAGE),
    ("预警 忽略 A001 91天", "忽略的天数写成 1 到 90 之间，如 7天", SNOOZE_USAGE),
    ("预警 忽略 A001 一周", "忽略的天数写成 1 到 90 之间，如 7天", SNOOZE_USAGE),
    ("设置 预警 天气 晴", "「天气」不是预警设置，可设：日报 免打扰 日均 应付 临期", SETTINGS_USAGE),
    ("设置 预警 日报", "「日报」后面缺少内容", SETTINGS_USAGE),
    ("设置 预警 日报 25:00", "时间「25:00」看不懂，写成 21:00", SETTINGS_USAGE),
    ("设置 预警 日报 21:60", "时间「21:60」看不懂，写成 21:00", SETTINGS_USAGE),
    ("设置 预警 日报 晚上", "时间「晚上」看不懂，写成 21:00", SETTINGS_USAGE),
    ("设置 预警 日报 21:00 日报 22:00", "「日报」写了两次", SETTINGS_USAGE),
    ("设置 预警 免打扰 22:00", "免打扰写成 22:00-08:00（或 关闭），不是「22:00」", SETTINGS_USAGE),
    ("设置 预警 免打扰 8:00-8:00", "免打扰的开始和结束不能相同", SETTINGS_USAGE),
    ("设置 预警 日均 0天", "「日均」的天数写成 1 到 365 之间，如 7天", SETTINGS_USAGE),
    ("设置 预警 临期 999天", "「临期」的天数写成 1 到 365 之间，如 7天", SETTINGS_USAGE),
]


@pytest.mark.parametrize(("text", "reason", "usage"), REFUSED)
def test_alert_refusals_give_the_exact_reason_and_usage(text: str, reason: str, usage: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text, TODAY)
    assert (caught.value.reason, caught.value.usage) == (reason, usage)


def test_the_usages_of_the_refusals_are_the_ones_help_shows() -> None:
    assert VERBS_BY_NAME["订阅"].usage == SUBSCRIBE_USAGE
    assert VERBS_BY_NAME["退订"].usage == UNSUBSCRIBE_USAGE
    assert VERBS_BY_NAME["预警"].usage == ALERTS_USAGE
    assert all(VERBS_BY_NAME[name].available for name in ("订阅", "退订", "预警"))
    assert "设置 预警 日报 21:00 免打扰 22:00-08:00" in VERBS_BY_NAME["设置"].examples


@pytest.mark.parametrize(
    ("text", "expected"),
    [("订阅预警 库存", True), ("预警检查", True), ("退订 应收", True), ("预警一下吧", False), ("订阅了吗", False)],
)
def test_group_messages_of_the_alert_verbs_are_told_from_chatter(text: str, expected: bool) -> None:
    assert looks_like_command(text) is expected
