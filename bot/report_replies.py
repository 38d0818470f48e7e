"""Charts and spreadsheets as replies: fetch the figures (domain), draw or write them (bot),
caption them from a template. Runs in the dispatcher's worker thread, off the event loop."""

from __future__ import annotations

from dataclasses import dataclass

from bot import charts, exports
from bot.attachments import DOCUMENT, PHOTO, Attachment
from bot.rendering import Renderer
from domain import commands as c
from domain import document_services, reports
from domain.documents import Ledger
from domain.money import ZERO
from domain.ports import UnitOfWork
from domain.services import Context


@dataclass(frozen=True, slots=True)
class FileReply:
    """The caption's HTML and the file (None: the caption says why there is none)."""

    caption: str
    attachment: Attachment | None


def _span(period) -> str:  # type: ignore[no-untyped-def]
    return f"{period.begin:%Y%m%d}-{period.end_inclusive:%Y%m%d}"


def chart(renderer: Renderer, uow: UnitOfWork, ctx: Context, cmd: c.DrawChart, *, show_cost: bool, cost_hidden: bool) -> FileReply:
    """Draw the chart a `图表 …` command asks for."""
    period = cmd.period
    caption = lambda name, **values: renderer.render(  # noqa: E731
        f"report/chart_{name}.html", period=period, show_cost=show_cost, cost_hidden=cost_hidden, **values
    )
    match cmd.subject:
        case "销售趋势":
            lines = reports.sales_trend(uow, ctx, period)
            total = reports.sum_sales(lines)
            title = f"销售趋势 · {period.label or _span(period)}"
            png = charts.sales_trend(lines, title, show_profit=show_cost)
            return FileReply(caption("trend", total=total), Attachment(png, f"销售趋势_{_span(period)}.png", PHOTO))
        case "排行":
            result = reports.rank_sales(uow, ctx, c.RankSales(period, "金额"))
            title = f"销售排行（金额）· {period.label or _span(period)}"
            png = charts.ranking(result, title, show_profit=show_cost)
            return FileReply(caption("ranking", result=result), Attachment(png, f"销售排行_{_span(period)}.png", PHOTO))
        case "库存":
            values = reports.stock_by_category(uow, ctx)
            title = "库存金额（按分类）" if show_cost else "有库存的商品数（按分类）"
            png = charts.stock_by_category(values, title, show_value=show_cost)
            return FileReply(caption("stock", values=values), Attachment(png, "库存分类.png", PHOTO))
        case "账龄":
            receivable, payable = reports.aging_now(uow, ctx)  # needs MONEY
            if not show_cost:  # money owed shows where cost may: not in an open group
                return FileReply(caption("aging", receivable=receivable, payable=payable), None)
            png = charts.aging(receivable, payable, f"应收、应付账龄 · 截至 {ctx.today:%Y-%m-%d}")
            return FileReply(
                caption("aging", receivable=receivable, payable=payable),
                Attachment(png, f"账龄_{ctx.today:%Y%m%d}.png", PHOTO),
            )
    level = reports.stock_levels(uow, ctx, cmd.subject, period)
    title = f"{level.product.code} {level.product.name} 库存走势"
    png = charts.stock_level(level, title)
    lowest = min(level.levels, default=ZERO)
    return FileReply(
        caption("product", level=level, lowest=lowest),
        Attachment(png, f"库存走势_{level.product.code}_{_span(period)}.png", PHOTO),
    )


def export(
    renderer: Renderer, uow: UnitOfWork, ctx: Context, cmd: c.ExportReport, *, show_cost: bool, cost_hidden: bool, kind_labels: dict  # type: ignore[type-arg]
) -> FileReply:
    """Write the workbook an `导出 …` command asks for."""
    period, subject = cmd.period, cmd.subject
    rows: int
    sheets: list[exports.Sheet]
    truncated = False
    if subject == "模板":
        sheets, rows = exports.product_template(), 0
        filename = "商品导入模板.xlsx"
    elif subject in ("报表", "进销存", "销售", "客户", "每日", "采购"):
        books = reports.books(uow, ctx, period, reports.SECTIONS if subject == "报表" else (subject,))
        every = exports.books_sheets(books, show_cost=show_cost)
        index = {"进销存": 0, "销售": 1, "客户": 2, "每日": 3, "采购": 4}
        sheets = every if subject == "报表" else [every[index[subject]]]
        if subject == "采购":
            sheets.append(every[5])  # 供应商表现: on-time and QC pass rates
        sizes = [len(books.flows), len(books.by_product), len(books.by_customer), len(books.by_day), len(books.purchases)]
        rows = sum(sizes) if subject == "报表" else sizes[index[subject]]
        filename = f"{subject}_{_span(period)}.xlsx"
    elif subject == "排行":
        result = reports.rank_sales(uow, ctx, c.RankSales(period, "金额"))
        sheets, rows = [exports.ranking_sheet(result, show_cost=show_cost)], len(result.lines)
        filename = f"销售排行_{_span(period)}.xlsx"
    elif subject == "滞销":
        days = period.days
        with uow:
            lines = reports.unsold_lines(uow, ctx, days)
        sheets, rows = [exports.unsold_sheet(lines, show_cost=show_cost)], len(lines)
        filename = f"滞销_{days}天.xlsx"
    elif subject == "周转":
        with uow:
            products, categories, _ = reports.turnover_lines(uow, ctx, period)
        sheets, rows = exports.turnover_sheets(products, categories), len(products)
        filename = f"周转_{_span(period)}.xlsx"
    elif subject in ("应收", "应付"):
        items = reports.owed_items(uow, ctx, Ledger(subject))  # needs MONEY
        if not show_cost:
            return _money_withheld(renderer, cmd, cost_hidden)
        sheets, rows = exports.open_items_sheets(subject, items, ctx.today), len(items)
        filename = f"{subject}_{ctx.today:%Y%m%d}.xlsx"
    elif subject == "对账单":
        reports.require_money(ctx)
        statement = document_services.show_statement(uow, ctx, c.ShowStatement(cmd.partner or "", period))
        if not show_cost:
            return _money_withheld(renderer, cmd, cost_hidden)
        sheets, rows = [exports.statement_sheet(statement)], len(statement.lines)
        filename = f"对账单_{statement.partner.name}_{_span(period)}.xlsx"
    else:  # 流水
        ledger = reports.ledger_rows(uow, ctx, period, cmd.code)
        with uow:
            names = {w.id: w.name for w in uow.stock.warehouses()}
        sheets = [exports.ledger_sheet(ledger, kind_labels, names, show_cost=show_cost)]
        rows, truncated = len(ledger.rows), ledger.truncated
        filename = f"流水_{cmd.code + '_' if cmd.code else ''}{_span(period)}.xlsx"
    data = exports.workbook(sheets, ctx.tz)
    caption = renderer.render(
        "report/exported.html",
        command=cmd,
        period=period,
        rows=rows,
        filename=filename,
        truncated=truncated,
        show_cost=show_cost,
        cost_hidden=cost_hidden,
    )
    return FileReply(caption, Attachment(data, filename, DOCUMENT))


def _money_withheld(renderer: Renderer, cmd: c.ExportReport, cost_hidden: bool) -> FileReply:
    """What is owed goes only where cost may show: not into an open group."""
    return FileReply(renderer.render("report/money_withheld.html", command=cmd, cost_hidden=cost_hidden), None)
