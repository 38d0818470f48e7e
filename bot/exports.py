"""Excel workbooks (.xlsx, openpyxl) from report results: Chinese headers, number formats for
money and quantities, a frozen header row, column widths, a totals row.

Written in openpyxl's write-only mode (streamed, fast for 20 000 ledger rows). Text cells are
forced to be strings: openpyxl would otherwise take a product named ``=1+1`` for a formula.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from domain.documents import AGING_BUCKETS, OpenItem, StatementLine, aging_bucket
from domain.document_services import Statement
from domain.reports import (
    Books,
    SupplierQuality,
    FlowLine,
    LedgerRows,
    PurchaseLine,
    Ranking,
    SalesLine,
    TurnoverLine,
    UnsoldLine,
)

MONEY_FORMAT = "#,##0.00"
QUANTITY_FORMAT = "#,##0.###"
PRICE_FORMAT = "#,##0.00##"
PERCENT_FORMAT = "0.0%"
DAYS_FORMAT = "#,##0.0"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

# The product import template: another command (导入 商品) reads these headers, in any order.
PRODUCT_TEMPLATE_HEADERS = ("商品编码", "名称", "规格", "单位", "分类", "进价", "售价", "安全库存", "最高库存", "条码", "包装")
PRODUCT_TEMPLATE_NOTES = (
    ("商品编码", "必填；字母、数字和 . _ -，最多 32 位，如 A001"),
    ("名称", "必填；最多 60 字"),
    ("规格", "选填，如 330ml"),
    ("单位", "选填，默认 件，如 罐、箱、kg"),
    ("分类", "选填，如 饮料"),
    ("进价", "选填，元，最多两位小数"),
    ("售价", "选填，元，最多两位小数"),
    ("安全库存", "选填，低于它时预警"),
    ("最高库存", "选填"),
    ("条码", "选填，如 6901234567890"),
    ("包装", "选填，如 箱=24;包=6"),
)

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="2F6DB5")
_TOTAL_FONT = Font(bold=True)
_TOTAL_FILL = PatternFill("solid", fgColor="E8EEF7")


@dataclass(frozen=True, slots=True)
class Column:
    """A column: header, how to read a row, its format ("text", "money", "quantity", "price",
    "percent", "days", "date", "datetime"), its width, and whether the totals row sums it."""

    header: str
    value: Callable[[object], object]
    kind: str = "text"
    width: float = 12
    total: bool = False


_FORMATS = {
    "money": MONEY_FORMAT,
    "quantity": QUANTITY_FORMAT,
    "price": PRICE_FORMAT,
    "percent": PERCENT_FORMAT,
    "days": DAYS_FORMAT,
    "date": DATE_FORMAT,
    "datetime": DATETIME_FORMAT,
}


@dataclass(frozen=True, slots=True)
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[object]
    totals: bool = True
    note: str = ""  # a line under the table (what was left out and why)


def workbook(sheets: Sequence[Sheet], tz: ZoneInfo) -> bytes:
    """The .xlsx file of these sheets."""
    book = Workbook(write_only=True)
    for sheet in sheets:
        _write(book, sheet, tz)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write(book: Workbook, sheet: Sheet, tz: ZoneInfo) -> None:
    ws = book.create_sheet(sheet.title[:31])
    ws.freeze_panes = "A2"
    for index, column in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    header = []
    for column in sheet.columns:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        header.append(cell)
    ws.append(header)
    # One styled prototype per format: copying its style is far cheaper than setting a format
    # on every cell (a 10 000-row sheet has 120 000 cells).
    styles = {kind: _prototype(ws, kind).style_array for kind in _FORMATS}
    kinds = [column.kind for column in sheet.columns]
    sums: list[Decimal] = [Decimal(0)] * len(sheet.columns)
    summed = [index for index, column in enumerate(sheet.columns) if column.total]
    count = 0
    for row in sheet.rows:
        count += 1
        values = [column.value(row) for column in sheet.columns]
        for index in summed:
            if isinstance(values[index], Decimal):
                sums[index] += values[index]  # type: ignore[operator]
        ws.append([_fast_cell(ws, value, kind, styles, tz) for value, kind in zip(values, kinds)])
    if sheet.totals and count:
        cells = []
        for index, column in enumerate(sheet.columns):
            value: object = "合计" if index == 0 else (sums[index] if column.total else None)
            cell = _cell(ws, value, column.kind if index else "text", tz)
            cell.font, cell.fill = _TOTAL_FONT, _TOTAL_FILL
            cells.append(cell)
        ws.append(cells)
    if sheet.note:
        ws.append([])
        ws.append([_cell(ws, sheet.note, "text", tz)])


class _Prototype:
    def __init__(self, cell: WriteOnlyCell) -> None:
        self.style_array = cell._style


def _prototype(ws, kind: str) -> _Prototype:  # type: ignore[no-untyped-def]
    cell = WriteOnlyCell(ws, value=0)
    cell.number_format = _FORMATS[kind]
    return _Prototype(cell)


def _fast_cell(ws, value: object, kind: str, styles: dict, tz: ZoneInfo) -> object:  # type: ignore[no-untyped-def, type-arg]
    """A body cell: plain text as is (unless it could be read as a formula), numbers and dates
    with their column's format."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if not value.startswith("=") else _cell(ws, value, "text", tz)
    if isinstance(value, datetime):
        value = value.astimezone(tz).replace(tzinfo=None)
    style = styles.get(kind)
    if style is None:
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell._style = style
    return cell


