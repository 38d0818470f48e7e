"""Faster entry end to end: the real python-telegram-bot Application polling the fake Bot API
(files through getFile and the file URL), on SQLite and PostgreSQL — sheets imported with and
without errors, a hostile file, a multi-line batch with one bad line, pinyin and ambiguous
lookups, and a barcode photo drawn by the test itself."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pytest
import zxingcpp
from PIL import Image

from tests.e2e.telegram_harness import OWNER, Bot
from tests.e2e.test_telegram_access import buttons, movements

pytestmark = pytest.mark.slow

HEADER = ["商品编码", "名称", "规格", "单位", "进价", "售价", "安全库存", "条码"]


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def send_file(bot: Bot, data: bytes, name: str, caption: str) -> dict:
    before = len(bot.api.sent_messages(OWNER))
    bot.api.send_document(data, name, caption=caption)
    messages = await bot.api.await_messages(before + 1, chat_id=OWNER)
    return messages[before]


async def send_photo(bot: Bot, data: bytes, caption: str | None = None) -> dict:
    before = len(bot.api.sent_messages(OWNER))
    bot.api.send_photo(data, caption=caption)
    messages = await bot.api.await_messages(before + 1, chat_id=OWNER)
    return messages[before]


def product_count(bot: Bot) -> int:
    return bot.scalar("SELECT count(*) FROM product")


CATALOGUE = [
    HEADER,
    ["A001", "可口可乐", "330ml", "罐", 2.5, 3.5, 20, "6901234567892"],
    ["A002", "百事可乐", "330ml", "罐", 2.4, 3.5, 20, ""],
    ["B001", "康师傅冰红茶", "500ml", "瓶", 2.8, 4, 10, ""],
]


async def test_a_clean_import_then_the_same_file_again(bot: Bot):
    reply = await send_file(bot, xlsx(CATALOGUE), "商品.xlsx", "导入 商品")
    assert reply["text"].startswith("✅ 已导入商品：新增 3 · 修改 0 · 未改动 0"), reply["text"]
    assert "getFile" in {method for method, _ in bot.api.calls}
    again = await send_file(bot, xlsx(CATALOGUE), "商品.xlsx", "导入 商品")
    assert "未改动 3" in again["text"], again["text"]
    assert product_count(bot) == 3


async def test_an_import_with_errors_books_nothing_until_the_valid_rows_are_chosen(bot: Bot):
    rows = CATALOGUE + [["A001", "重复", "", "罐", 1, 2, "", ""], ["C001", "", "", "罐", -1, 2, "", ""]]
    reply = await send_file(bot, xlsx(rows), "商品.xlsx", "导入 商品")
    assert reply["text"].startswith("⚠️ 商品表共 5 行：3 行可导入，2 行有问题。还没有导入任何内容。"), reply["text"]
    assert "第 5 行 · 商品编码：与第 2 行重复" in reply["text"] and "第 6 行 · 进价：不能是负数" in reply["text"]
    assert product_count(bot) == 0
    assert [text for text, _ in buttons(reply)] == ["📥 导入有效行（3）", "✖ 取消"]
    done = await bot.press(reply, buttons(reply)[0][1])
    assert done["text"].startswith("✅ 已导入商品：新增 3"), done["text"]
    assert product_count(bot) == 3


async def test_a_hostile_file_is_refused_and_changes_nothing(bot: Bot):
    reply = await send_file(bot, b"MZ\x90\x00" + b"\x00" * 500, "商品.xlsx", "导入 商品")
    assert reply["text"].startswith("❌ 没有导入：不是 Excel（.xlsx）或 CSV 文件"), reply["text"]
    assert product_count(bot) == 0


async def test_a_batch_with_one_bad_line_books_nothing_then_the_fixed_batch_books_all(bot: Bot):
    await send_file(bot, xlsx(CATALOGUE), "商品.xlsx", "导入 商品")
    bad = await bot.say("入库\nA001 50\nA002 30 单价 3.1\nA009 12")
    assert bad["text"].startswith("❌ 批量中有 1 行不能登记"), bad["text"]
    assert "第 4 行 A009 12：未找到商品 A009" in bad["text"]
    assert buttons(bad) == [] and movements(bot) == []
    good = await bot.say("入库\nA001 50\nA002 30 单价 3.1\nB001 12")
    assert good["text"].startswith("📋 批量登记 3 行"), good["text"]
    done = await bot.press(good, buttons(good)[0][1])
    assert done["text"].startswith("✅ 批量登记完成：3 行"), done["text"]
    assert sorted(m[2] for m in movements(bot)) == [12_000, 30_000, 50_000]


async def test_pinyin_and_ambiguous_lookups(bot: Bot):
    await send_file(bot, xlsx(CATALOGUE), "商品.xlsx", "导入 商品")
    unique = await bot.say("入库 kkl 5")
    assert unique["text"].startswith("✅ 入库 5 罐 · A001 可口可乐"), unique["text"]
    full = await bot.say("入库 bingHongCha 2")
    assert full["text"].startswith("✅ 入库 2 瓶 · B001 康师傅冰红茶"), full["text"]
    ambiguous = await bot.say("入库 可乐 3")
    assert ambiguous["text"].startswith("🔎 「可乐」对应 2 个商品"), ambiguous["text"]
    assert [text for text, _ in buttons(ambiguous)] == ["A001 可口可乐", "A002 百事可乐"]
    chosen = await bot.press(ambiguous, buttons(ambiguous)[1][1])
    assert chosen["text"].startswith("✅ 入库 3 罐 · A002 百事可乐"), chosen["text"]
    assert [m[2] for m in movements(bot)] == [5_000, 2_000, 3_000]


def ean13_png(digits: str) -> bytes:
    image = Image.fromarray(np.array(zxingcpp.create_barcode(digits, zxingcpp.BarcodeFormat.EAN13).to_image(scale=4)))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


async def test_a_barcode_photo_identifies_the_product_and_a_caption_books_it(bot: Bot):
    await send_file(bot, xlsx(CATALOGUE), "商品.xlsx", "导入 商品")
    photo = ean13_png("6901234567892")
    card = await send_photo(bot, photo)
    assert card["text"].startswith("📦 A001 可口可乐 330ml"), card["text"]
    booked = await send_photo(bot, photo, caption="入库 50")
    assert booked["text"].startswith("✅ 入库 50 罐 · A001 可口可乐"), booked["text"]
    assert [m[2] for m in movements(bot)] == [50_000]
    blank = Image.new("L", (200, 100), 255)
    buffer = io.BytesIO()
    blank.save(buffer, "PNG")
    nothing = await send_photo(bot, buffer.getvalue(), caption="入库 50")
    assert nothing["text"].startswith("❌ 照片里没有找到条码"), nothing["text"]
    assert len(movements(bot)) == 1
