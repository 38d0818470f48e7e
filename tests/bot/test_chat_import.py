"""导入 through the dispatcher: a sheet is checked row by row, written in one transaction
only when every row is valid (or on 导入有效行), idempotent on re-import; hostile files are
refused with a reason and change nothing."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from bot.app import Runtime
from bot.spreadsheet import MAX_ROWS
from tests.bot.chatkit import assert_books_ok, changed_tables, make_runtime, ok, press, private, say, snapshot

LIMIT = 5 * 1024 * 1024
HEADER = ["商品编码", "名称", "规格", "单位", "进价", "售价", "安全库存", "条码"]


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def send(runtime: Runtime, data: bytes, caption: str = "导入 商品", filename: str = "商品.xlsx"):  # type: ignore[no-untyped-def]
    reply = runtime.dispatcher.handle_file(private(caption), data, filename, max_bytes=LIMIT)
    assert reply is not None
    return reply


@pytest.fixture
def runtime(database_url: str) -> Runtime:
    runtime = make_runtime(database_url)
    say(runtime, private("库存"))  # the owner's first message makes them a member
    return runtime


GOOD = [
    HEADER,
    ["A001", "可口可乐", "330ml", "罐", 2.5, 3.5, 20, "6901234567892"],
    ["A002", "雪碧", "330ml", "罐", "2.4", "3.5", "", ""],
]


def test_a_clean_sheet_is_imported_and_a_second_import_changes_nothing(runtime: Runtime) -> None:
    reply = send(runtime, xlsx(GOOD))
    assert reply.html.startswith("✅ 已导入商品：新增 2 · 修改 0 · 未改动 0"), reply.html
    card = say(runtime, private("商品 A001"))
    assert "可口可乐" in card.html and "330ml" in card.html
    before = snapshot(runtime.engine)
    again = send(runtime, xlsx(GOOD))
    assert "未改动 2" in again.html and "不会重复记账" in again.html, again.html
    assert snapshot(runtime.engine) == before


def test_lenient_headers_and_csv_in_gb18030(runtime: Runtime) -> None:
    text = "SKU,品名,计量单位,采购价,零售价\nB1,矿泉水,瓶,1,2\n"
    reply = send(runtime, text.encode("gb18030"), filename="货品.csv")
    assert reply.html.startswith("✅ 已导入商品：新增 1"), reply.html


def test_a_sheet_with_errors_writes_nothing_until_valid_rows_are_chosen(runtime: Runtime) -> None:
    rows = GOOD + [
        ["A001", "重复", "", "罐", 1, 2, "", ""],
        ["A003", "", "", "罐", 1, 2, "", ""],
        ["A004", "芬达", "", "罐", -1, 2, "", ""],
        ["A005", "冰红茶", "", "5箱", 1, 2, "", ""],
    ]
    before = snapshot(runtime.engine)
    reply = send(runtime, xlsx(rows))
    assert reply.html.startswith("⚠️ 商品表共 6 行：2 行可导入，4 行有问题。还没有导入任何内容。"), reply.html
    for line in ("第 4 行 · 商品编码：与第 2 行重复", "第 5 行 · 名称：不能为空", "第 6 行 · 进价：不能是负数", "第 7 行 · 单位："):
        assert line in reply.html, reply.html
    assert changed_tables(before, snapshot(runtime.engine)) == {"confirmation", "import_job"}
    (valid, _cancel), = reply.buttons
    assert valid.text.startswith("📥 导入有效行（2）")
    done = press(runtime, private(""), valid.data)
    assert done.html.startswith("✅ 已导入商品：新增 2"), done.html
    assert "A002" in say(runtime, private("商品 A002")).html


def test_opening_stock_and_partners_import(runtime: Runtime) -> None:
    ok(send(runtime, xlsx(GOOD)))
    reply = send(runtime, xlsx([["编码", "数量", "单价"], ["A001", 42, 2.4], ["A002", 10, ""]]), "导入 期初库存")
    assert reply.html.startswith("✅ 已导入期初库存：新增 2"), reply.html
    assert "42" in say(runtime, private("库存 A001")).html
    again = send(runtime, xlsx([["编码", "数量", "单价"], ["A001", 42, 2.4], ["A002", 10, ""]]), "导入 期初库存")
    assert "未改动 2" in again.html, again.html
    customers = send(runtime, xlsx([["客户名称", "联系人", "账期"], ["张三超市", "张三", "15天"]]), "导入 客户")
    assert customers.html.startswith("✅ 已导入客户：新增 1"), customers.html
    assert_books_ok(runtime)


def _refused(runtime: Runtime, data: bytes, filename: str, reason: str) -> None:
    before = snapshot(runtime.engine)
    reply = send(runtime, data, filename=filename)
    assert reply.html.startswith("❌ 没有导入："), reply.html
    assert reason in reply.html, reply.html
    assert snapshot(runtime.engine) == before


def test_a_file_that_is_no_spreadsheet_is_refused(runtime: Runtime) -> None:
    _refused(runtime, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "photo.png", "不是 Excel")


def test_a_file_over_the_size_limit_is_refused(runtime: Runtime) -> None:
    _refused(runtime, b"a,b\n" * (LIMIT // 4 + 10), "big.csv", "超过 5 MB")


def test_a_zip_bomb_is_refused_before_parsing(runtime: Runtime) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (200 * 1024 * 1024))
    _refused(runtime, buffer.getvalue(), "bomb.xlsx", "压缩炸弹")


def test_xml_entity_tricks_are_refused(runtime: Runtime) -> None:
    data = xlsx(GOOD)
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                # A "billion laughs" prologue: entities that expand to entities.
                body = content.split(b"?>", 1)[-1]
                content = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + body
            archive.writestr(item, content)
    _refused(runtime, buffer.getvalue(), "entities.xlsx", "XML 实体")


def test_a_hundred_thousand_rows_are_refused(runtime: Runtime) -> None:
    text = "编码,名称\n" + "".join(f"X{n},品{n}\n" for n in range(100_000))
    assert 100_000 > MAX_ROWS
    _refused(runtime, text.encode(), "many.csv", "超过 5,000 行")


def test_a_caption_without_a_file_asks_for_the_file(runtime: Runtime) -> None:
    reply = say(runtime, private("导入 商品"))
    assert reply.html.startswith("📎 请把 Excel 或 CSV 文件发给我"), reply.html