def _cell(ws, value: object, kind: str, tz: ZoneInfo) -> WriteOnlyCell:  # type: ignore[no-untyped-def]
    if isinstance(value, datetime):
        # Excel has no time zones: write the shop's local time.
        value = value.astimezone(tz).replace(tzinfo=None)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    elif kind in _FORMATS and value is not None:
        cell.number_format = _FORMATS[kind]
    return cell


# ---- the sheets of each report ----------------------------------------------------------------


def _code(line) -> str:  # type: ignore[no-untyped-def]
    return line.product.code if line.product else line.label


def flow_sheet(lines: Sequence[FlowLine], *, show_cost: bool) -> Sheet:
    columns = [
        Column("商品编码", lambda l: l.product.code, width=12),
        Column("名称", lambda l: l.product.name, width=24),
        Column("规格", lambda l: l.product.spec, width=10),
        Column("单位", lambda l: l.product.unit, width=6),
        Column("期初数量", lambda l: l.opening_quantity, "quantity", 11, True),
        Column("期初金额", lambda l: l.opening_value, "money", 13, True),
        Column("入库数量", lambda l: l.in_quantity, "quantity", 11, True),
        Column("入库金额", lambda l: l.in_value, "money", 13, True),
        Column("出库数量", lambda l: l.out_quantity, "quantity", 11, True),
        Column("出库金额", lambda l: l.out_value, "money", 13, True),
        Column("期末数量", lambda l: l.closing_quantity, "quantity", 11, True),
        Column("期末金额", lambda l: l.closing_value, "money", 13, True),
    ]
    return Sheet("进销存", _visible(columns, show_cost), lines, note=_cost_note(show_cost))


_COST_HEADERS = {"期初金额", "入库金额", "出库金额", "期末金额", "成本", "毛利", "毛利率", "金额", "均价", "库存金额", "未定价成本"}


def _visible(columns: list[Column], show_cost: bool) -> list[Column]:
    return columns if show_cost else [c for c in columns if c.header not in _COST_HEADERS]


def _cost_note(show_cost: bool) -> str:
    return "" if show_cost else "成本、金额和毛利列已隐藏（需要查看成本的权限，群里需 设置 本群 可见 成本）"


def _margin(line: SalesLine) -> Decimal | None:
    return line.margin / 100 if line.margin is not None else None


def _sales_columns(first: list[Column]) -> list[Column]:
    return first + [
        Column("数量", lambda l: l.quantity, "quantity", 11, True),
        Column("销售额", lambda l: l.revenue, "money", 13, True),
        Column("成本", lambda l: l.cost, "money", 13, True),
        Column("毛利", lambda l: l.profit, "money", 13, True),
        Column("毛利率", _margin, "percent", 9),
        Column("未定价数量", lambda l: l.unpriced_quantity, "quantity", 11, True),
    ]


def sales_sheet(title: str, lines: Sequence[SalesLine], by: str, *, show_cost: bool) -> Sheet:
    if by == "product":
        first = [
            Column("商品编码", _code, width=12),
            Column("名称", lambda l: l.product.name if l.product else "", width=24),
            Column("单位", lambda l: l.product.unit if l.product else "", width=6),
        ]
    elif by == "customer":
        first = [Column("客户", lambda l: l.label, width=20)]
    else:
        first = [Column("日期", lambda l: l.day, "date", 12)]
    return Sheet(title, _visible(_sales_columns(first), show_cost), lines, note=_cost_note(show_cost))


