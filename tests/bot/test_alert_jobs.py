"""How the alert jobs render what they send: one alert with its buttons, several combined and
kept under Telegram's limit, callback data within 64 bytes; and which failures end a chat."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, TimedOut

from bot.alert_jobs import _gone, render_message
from bot.rendering import MAX_REPLY_LENGTH, Renderer, to_plain
from domain.alerts import DailyDigest, LowStock, OutboxEntry, OverStock, ReceivablesOverdue

D = Decimal
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)
RENDERER = Renderer(ZoneInfo("Asia/Shanghai"))
LOW = LowStock("A001", "可口可乐", "罐", D(8), D(20), D("2.29"), 7, D("3.5"), D(60))


def entry(alert, show_money: bool = True) -> OutboxEntry:  # type: ignore[no-untyped-def]
    return OutboxEntry(-100123, alert, "p", NOW, NOW, show_money)


def data(markup) -> list[list[tuple[str, str]]]:  # type: ignore[no-untyped-def]
    return [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]


def test_a_single_low_stock_alert_carries_its_two_buttons() -> None:
    text, markup = render_message(RENDERER, [entry(LOW)])
    assert to_plain(text) == "⚠️ A001 可口可乐 库存 8 罐，低于安全库存 20（近7天日均销量 2.29，约 3.5 天售罄）"
    assert data(markup) == [[("生成采购单", "al:po:A001:60"), ("忽略 7 天", "al:snz:A001")]]


def test_over_stock_can_be_ignored_and_an_overdue_customer_gets_a_statement_button() -> None:
    _, over = render_message(RENDERER, [entry(OverStock("A001", "可口可乐", "罐", D(130), D(100)))])
    assert data(over) == [[("忽略 7 天", "al:snz:A001")]]
    overdue = ReceivablesOverdue("张三超市", 42, D("3200.00"), 12, ())
    _, statement = render_message(RENDERER, [entry(overdue)])
    assert data(statement) == [[("发送对账单", "al:stm:42")]]
    digest = DailyDigest(date(2026, 11, 22), D(0), D(0), D(0), 0, 0, D(0), 0, None, None)
    assert render_message(RENDERER, [entry(digest)])[1] is None


def test_the_longest_codes_and_quantities_fit_telegrams_64_bytes_of_callback_data() -> None:
    longest = LowStock("X" * 32, "长" * 60, "单" * 8, D(0), D("10000000"), D(0), 7, None, D("10000000"))
    _, markup = render_message(RENDERER, [entry(longest)])
    assert all(len(data.encode()) <= 64 for row in markup.inline_keyboard for data in [b.callback_data for b in row])


def test_many_alerts_become_one_message_under_the_limit_that_names_the_rest() -> None:
    many = [entry(LowStock(f"{'X' * 28}{n:04d}", "长" * 60, "罐", D(1), D(20), D(0), 7, None, D(19))) for n in range(80)]
    text, markup = render_message(RENDERER, many)
    plain = to_plain(text)
    assert len(plain) <= MAX_REPLY_LENGTH
    assert plain.startswith("🔔 预警 80 条") and "…还有" in plain
    # The buttons of the first alerts only, each naming its product.
    assert len(markup.inline_keyboard) == 8
    assert data(markup)[0] == [
        (f"生成采购单 {'X' * 28}0000", f"al:po:{'X' * 28}0000:19"), (f"忽略 7 天 {'X' * 28}0000", f"al:snz:{'X' * 28}0000")
    ]


def test_a_combined_message_keeps_each_alerts_buttons_named() -> None:
    overdue = ReceivablesOverdue("张三超市", 42, D("3200.00"), 12, ())
    digest = DailyDigest(date(2026, 11, 22), D(0), D(0), D(0), 0, 0, D(0), 0, None, None)
    _, markup = render_message(RENDERER, [entry(overdue), entry(digest), entry(LOW)])
    assert data(markup) == [
        [("生成采购单 A001", "al:po:A001:60"), ("忽略 7 天 A001", "al:snz:A001")],
        [("发送对账单 张三超市", "al:stm:42")],
    ]
    assert render_message(RENDERER, [entry(digest), entry(digest)])[1] is None


def test_a_combined_message_shows_money_only_if_every_row_may() -> None:
    digest = DailyDigest(date(2026, 11, 22), D("10"), D("3"), D("5"), 1, 1, D("100"), 1, None, None)
    text, _ = render_message(RENDERER, [entry(digest, show_money=False), entry(LOW)])
    assert "毛利" not in text and "库存金额" not in text
    text, _ = render_message(RENDERER, [entry(digest), entry(LOW)])
    assert "毛利 3.00 元" in text


def test_which_failures_mean_the_chat_is_gone() -> None:
    assert _gone(Forbidden("Forbidden: bot was kicked from the group chat"))
    assert _gone(Forbidden("Forbidden: bot was blocked by the user"))
    assert _gone(BadRequest("Chat not found"))
    assert _gone(ChatMigrated(-100999))
    assert not _gone(BadRequest("Message is too long"))
    assert not _gone(NetworkError("Bad Gateway")) and not _gone(TimedOut())


def test_the_alert_interval_must_be_a_sensible_number_of_seconds() -> None:
    import pytest
    from pydantic import ValidationError

    from bot.settings import Settings

    assert Settings(_env_file=None).jxc_alert_interval == 60.0
    assert Settings(jxc_alert_interval="0.5", _env_file=None).jxc_alert_interval == 0.5
    for wrong in ("0", "-1", "100000"):
        with pytest.raises(ValidationError, match="JXC_ALERT_INTERVAL"):
            Settings(jxc_alert_interval=wrong, _env_file=None)
