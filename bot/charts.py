"""Charts as PNG bytes: matplotlib's object API with the Agg canvas, never pyplot (pyplot keeps
global figures alive and is not meant for servers).

Chinese labels need a CJK font. The project's set-up installs Debian's ``fonts-noto-cjk``
(deploy/jxc.sh, as root); :func:`cjk_font` finds it (or ``JXC_CJK_FONT``, or WenQuanYi) and
registers it once. Without one, matplotlib would draw empty boxes and warn "Glyph … missing";
the chart tests turn that warning into a failure.

Amounts are Decimals everywhere else; they become floats here only as pixel positions.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from datetime import date
from io import BytesIO

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from domain.reports import CategoryValues, Owed, Ranking, SalesLine, StockLevel

FONT_ENV = "JXC_CJK_FONT"
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)
WIDTH, HEIGHT, DPI = 8.0, 4.5, 120  # 960 × 540 pixels: a 16:9 slide, sharp on a phone
REVENUE_COLOR, PROFIT_COLOR, STOCK_COLOR, SAFETY_COLOR = "#2f6db5", "#f08c2e", "#3a9a5b", "#d0453a"
RECEIVABLE_COLOR, PAYABLE_COLOR = "#2f6db5", "#d0453a"

_lock = threading.Lock()  # the font manager is process-wide: register the font once
_family: str | None = None


class NoCjkFont(RuntimeError):
    """No CJK font is installed: charts would show boxes instead of Chinese."""


def cjk_font() -> str:
    """Register the first CJK font found and return its family name (once per process)."""
    global _family
    with _lock:
        if _family is not None:
            return _family
        candidates = [os.environ[FONT_ENV]] if os.environ.get(FONT_ENV) else []
        candidates += list(FONT_CANDIDATES)
        for path in candidates:
            if os.path.exists(path):
                font_manager.fontManager.addfont(path)
                _family = font_manager.FontProperties(fname=path).get_name()
                return _family
    raise NoCjkFont("no CJK font found: install fonts-noto-cjk (deploy/jxc.sh does as root) or set JXC_CJK_FONT")


def _figure(left: float = 0.09) -> tuple[Figure, object]:
    family = cjk_font()
    # Fixed margins instead of a layout engine: constrained layout measured every text twice
    # and cost half the rendering time; labels are cut to lengths that fit these margins.
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    figure.subplots_adjust(left=left, right=0.97, top=0.9, bottom=0.12)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#dddddd", linewidth=0.8)
    axes.set_axisbelow(True)
    figure._jxc_family = family  # type: ignore[attr-defined]
    return figure, axes


def _font(figure: Figure, size: float = 10, weight: str = "normal") -> dict[str, object]:
    return {"family": [figure._jxc_family, "DejaVu Sans"], "size": size, "weight": weight}  # type: ignore[attr-defined]


def _style_ticks(figure: Figure, axes) -> None:  # type: ignore[no-untyped-def]
    for label in axes.get_xticklabels() + axes.get_yticklabels():
        label.set_fontfamily([figure._jxc_family, "DejaVu Sans"])  # type: ignore[attr-defined]
        label.set_fontsize(9)


def _png(figure: Figure) -> bytes:
    buffer = BytesIO()
    # Light compression: a chart is sent once; encoding time matters more than 20 % of bytes.
    figure.savefig(buffer, format="png", dpi=DPI, pil_kwargs={"compress_level": 3})
    return buffer.getvalue()


def _yuan(value: float, _position: object = None) -> str:
    if abs(value) >= 10000:
        return f"{value / 10000:,.1f}".rstrip("0").rstrip(".") + "万"
    return _number(value)


def _number(value: float, _position: object = None) -> str:
    """Thousands separated; decimals only when the value has them (ticks of a small scale)."""
    if abs(value - round(value)) < 1e-9:
        return f"{value:,.0f}".replace("-0", "0") if round(value) == 0 else f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _empty(axes, figure: Figure, text: str) -> None:  # type: ignore[no-untyped-def]
    axes.text(0.5, 0.5, text, transform=axes.transAxes, ha="center", va="center", color="#888888", **_font(figure, 13))
    axes.set_xticks([])
    axes.set_yticks([])


def _date_ticks(axes, days: Sequence[date]) -> None:  # type: ignore[no-untyped-def]
    """At most ~10 labels, month-day, never overlapping."""
    step = max(1, -(-len(days) // 10))
    positions = list(range(0, len(days), step))
    axes.set_xticks(positions)
    axes.set_xticklabels([f"{days[i]:%m-%d}" for i in positions])
    axes.set_xlim(-0.6, max(len(days) - 0.4, 0.6))


def sales_trend(lines: Sequence[SalesLine], title: str, *, show_profit: bool) -> bytes:
    """Daily revenue bars and, for those who may see cost, the gross profit line."""
    figure, axes = _figure()
    axes.set_title(title, loc="left", **_font(figure, 13, "bold"))
    if not any(line.revenue or line.quantity for line in lines):
        _empty(axes, figure, "这段时间没有销售")
        return _png(figure)
    days = [line.day for line in lines if line.day is not None]
    x = list(range(len(days)))
    revenue = [float(line.revenue) for line in lines]
    profit = [float(line.profit) for line in lines] if show_profit else []
    axes.bar(x, revenue, color=REVENUE_COLOR, width=0.7, label="销售额")
    if show_profit:
        axes.plot(x, profit, color=PROFIT_COLOR, marker="o" if len(x) <= 62 else None, markersize=3, label="毛利")
    # Room above the tallest bar for the legend; a flat zero line still gets a readable scale.
    top, bottom = max(revenue + profit + [0.0]), min(revenue + profit + [0.0])
    axes.set_ylim(bottom * 1.15 if bottom < 0 else 0, top * 1.2 if top > 0 else 1)
    axes.yaxis.set_major_formatter(FuncFormatter(_yuan))
    axes.yaxis.set_major_locator(MaxNLocator(6))
    axes.set_ylabel("金额（元）", **_font(figure))
    _date_ticks(axes, days)
    axes.legend(prop=_font(figure, 9), frameon=False, loc="upper left")
    _style_ticks(figure, axes)
    return _png(figure)


def ranking(result: Ranking, title: str, *, show_profit: bool) -> bytes:
    """Horizontal bars, the top product at the top, each labelled with its figure."""
    figure, axes = _figure(left=0.22)
    axes.set_title(title, loc="left", **_font(figure, 13, "bold"))
    lines = result.lines
    if not lines:
        _empty(axes, figure, "这段时间没有销售")
        return _png(figure)
    measure = {"金额": lambda l: l.revenue, "数量": lambda l: l.quantity, "毛利": lambda l: l.profit}[result.metric]
    values = [float(measure(line)) for line in lines][::-1]
    labels = [_short(f"{line.label} {line.product.name if line.product else ''}", 16) for line in lines][::-1]
    y = list(range(len(lines)))
    axes.barh(y, values, color=PROFIT_COLOR if result.metric == "毛利" else REVENUE_COLOR, height=0.6)
    axes.set_yticks(y)
    axes.set_yticklabels(labels)
    axes.grid(axis="y", visible=False)
    axes.grid(axis="x", color="#dddddd", linewidth=0.8)
    unit = "数量" if result.metric == "数量" else "金额（元）"
    axes.set_xlabel(unit, **_font(figure))
    formatter = _number if result.metric == "数量" else _yuan
    axes.xaxis.set_major_formatter(FuncFormatter(formatter))
    axes.xaxis.set_major_locator(MaxNLocator(6))
    top = max(values + [0.0])
    low = min(values + [0.0])
    axes.set_xlim(low * 1.25 if low < 0 else 0, top * 1.18 if top > 0 else 1)
    for position, value in zip(y, values):
        # Labels sit outside the bar's end: to the right of a gain, to the left of a loss.
        label = f" {formatter(value)}" if value >= 0 else f"{formatter(value)} "
        axes.text(value, position, label, va="center", ha="left" if value >= 0 else "right", **_font(figure, 8))
    _style_ticks(figure, axes)
    return _png(figure)


def _short(name: str, limit: int = 8) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def stock_by_category(values: CategoryValues, title: str, *, show_value: bool) -> bytes:
    """Stock value (or, without cost, product count) per category, largest first."""
    figure, axes = _figure(left=0.17)
    axes.set_title(title, loc="left", **_font(figure, 13, "bold"))
    lines = values.lines[:12]
    if not lines:
        _empty(axes, figure, "目前没有库存")
        return _png(figure)
    if show_value:
        numbers = [float(line.value) for line in lines][::-1]
        axes.set_xlabel("库存金额（元）", **_font(figure))
        formatter = _yuan
    else:
        numbers = [float(line.products) for line in lines][::-1]
        axes.set_xlabel("有库存的商品数", **_font(figure))
        formatter = _number
    y = list(range(len(lines)))
    axes.barh(y, numbers, color=STOCK_COLOR, height=0.6)
    axes.set_yticks(y)
    axes.set_yticklabels([_short(line.category or "未分类", 10) for line in lines][::-1])
    axes.grid(axis="y", visible=False)
    axes.grid(axis="x", color="#dddddd", linewidth=0.8)
    axes.xaxis.set_major_formatter(FuncFormatter(formatter))
    axes.xaxis.set_major_locator(MaxNLocator(6, integer=not show_value))
    top = max(numbers + [0.0])
    axes.set_xlim(0, top * 1.18 if top > 0 else 1)
    for position, value in zip(y, numbers):
        axes.text(value, position, " " + formatter(value), va="center", **_font(figure, 8))
    _style_ticks(figure, axes)
    return _png(figure)


def stock_level(level: StockLevel, title: str) -> bytes:
    """End-of-day stock as a step line, with the safety stock as a dashed red line."""
    figure, axes = _figure()
    axes.set_title(title, loc="left", **_font(figure, 13, "bold"))
    x = list(range(len(level.days)))
    values = [float(v) for v in level.levels]
    axes.step(x, values, where="mid", color=STOCK_COLOR, linewidth=2, label="库存")
    axes.fill_between(x, values, step="mid", color=STOCK_COLOR, alpha=0.12)
    if level.safety is not None and level.safety > 0:
        axes.axhline(float(level.safety), color=SAFETY_COLOR, linestyle="--", linewidth=1.2, label=f"安全库存 {_number(float(level.safety))}")
    axes.set_ylabel(f"数量（{level.product.unit}）", **_font(figure))
    axes.yaxis.set_major_formatter(FuncFormatter(_number))
    axes.yaxis.set_major_locator(MaxNLocator(6, integer=not level.product.is_measured))
    low = min(values + [0.0, float(level.safety or 0)])
    high = max(values + [float(level.safety or 0), 1.0])
    axes.set_ylim(low * 1.1 if low < 0 else 0, high * 1.15)
    _date_ticks(axes, level.days)
    axes.legend(prop=_font(figure, 9), frameon=True, framealpha=0.9, edgecolor="none", loc="best")
    _style_ticks(figure, axes)
    return _png(figure)


def aging(receivable: Owed, payable: Owed, title: str) -> bytes:
    """应收 and 应付 side by side per aging bucket (from 未到期 to 90天以上), each bar labelled."""
    figure, axes = _figure(left=0.1)
    axes.set_title(title, loc="left", **_font(figure, 13, "bold"))
    if not receivable.total and not payable.total:
        _empty(axes, figure, "目前没有未结的应收、应付")
        return _png(figure)
    names = list(receivable.buckets)
    x = list(range(len(names)))
    width = 0.38
    series = (
        ("应收", [float(receivable.buckets[n]) for n in names], RECEIVABLE_COLOR, -width / 2),
        ("应付", [float(payable.buckets[n]) for n in names], PAYABLE_COLOR, width / 2),
    )
    for label, numbers, color, shift in series:
        positions = [i + shift for i in x]
        axes.bar(positions, numbers, width=width, color=color, label=label)
        for position, value in zip(positions, numbers):
            if value:
                axes.text(position, value, _yuan(value), ha="center", va="bottom", **_font(figure, 8))
    top = max(series[0][1] + series[1][1] + [0.0])
    axes.set_ylim(0, top * 1.2 if top > 0 else 1)
    axes.set_xticks(x)
    axes.set_xticklabels(names)
    axes.yaxis.set_major_formatter(FuncFormatter(_yuan))
    axes.yaxis.set_major_locator(MaxNLocator(6))
    axes.set_ylabel("金额（元）", **_font(figure))
    axes.legend(prop=_font(figure, 9), frameon=False, loc="upper right")
    _style_ticks(figure, axes)
    return _png(figure)