def purchase_sheet(lines: Sequence[PurchaseLine], *, show_cost: bool) -> Sheet:
    columns = [
        Column("供应商", lambda l: l.supplier or "（未填供应商）", width=20),
        Column("商品编码", lambda l: l.product.code, width=12),
        Column("名称", lambda l: l.product.name, width=24),
        Column("单位", lambda l: l.product.unit, width=6),
        Column("数量", lambda l: l.quantity, "quantity", 11, True),
        Column("金额", lambda l: l.amount, "money", 13, True),
        Column("均价", lambda l: l.average_price, "price", 11),
    ]
    return Sheet("采购", _visible(columns, show_cost), lines, note=_cost_note(show_cost))


def _share(value: Decimal | None) -> Decimal | None:
    """A percentage (75.0) as the fraction Excel's percent format shows as 75.0%."""
    return value / 100 if value is not None else None


def quality_sheet(lines: Sequence[SupplierQuality]) -> Sheet:
    """供应商表现: on-time and QC pass rates (no cost in it: every reader may see it)."""
    columns = [
        Column("供应商", lambda q: q.supplier, width=20),
        Column("有交期到货次数", lambda q: q.timed, width=14),
        Column("准时次数", lambda q: q.on_time, width=10),
        Column("准时率", lambda q: _share(q.on_time_rate), "percent", 10),
        Column("到货数量", lambda q: q.arrived, "quantity", 12, True),
        Column("合格数量", lambda q: q.accepted, "quantity", 12, True),
        Column("不合格数量", lambda q: q.rejected, "quantity", 12, True),
        Column("合格率", lambda q: _share(q.pass_rate), "percent", 10),
    ]
    return Sheet("供应商表现", columns, lines, note="准时：交期当天或之前到货；没有交期的采购单不计入准时率")


def books_sheets(result: Books, *, show_cost: bool) -> list[Sheet]:
    """`导出 报表`: every section of the period's report, one sheet each."""
    return [
        flow_sheet(result.flows, show_cost=show_cost),
        sales_sheet("销售-商品", result.by_product, "product", show_cost=show_cost),
        sales_sheet("销售-客户", result.by_customer, "customer", show_cost=show_cost),
        sales_sheet("销售-每日", result.by_day, "day", show_cost=show_cost),
        purchase_sheet(result.purchases, show_cost=show_cost),
        quality_sheet(result.qualities),
    ]


def open_items_sheets(ledger: str, items: Sequence[OpenItem], today: date) -> list[Sheet]:
    """`导出 应收` / `导出 应付`: every open item with its aging, then the aging per partner."""
    partner = "客户" if ledger == "应收" else "供应商"
    columns = [
        Column(partner, lambda i: i.partner_name, width=20),
        Column("单号", lambda i: i.number, width=16),
        Column("订单", lambda i: i.order_number, width=16),
        Column("日期", lambda i: i.occurred_on, "date", 12),
        Column("到期日", lambda i: i.due_on, "date", 12),
        Column("金额", lambda i: i.amount, "money", 13, True),
        Column("未结金额", lambda i: i.open, "money", 13, True),
        Column("逾期天数", lambda i: i.days_overdue(today), width=10),
        Column("账龄", lambda i: aging_bucket(i, today), width=10),
    ]
    by_partner: dict[str, dict[str, Decimal]] = {}
    for item in items:
        row = by_partner.setdefault(item.partner_name, dict.fromkeys(AGING_BUCKETS, Decimal(0)))
        row[aging_bucket(item, today)] += item.open
    summary = [
        Column(partner, lambda r: r[0], width=20),
        *(Column(name, lambda r, name=name: r[1][name], "money", 13, True) for name in AGING_BUCKETS),
        Column("合计", lambda r: sum(r[1].values(), Decimal(0)), "money", 14, True),
    ]
    note = f"截至 {today:%Y-%m-%d}；账龄按到期日计"
    return [
        Sheet(f"{ledger}明细", columns, items, note=note),
        Sheet(f"{ledger}账龄", summary, sorted(by_partner.items()), note=note),
    ]


def statement_sheet(statement: Statement) -> Sheet:
    """`导出 对账单 @客户`: the opening balance, each document and payment, the running balance."""
    opening = StatementLine(statement.since, "", "期初余额", Decimal(0), Decimal(0), statement.opening)
    columns = [
        Column("日期", lambda l: l.occurred_on, "date", 12),
        Column("单号", lambda l: l.number, width=16),
        Column("摘要", lambda l: l.what, width=22),
        Column("增加", lambda l: l.debit, "money", 13, True),
        Column("减少", lambda l: l.credit, "money", 13, True),
        Column("余额", lambda l: l.balance, "money", 14),
    ]
    side = "应收" if statement.ledger.value == "应收" else "应付"
    note = (
        f"{statement.partner.name} {side}对账单 {statement.since:%Y-%m-%d}~{statement.until:%Y-%m-%d}："
        f"期初 {statement.opening:,.2f}，期末 {statement.closing:,.2f} 元"
    )
    return Sheet("对账单", columns, [opening, *statement.lines], note=note)


