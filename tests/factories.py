"""Small builders for domain values, with defaults a test can override field by field."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.products import Product
from domain.services import Actor, Context

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Tuesday morning in Shanghai.
DEFAULT_NOW = datetime(2026, 3, 10, 9, 30, tzinfo=SHANGHAI)


def make_context(
    now: datetime = DEFAULT_NOW, user_id: int = 1001, name: str = "老王", chat_id: int = -100123
) -> Context:
    """A request context in Asia/Shanghai; ``now`` must be timezone-aware."""
    if now.tzinfo is None:
        raise ValueError("make_context needs an aware datetime")
    return Context(Actor(user_id, name, chat_id), now, SHANGHAI)


def make_product(code: str = "A001", **overrides: object) -> Product:
    """A counted product (罐) without prices or thresholds unless overridden."""
    product = Product(code=code, name="可口可乐 330ml", unit="罐")
    return replace(product, **overrides)


def d(text: str) -> Decimal:
    """Decimal from text (short for tests full of amounts)."""
    return Decimal(text)
