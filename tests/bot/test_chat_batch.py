"""Multi-line batches through the dispatcher, on SQLite and PostgreSQL: the preview books
nothing, 确认 books every line in one transaction, and one bad line books nothing at all."""

from __future__ import annotations

import pytest

from bot.app import Runtime
from tests.bot.chatkit import (
    Person,
    assert_books_ok,
    changed_tables,
    join,
    make_runtime,
    movement_numbers,
    ok,
    press,
    private,
    say,
    snapshot,
)


@pytest.fixture
def runtime(database_url: str) -> Runtime:
    runtime = make_runtime(database_url)
    for code, name in (("A001", "可口可乐"), ("A002", "雪碧"), ("A003", "芬达")):
        ok(say(runtime, private(f"商品 新增 {code} {name} 单位 罐 进价 2.5")))
    ok(say(runtime, private("入库 A003 10")))
    return runtime


def _confirm_data(reply) -> str:  # type: ignore[no-untyped-def]
    (confirm, _cancel), = reply.buttons
    assert confirm.data.startswith("cf:")
    return confirm.data


def test_a_batch_under_one_verb_is_previewed_then_booked_in_one_go(runtime: Runtime) -> None:
    before = snapshot(runtime.engine)
    reply = say(runtime, private("入库\nA001 50\nA002 30 单价 3.1\nA003 12"))
    assert reply.html.startswith("📋 批量登记 3 行"), reply.html
    assert "2. 入库 50 罐 · <b>A001</b> 可口可乐 → 结存 50" in reply.html
    assert "4. 入库 12 罐 · <b>A003</b> 芬达 → 结存 22" in reply.html
    # The preview wrote nothing but the pending confirmation.
    assert changed_tables(before, snapshot(runtime.engine)) == {"confirmation"}
    done = press(runtime, private(""), _confirm_data(reply))
    assert done.html.startswith("✅ 批量登记完成：3 行"), done.html
    assert len(movement_numbers(runtime, 1)) == 4  # the set-up receipt and three new ones
    stock = say(runtime, private("库存 A003"))
    assert "22" in stock.html
    assert_books_ok(runtime)


def test_one_bad_line_books_nothing_and_names_the_line(runtime: Runtime) -> None:
    before = snapshot(runtime.engine)
    reply = say(runtime, private("出库\nA003 5\nA009 2\nA001 x"))
    assert reply.html.startswith("❌ 批量中有 2 行不能登记"), reply.html
    assert "第 3 行 <code>A009 2</code>：未找到商品 A009" in reply.html
    assert "第 4 行 <code>A001 x</code>：数量「x」看不懂" in reply.html
    assert "1. " not in reply.html and "2. 出库 5 罐" in reply.html
    assert reply.buttons == []
    assert snapshot(runtime.engine) == before


def test_a_line_refused_at_booking_rolls_back_the_lines_before_it(runtime: Runtime) -> None:
    reply = say(runtime, private("出库 A003 6\n出库 A003 4"))
    data = _confirm_data(reply)
    ok(say(runtime, private("出库 A003 3")))  # the stock moves between preview and 确认
    before = snapshot(runtime.engine)
    refused = press(runtime, private(""), data)
    assert refused.html.startswith("❌ 第 2 行 <code>出库 A003 4</code> 不能登记"), refused.html
    assert "整批都没有登记" in refused.html
    # The button stays usable (its transaction rolled back) and nothing else changed.
    assert snapshot(runtime.engine) == before
    assert_books_ok(runtime)


def test_every_line_a_full_command_mixes_verbs(runtime: Runtime) -> None:
    reply = say(runtime, private("商品 新增 B001 百事可乐 单位 瓶\n入库 B001 24 单价 2\n报损 A003 1 原因 破损"))
    assert reply.html.startswith("📋 批量登记 3 行"), reply.html
    assert "新增商品 <b>B001</b> 百事可乐（瓶）" in reply.html
    done = press(runtime, private(""), _confirm_data(reply))
    assert done.html.startswith("✅ 批量登记完成：3 行"), done.html
    assert "24" in say(runtime, private("库存 B001")).html
    assert_books_ok(runtime)


def test_queries_are_not_allowed_in_a_batch(runtime: Runtime) -> None:
    before = snapshot(runtime.engine)
    reply = say(runtime, private("入库 A001 5\n库存 A001"))
    assert "第 2 行 <code>库存 A001</code>：批量只能写" in reply.html
    assert snapshot(runtime.engine) == before


def test_a_viewer_cannot_book_a_batch(runtime: Runtime) -> None:
    viewer = Person(5005, "小看")
    join(runtime, "只读", viewer)
    before = snapshot(runtime.engine)
    reply = say(runtime, private("入库\nA001 5\nA002 5", viewer))
    assert reply.html.startswith("🔒 你的角色「只读」不能入库"), reply.html
    assert snapshot(runtime.engine) == before
