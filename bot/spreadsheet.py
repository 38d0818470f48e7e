"""Reading an uploaded sheet (.xlsx or .csv) into rows of text, refusing hostile files.

Every check runs before the parser sees the content: the size, the zip's entries and their
uncompressed sizes and ratios (a zip bomb), XML entity tricks (openpyxl parses with defusedxml
when it is installed, which it is, and a DTD is refused outright), and a row cap.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
from openpyxl.xml import DEFUSEDXML

MAX_ROWS = 5_000  # a shop's catalogue; more is another kind of job
MAX_COLUMNS = 40
MAX_CELL = 200
MAX_UNCOMPRESSED = 30 * 1024 * 1024
MAX_RATIO = 100  # uncompressed ÷ compressed, per zip member (XML compresses ~10×)
MAX_ZIP_ENTRIES = 200

assert DEFUSEDXML, "defusedxml must be installed: openpyxl then refuses XML entity tricks"


class SpreadsheetRefused(Exception):
    """The file is not a sheet we will read; ``reason`` is one Chinese line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        # Excel keeps numbers as doubles: the shortest repr is the number the user typed.
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()[:MAX_CELL]


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise SpreadsheetRefused("文件损坏，不是有效的 .xlsx") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise SpreadsheetRefused(f"文件里有 {len(entries)} 个部件，不像正常的表格")
        total = 0
        for entry in entries:
            total += entry.file_size
            if entry.file_size > MAX_RATIO * max(entry.compress_size, 1) and entry.file_size > 1024 * 1024:
                raise SpreadsheetRefused("文件解压后异常巨大（疑似压缩炸弹），已拒绝")
        if total > MAX_UNCOMPRESSED:
            raise SpreadsheetRefused(f"文件解压后有 {total // 1024 // 1024} MB，超过 {MAX_UNCOMPRESSED // 1024 // 1024} MB")
        names = {entry.filename for entry in entries}
        if "xl/workbook.xml" not in names:
            raise SpreadsheetRefused("这个压缩包不是 Excel 表格（.xlsx）")
        for entry in entries:
            if entry.filename.endswith((".xml", ".rels")):
                head = archive.read(entry)[:4096]
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise SpreadsheetRefused("表格里有 XML 实体定义（可能是恶意文件），已拒绝")


def _xlsx_rows(data: bytes) -> list[tuple[str, ...]]:
    _check_zip(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - any parse failure of an upload is a refusal
        raise SpreadsheetRefused(f"表格读不出来（{type(error).__name__}）") from None
    try:
        sheet = workbook.worksheets[0]
        rows: list[tuple[str, ...]] = []
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            rows.append(tuple(_text(value) for value in row))
            if len(rows) > MAX_ROWS + 1:
                raise SpreadsheetRefused(f"超过 {MAX_ROWS:,} 行，请分成几个文件导入")
    except SpreadsheetRefused:
        raise
    except Exception as error:  # noqa: BLE001
        raise SpreadsheetRefused(f"表格读不出来（{type(error).__name__}）") from None
    finally:
        workbook.close()
    return _trim(rows)


def _csv_rows(data: bytes) -> list[tuple[str, ...]]:
    if b"\x00" in data[:4096]:
        raise SpreadsheetRefused("不是 Excel（.xlsx）或 CSV 文件")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost any bytes
        raise SpreadsheetRefused("CSV 的编码看不懂，请另存为 UTF-8")
    rows: list[tuple[str, ...]] = []
    try:
        for row in csv.reader(io.StringIO(text)):
            rows.append(tuple(cell.strip()[:MAX_CELL] for cell in row[:MAX_COLUMNS]))
            if len(rows) > MAX_ROWS + 1:
                raise SpreadsheetRefused(f"超过 {MAX_ROWS:,} 行，请分成几个文件导入")
    except csv.Error:
        raise SpreadsheetRefused("CSV 格式不对") from None
    return _trim(rows)


def _trim(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise SpreadsheetRefused("表格是空的")
    return rows


def read_rows(data: bytes, filename: str, max_bytes: int) -> list[tuple[str, ...]]:
    """The first sheet's rows as text cells (header first).

    Raises:
        SpreadsheetRefused: not a sheet, too big, a zip bomb, XML entities, too many rows.
    """
    if len(data) > max_bytes:
        raise SpreadsheetRefused(f"文件 {len(data) / 1024 / 1024:.1f} MB，超过 {max_bytes // 1024 // 1024} MB 上限")
    name = filename.lower()
    if data[:4] == b"PK\x03\x04":
        return _xlsx_rows(data)
    if name.endswith((".xls", ".et")) or data[:4] == b"\xd0\xcf\x11\xe0":
        raise SpreadsheetRefused("不支持旧版 .xls，请在 Excel/WPS 里另存为 .xlsx")
    if name.endswith((".csv", ".txt")):
        return _csv_rows(data)
    raise SpreadsheetRefused("不是 Excel（.xlsx）或 CSV 文件")
