"""Valuation methods: moving weighted average (移动加权平均) or first-in first-out (先进先出).

Under FIFO every receipt opens a **cost layer** per product and warehouse: when it came in, how
many units are left and what they are still worth (exact to the fen). An outgoing movement draws
from the oldest layers first; what it drew is recorded per movement (``LayerDraw``), so a
reversal can put exactly those units and values back. The layers of a stock always add up to its
balance (``jxc check`` proves it).

A partial draw costs ``take × remaining value ÷ remaining quantity`` rounded half up to the fen;
the draw that empties a layer takes its whole remaining value, so no layer keeps value without
units. FIFO never goes below zero (a workspace on FIFO cannot allow negative stock): a deficit
has no layer to be costed from, and a rule that re-costs it later would rewrite booked costs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from domain.money import ZERO, quantize_money
from domain.stock import Posting


class ValuationMethod(StrEnum):
    MOVING_AVERAGE = "moving_average"
    FIFO = "fifo"

    @property
    def label(self) -> str:
        return "先进先出" if self is ValuationMethod.FIFO else "移动加权平均"


@dataclass(frozen=True, slots=True)
class CostLayer:
    """Units that came in together and are valued together (a FIFO layer).

    ``movement_id`` is the movement that created it (a receipt, a transfer's incoming leg, a
    stocktake gain, a customer return); a transfer creates one layer per layer it drew from, each
    keeping its ``received_at``.
    """

    product_id: int
    warehouse_id: int
    received_at: datetime
    movement_id: int
    quantity: Decimal
    value: Decimal
    remaining_quantity: Decimal
    remaining_value: Decimal
    id: int = 0

    @property
    def untouched(self) -> bool:
        return self.remaining_quantity == self.quantity and self.remaining_value == self.value


@dataclass(frozen=True, slots=True)
class LayerDraw:
    """What one movement took from one layer (negative: put back by a reversal)."""

    layer_id: int
    quantity: Decimal
    value: Decimal
    received_at: datetime | None = None  # of the layer drawn from (a transfer carries it on)

    def negated(self) -> LayerDraw:
        return LayerDraw(self.layer_id, -self.quantity, -self.value, self.received_at)


def draw_fifo(layers: Sequence[CostLayer], quantity: Decimal) -> tuple[list[LayerDraw], Decimal]:
    """Take ``quantity`` from ``layers`` (oldest first): the draws and the units still missing.

    Worked example: layers 10 @ 20.00 (2.00 each) and 5 @ 15.00; taking 12 draws all of the first
    (20.00, it empties) and 2 of the second: 2 × 15.00 ÷ 5 = 6.00 — the issue costs 26.00.
    """
    if quantity <= 0:
        raise ValueError("a draw needs a positive quantity")
    draws: list[LayerDraw] = []
    need = quantity
    for layer in layers:
        if need <= 0:
            break
        if layer.remaining_quantity <= 0:
            continue
        take = min(layer.remaining_quantity, need)
        if take == layer.remaining_quantity:
            value = layer.remaining_value  # empties the layer: no rounding residue stays
        else:
            value = quantize_money(take * layer.remaining_value / layer.remaining_quantity)
        draws.append(LayerDraw(layer.id, take, value, layer.received_at))
        need -= take
    return draws, max(need, ZERO)


def drawn(draws: Iterable[LayerDraw]) -> Posting:
    """The (positive) quantity and value a set of draws took."""
    quantity = value = ZERO
    for draw in draws:
        quantity += draw.quantity
        value += draw.value
    return Posting(quantity, value)


@dataclass(frozen=True, slots=True)
class LayerMismatch:
    """A stock whose layers do not add up to its balance (or a layer left inconsistent)."""

    product_code: str
    warehouse: str
    balance_quantity: Decimal
    balance_value: Decimal
    layers_quantity: Decimal
    layers_value: Decimal
