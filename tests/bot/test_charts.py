"""Every chart renders as a PNG with Chinese glyphs (a missing glyph fails the test), on
typical, single-day and empty data."""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from PIL import Image

from bot import charts
from domain import reports as rp
from domain.periods import Period
from domain.ports import CategoryStock
from domain.products import Product

D = Decimal
A = Product("A001", "可口可乐 330ml 罐装（整箱）", "罐", category="饮料", safety_stock=D(20), id=1)
KG = Product("K1", "散装大米", "kg", safety_stock=D("12.5"), id=2)
DAYS = [date(2026, 11, 1) + timedelta(days=i) for i in range(30)]
MONTH = Period(DAYS[0], DAYS[-1] + timedelta(days=1), "近30天")
ONE_DAY = Period(DAYS[0], DAYS[1], "今日")


def trend(days: list[date], revenue: Callable[[int], int]) -> list[rp.SalesLine]:
    return [rp.SalesLine(f"{d:%m-%d}", D(i), D(revenue(i)), D(revenue(i)) * D("0.7"), day=d) for i, d in enumerate(days)]


def ranking(n: int, metric: str = "金额") -> rp.Ranking:
    lines = [rp.SalesLine(f"A{i:03d}", D(10 * (n - i)), D(12345 * (n - i)), D(9000 * (n - i)), product=A) for i in range(n)]
    return rp.Ranking(MONTH, metric, lines, rp.sum_sales(lines))


CHARTS: dict[str, Callable[[], bytes]] = {
    "trend, 30 days": lambda: charts.sales_trend(trend(DAYS, lambda i: 1000 + 250 * i), "销售趋势 · 近30天", show_profit=True),
    "trend, 30 days, no profit": lambda: charts.sales_trend(trend(DAYS, lambda i: 80000 * i), "销售趋势", show_profit=False),
    "trend, one day": lambda: charts.sales_trend(trend(DAYS[:1], lambda i: 320), "销售趋势 · 今日", show_profit=True),
    "trend, empty": lambda: charts.sales_trend(trend(DAYS, lambda i: 0), "销售趋势 · 近30天", show_profit=True),
    "trend, a year": lambda: charts.sales_trend(
        trend([date(2026, 1, 1) + timedelta(days=i) for i in range(365)], lambda i: i % 50), "销售趋势 · 近365天", show_profit=True
    ),
    "ranking, ten": lambda: charts.ranking(ranking(10), "销售排行（金额）", show_profit=True),
    "ranking, by quantity": lambda: charts.ranking(ranking(3, "数量"), "销售排行（数量）", show_profit=True),
    "ranking, negative profit": lambda: charts.ranking(
        rp.Ranking(MONTH, "毛利", [rp.SalesLine("A001", D(1), D(5), D(9), product=A)], rp.sum_sales([])), "毛利排行", show_profit=True
    ),
    "ranking, one": lambda: charts.ranking(ranking(1), "销售排行", show_profit=False),
    "ranking, empty": lambda: charts.ranking(ranking(0), "销售排行", show_profit=True),
    "stock, categories": lambda: charts.stock_by_category(
        rp.CategoryValues([CategoryStock(name, 3, D(10), D(v)) for name, v in (("饮料", "123456.78"), ("日用品与清洁用品大类", "800"), ("", "12"))]),
        "库存金额（按分类）",
        show_value=True,
    ),
    "stock, counts only": lambda: charts.stock_by_category(
        rp.CategoryValues([CategoryStock("饮料", 3, D(10), D(5))]), "有库存的商品数（按分类）", show_value=False
    ),
    "stock, empty": lambda: charts.stock_by_category(rp.CategoryValues([]), "库存金额（按分类）", show_value=True),
    "level, 30 days": lambda: charts.stock_level(rp.StockLevel(A, MONTH, DAYS, [D(60 - 2 * i) for i in range(30)], D(20)), "A001 库存走势"),
    "level, one day": lambda: charts.stock_level(rp.StockLevel(A, ONE_DAY, DAYS[:1], [D(5)], D(20)), "A001 库存走势"),
    "level, never stocked, no safety": lambda: charts.stock_level(
        rp.StockLevel(replace_safety(A), MONTH, DAYS, [D(0)] * 30, None), "A001 库存走势"
    ),
    "level, negative and measured": lambda: charts.stock_level(
        rp.StockLevel(KG, MONTH, DAYS, [D("3.5") - D(i) / 4 for i in range(30)], D("12.5")), "K1 库存走势"
    ),
    "aging, both books": lambda: charts.aging(
        owed("应收", "12345.60", "800", "0", "150.25", "99999.99"), owed("应付", "5000", "0", "2300.5", "0", "0"), "应收、应付账龄 · 截至 2026-11-22"
    ),
    "aging, receivables only": lambda: charts.aging(owed("应收", "18", "0", "0", "0", "0"), owed("应付"), "应收、应付账龄"),
    "aging, empty": lambda: charts.aging(owed("应收"), owed("应付"), "应收、应付账龄"),
}


def owed(ledger: str, *amounts: str) -> rp.Owed:
    from domain.documents import AGING_BUCKETS

    buckets = {name: D(amounts[i]) if amounts else D(0) for i, name in enumerate(AGING_BUCKETS)}
    total = sum(buckets.values(), D(0))
    return rp.Owed(ledger, total, total - buckets[AGING_BUCKETS[0]], buckets, 3)


def replace_safety(product: Product) -> Product:
    from dataclasses import replace

    return replace(product, safety_stock=None)


def render_strictly(draw: Callable[[], bytes]) -> bytes:
    """Render; any warning (a missing glyph above all) is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return draw()


@pytest.mark.parametrize("name", list(CHARTS))
def test_every_chart_renders_a_slide_sized_png_without_missing_glyphs(name: str) -> None:
    png = render_strictly(CHARTS[name])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    assert image.size == (960, 540)
    # Not a blank canvas: a chart (or its "no data" notice) put ink on it.
    assert len(image.convert("L").getcolors(maxcolors=256 * 256) or []) > 10


def test_the_glyph_check_would_catch_a_font_without_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "_family", "DejaVu Sans")  # as if no CJK font were installed
    with pytest.raises(UserWarning, match="missing from font"):
        render_strictly(CHARTS["ranking, ten"])


def test_a_cjk_font_is_installed_and_found() -> None:
    family = charts.cjk_font()
    assert family and family != "DejaVu Sans"


def test_no_cjk_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "_family", None)
    monkeypatch.setattr(charts, "FONT_CANDIDATES", ("/nonexistent/font.ttc",))
    monkeypatch.delenv(charts.FONT_ENV, raising=False)
    with pytest.raises(charts.NoCjkFont, match="fonts-noto-cjk"):
        charts.cjk_font()
