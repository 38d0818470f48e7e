"""Multi-line messages read as one batch: header verbs, full-command lines, refused lines kept
with their reason, the confirmed form, and ``parse ∘ to_text`` staying the identity."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.parsing import BATCH_USAGE, MAX_BATCH_LINES, ParseError, parse, to_text
from domain import commands as c

TODAY = date(2026, 11, 22)


def test_a_header_verb_applies_to_the_lines_below_it() -> None:
    batch = parse("入库\nA001 50\nA002 30 单价 3.1\n\nA003 12", TODAY)
    assert isinstance(batch, c.RunBatch) and not batch.confirmed
    assert [line.number for line in batch.lines] == [1, 2, 3, 4]
    assert batch.lines[0].header
    assert batch.lines[2].command == c.ReceiveStock("A002", Decimal(30), unit_price=Decimal("3.10"))
    assert [line.command.code for line in batch.commands] == ["A001", "A002", "A003"]  # type: ignore[attr-defined]


def test_a_later_header_switches_the_verb_and_full_lines_keep_their_own() -> None:
    batch = parse("入库\nA001 5\n出库\nA001 2\n报损 A002 1 原因 破损\n盘点\nA003 48", TODAY)
    kinds = [type(line.command).__name__ for line in batch.lines if line.command]
    assert kinds == ["ReceiveStock", "IssueStock", "ScrapStock", "CountStock"]


def test_product_headers_add_products() -> None:
    batch = parse("商品 新增\nA001 可口可乐 单位 罐\nA002 雪碧", TODAY)
    assert [line.command for line in batch.commands] == [
        c.AddProduct("A001", "可口可乐", (("unit", "罐"),)),
        c.AddProduct("A002", "雪碧"),
    ]


@pytest.mark.parametrize(
    ("text", "number", "reason"),
    [
        ("入库\nA001 50\nA002", 3, "缺少数量"),
        ("A001 50\n出库 A002 30", 1, "没有命令词"),
        ("入库 A001 5\n库存 A001", 2, "批量只能写"),
        ("入库 A001 5\n盘点 开始", 2, "批量只能写"),
        ("入库 A001 5\n商品 修改 A001 售价 3", 2, "批量只能写"),
        ("入库 A001 5\n随便说说", 2, "没有命令词"),
    ],
)
def test_a_line_that_cannot_be_read_keeps_its_number_and_reason(text: str, number: int, reason: str) -> None:
    batch = parse(text, TODAY)
    (bad,) = batch.errors
    assert bad.number == number and reason in bad.error and bad.command is None
    assert "\n" not in bad.error


def test_too_many_lines_are_refused_whole() -> None:
    text = "入库\n" + "\n".join(f"A{n:03d} 1" for n in range(MAX_BATCH_LINES))
    with pytest.raises(ParseError, match="最多") as raised:
        parse(text, TODAY)
    assert raised.value.usage == BATCH_USAGE


def test_a_last_line_confirm_marks_the_batch_confirmed_and_writes_back() -> None:
    batch = parse("入库\nA001 50\n确认", TODAY)
    assert batch.confirmed and len(batch.commands) == 1
    assert to_text(batch) == "入库\nA001 50\n确认"


_LINES = st.sampled_from(
    ["A001 5", "入库 A002 3 单价 2.5", "出库 B9 1罐", "报损 A001 1 原因 破损", "调拨 A001 2 主仓→二仓", "盘点 A005 0", "X 1", "库存", "A001"]
)


@given(header=st.sampled_from(["", "入库", "出库", "盘点"]), lines=st.lists(_LINES, min_size=2, max_size=8), confirmed=st.booleans())
def test_to_text_writes_a_batch_back_to_the_same_batch(header: str, lines: list[str], confirmed: bool) -> None:
    text = "\n".join(([header] if header else []) + lines + (["确认"] if confirmed else []))
    try:
        batch = parse(text, TODAY)
    except ParseError:
        return  # only the all-header message is refused whole
    assert parse(to_text(batch), TODAY) == batch
