"""Finding products without codes: name fragments, pinyin initials and full pinyin, barcode
digits; one match books and names the product, several ask with buttons, and the pick is
remembered for that user's next entry."""

from __future__ import annotations

import pytest

from bot.app import Runtime
from tests.bot.chatkit import Person, join, ok, press, private, say, snapshot


@pytest.fixture
def runtime(database_url: str) -> Runtime:
    from tests.bot.chatkit import make_runtime

    runtime = make_runtime(database_url)
    ok(say(runtime, private("商品 新增 A001 可口可乐 规格 330ml 单位 罐 条码 6901234567892")))
    ok(say(runtime, private("商品 新增 A002 百事可乐 单位 罐")))
    ok(say(runtime, private("商品 新增 B001 康师傅冰红茶 单位 瓶")))
    return runtime


@pytest.mark.parametrize("query", ["kkl", "KEKOU", "可口", "6901234567892"])
def test_a_unique_match_books_and_the_reply_names_the_product(runtime: Runtime, query: str) -> None:
    reply = say(runtime, private(f"入库 {query} 5"))
    assert reply.html.startswith("✅ 入库 5 罐 · <b>A001</b> 可口可乐"), reply.html


def test_an_ambiguous_name_asks_with_buttons_and_books_nothing(runtime: Runtime) -> None:
    before = snapshot(runtime.engine)
    reply = say(runtime, private("入库 可乐 5"))
    assert reply.html.startswith("🔎 「可乐」对应 2 个商品，请选一个："), reply.html
    assert [row[0].text for row in reply.buttons] == ["A001 可口可乐", "A002 百事可乐"]
    assert snapshot(runtime.engine) == before
    done = press(runtime, private(""), reply.buttons[1][0].data)
    assert done.html.startswith("✅ 入库 5 罐 · <b>A002</b> 百事可乐"), done.html
    # Remembered for this user: the same words book the same product without a question.
    again = say(runtime, private("出库 可乐 2"))
    assert again.html.startswith("✅ 出库 2 罐 · <b>A002</b> 百事可乐"), again.html


def test_someone_elses_pick_is_not_theirs_to_press(runtime: Runtime) -> None:
    keeper = Person(3003, "仓管甲")
    join(runtime, "仓管", keeper)
    reply = say(runtime, private("入库 kl 5"))
    refused = runtime.dispatcher.handle_button(private("", keeper), reply.buttons[0][0].data)
    assert refused is not None and refused.alert
    # The keeper's own 入库 可乐 still asks: picks are per user.
    assert say(runtime, private("入库 kl 5", keeper)).html.startswith("🔎")


def test_a_query_that_matches_nothing_is_refused_and_changes_nothing(runtime: Runtime) -> None:
    before = snapshot(runtime.engine)
    reply = say(runtime, private("入库 雪碧 5"))
    assert reply.html.startswith("❌ 未找到商品 雪碧"), reply.html
    assert snapshot(runtime.engine) == before


def test_an_exact_code_wins_over_pinyin(runtime: Runtime) -> None:
    ok(say(runtime, private("商品 新增 KKL 卡卡乐 单位 个")))
    assert say(runtime, private("入库 kkl 1")).html.startswith("✅ 入库 1 个 · <b>KKL</b> 卡卡乐")
