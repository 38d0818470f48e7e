"""Reply text: one jinja2 environment, HTML templates (autoescaped), number filters.

Templates are Telegram HTML (``<b>``, ``<i>``, ``<code>``); user text is escaped, so a product
named ``<可乐>`` cannot break the parse mode. The console strips the tags with :func:`to_plain`.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

MAX_REPLY_LENGTH = 4096  # Telegram's limit for one message


def money(value: Decimal | None) -> str:
    """``1234.5`` → ``1,234.50``; None → ``—``."""
    if value is None:
        return "—"
    return f"{value:,.2f}"


def qty(value: Decimal | None) -> str:
    """``48.000`` → ``48``, ``2.500`` → ``2.5``, ``12000`` → ``12,000``."""
    if value is None:
        return "—"
    text = f"{value:,f}"  # positional notation even for 1.2E+4
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def unit_cost(value: Decimal | None) -> str:
    """A unit price with two decimals, or up to four when the fen is not enough."""
    if value is None:
        return "—"
    if value == value.quantize(Decimal("0.01")):
        return f"{value:,.2f}"
    return f"{value:,.4f}".rstrip("0")


def field_value(value: object) -> str:
    """A master-data value in a before → after line."""
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, tuple):  # packing units
        return "、".join(f"{name}={qty(factor)}" for name, factor in value) or "（空）"
    if isinstance(value, Decimal):
        return unit_cost(value) if value != value.to_integral_value() else qty(value)
    return str(value)


def qty_2(value: Decimal | None) -> str:
    """A derived quantity (a daily average) to two decimals, trailing zeros dropped."""
    if value is None:
        return "—"
    return qty(value.quantize(Decimal("0.01")))


def signed_money(value: Decimal) -> str:
    return ("+" if value > 0 else "") + money(value)


def signed_qty(value: Decimal) -> str:
    return ("+" if value > 0 else "") + qty(value)


class Renderer:
    """Renders templates with the workspace's time zone for dates."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self.env = Environment(
            loader=PackageLoader("bot", "templates"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self.env.filters |= dict(
            money=money,
            qty=qty,
            qty_2=qty_2,
            unit_cost=unit_cost,
            signed_qty=signed_qty,
            signed_money=signed_money,
            fmt_field=field_value,
            local_time=self.local_time,
            local_date=self.local_date,
        )
        # Cost, purchase prices and stock value are shown unless the reply goes where the
        # reader may not see them (a role without VIEW_COST, a group not marked for them).
        self.env.globals["show_cost"] = True
        # Phone numbers are opt-in: only replies rendered for a role that may see them pass True.
        self.env.globals["show_contacts"] = False

    def local_time(self, value: datetime) -> str:
        return value.astimezone(self.tz).strftime("%m-%d %H:%M")

    def local_date(self, value: datetime | date) -> str:
        if isinstance(value, datetime):
            value = value.astimezone(self.tz).date()
        return value.strftime("%Y-%m-%d")

    def render(self, template: str, **values: object) -> str:
        text = self.env.get_template(template).render(**values).strip()
        # Blank lines from conditional blocks collapse to one, keeping replies compact.
        return re.sub(r"\n{3,}", "\n\n", text)


_TAG = re.compile(r"<[^>]+>")


def to_plain(text: str) -> str:
    """Telegram HTML → plain text for the console."""
    return html.unescape(_TAG.sub("", text))