def ranking_sheet(result: Ranking, *, show_cost: bool) -> Sheet:
    ranked = list(enumerate(result.lines, start=1))
    columns = [Column("名次", lambda r: r[0], width=6)] + [
        Column(c.header, (lambda getter: lambda r: getter(r[1]))(c.value), c.kind, c.width, c.total)
        for c in _sales_columns(
            [
                Column("商品编码", _code, width=12),
                Column("名称", lambda l: l.product.name if l.product else "", width=24),
            ]
        )
    ]
    return Sheet(f"排行-{result.metric}", _visible(columns, show_cost), ranked, note=_cost_note(show_cost))


def unsold_sheet(lines: Sequence[UnsoldLine], *, show_cost: bool) -> Sheet:
    columns = [
        Column("商品编码", lambda l: l.product.code, width=12),
        Column("名称", lambda l: l.product.name, width=24),
        Column("单位", lambda l: l.product.unit, width=6),
        Column("库存", lambda l: l.quantity, "quantity", 11, True),
        Column("库存金额", lambda l: l.value, "money", 13, True),
        Column("最后销售", lambda l: l.last_sold, "date", 12),
    ]
    return Sheet("滞销", _visible(columns, show_cost), lines, note=_cost_note(show_cost))


def turnover_sheets(products: Sequence[TurnoverLine], categories: Sequence[TurnoverLine]) -> list[Sheet]:
    by_product = [
        Column("商品编码", lambda l: l.label, width=12),
        Column("名称", lambda l: l.product.name if l.product else "", width=24),
        Column("期初数量", lambda l: l.opening, "quantity", 11),
        Column("期末数量", lambda l: l.closing, "quantity", 11),
        Column("销售数量", lambda l: l.outflow, "quantity", 11, True),
        Column("周转天数", lambda l: l.turnover_days, "days", 10),
        Column("周转次数", lambda l: l.turns, "days", 10),
    ]
    by_category = [
        Column("分类", lambda l: l.label, width=16),
        Column("周转天数", lambda l: l.turnover_days, "days", 10),
        Column("周转次数", lambda l: l.turns, "days", 10),
    ]
    return [Sheet("周转-商品", by_product, products), Sheet("周转-分类", by_category, categories, totals=False)]


def ledger_sheet(rows: LedgerRows, kind_labels: dict, warehouses: dict[int, str], *, show_cost: bool) -> Sheet:  # type: ignore[type-arg]
    columns = [
        Column("日期", lambda r: r[0].occurred_at, "datetime", 17),
        Column("单号", lambda r: r[0].number, width=15),
        Column("类型", lambda r: kind_labels.get(r[0].kind, str(r[0].kind)), width=8),
        Column("商品编码", lambda r: r[1].code, width=12),
        Column("名称", lambda r: r[1].name, width=22),
        Column("仓库", lambda r: warehouses.get(r[0].warehouse_id, ""), width=8),
        Column("数量", lambda r: r[0].quantity, "quantity", 10, True),
        Column("单价", lambda r: r[0].unit_price, "price", 10),
        Column("金额", lambda r: r[0].value, "money", 12, True),
        Column("结存", lambda r: r[0].balance_quantity, "quantity", 10),
        Column("往来单位", lambda r: r[0].counterparty, width=14),
        Column("经办人", lambda r: r[0].actor_name, width=10),
        Column("备注", lambda r: r[0].note, width=24),
    ]
    if not show_cost:
        # 单价 of an issue is the selling price (anyone may see); of a receipt, the supplier's.
        columns = [c for c in columns if c.header not in ("金额",)]
        columns = [
            c if c.header != "单价" else Column("单价", lambda r: r[0].unit_price if r[0].kind == "issue" else None, "price", 10)
            for c in columns
        ]
    note = _cost_note(show_cost)
    if rows.truncated:
        note = (note + "；" if note else "") + f"只导出了前 {len(rows.rows):,} 行，请缩短时间段或指定商品"
    return Sheet("流水", columns, rows.rows, note=note)


def product_template() -> list[Sheet]:
    """`导出 模板 商品`: the headers 导入 商品 reads, and a sheet explaining each."""
    columns = [Column(header, lambda r: None, width=14 if header != "名称" else 24) for header in PRODUCT_TEMPLATE_HEADERS]
    notes = [Column("列", lambda r: r[0], width=12), Column("说明", lambda r: r[1], width=48)]
    return [Sheet("商品", columns, [], totals=False), Sheet("说明", notes, PRODUCT_TEMPLATE_NOTES, totals=False)]
