"""The valuation repositories: the workspace's method and its FIFO cost layers; batches."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, bindparam, case, func, update
from sqlmodel import Session, select

from domain.batches import Batch, BatchMismatch, BatchTake, fefo
from domain.money import ZERO
from domain.products import StockLevels
from domain.stock import StockBalance
from domain.valuation import CostLayer, LayerDraw, LayerMismatch, ValuationMethod
from storage.repositories import SqlNumberSequence, dialect_insert
from storage.tables import ProductRow, StockBalanceRow, StockMovementRow, WarehouseRow
from storage.valuation_tables import (
    CostLayerDrawRow,
    CostLayerRow,
    StockBatchMoveRow,
    StockBatchRow,
    StockThresholdRow,
    ValuationSettingRow,
)

_layer = CostLayerRow.__table__.c
_APPLY_DRAW = (
    update(CostLayerRow.__table__)
    .where(_layer.workspace_id == bindparam("ws"), _layer.id == bindparam("layer"))
    .values(
        remaining_quantity=_layer.remaining_quantity - bindparam("taken_quantity", type_=_layer.quantity.type),
        remaining_value=_layer.remaining_value - bindparam("taken_value", type_=_layer.value.type),
    )
)


def _to_domain(row: CostLayerRow) -> CostLayer:
    return CostLayer(
        product_id=row.product_id,
        warehouse_id=row.warehouse_id,
        received_at=row.received_at,
        movement_id=row.movement_id,
        quantity=row.quantity,
        value=row.value,
        remaining_quantity=row.remaining_quantity,
        remaining_value=row.remaining_value,
        id=row.id,
    )


class SqlValuationRepository:
    def __init__(self, session: Session, workspace_id: int, numbers: SqlNumberSequence) -> None:
        self._session = session
        self._workspace_id = workspace_id
        self._numbers = numbers
        self._method: ValuationMethod | None = None  # read once per transaction: every booking asks

    def method(self) -> ValuationMethod:
        if self._method is None:
            stored = self._session.scalar(
                select(ValuationSettingRow.method).where(ValuationSettingRow.workspace_id == self._workspace_id)
            )
            self._method = ValuationMethod(stored) if stored else ValuationMethod.MOVING_AVERAGE
        return self._method

    def set_method(self, method: ValuationMethod) -> None:
        statement = dialect_insert(self._session, ValuationSettingRow.__table__).values(
            workspace_id=self._workspace_id, method=method.value
        )
        self._session.execute(
            statement.on_conflict_do_update(index_elements=["workspace_id"], set_={"method": method.value})
        )
        self._method = method

    def any_movement(self) -> bool:
        statement = select(StockMovementRow.id).where(StockMovementRow.workspace_id == self._workspace_id)
        return self._session.scalars(statement.limit(1)).first() is not None

    def open_layers(self, product_id: int, warehouse_id: int) -> list[CostLayer]:
        rows = self._session.exec(
            select(CostLayerRow)
            .where(
                CostLayerRow.workspace_id == self._workspace_id,
                CostLayerRow.product_id == product_id,
                CostLayerRow.warehouse_id == warehouse_id,
                CostLayerRow.remaining_quantity > 0,
            )
            .order_by(CostLayerRow.received_at, CostLayerRow.id)
        )
        return [_to_domain(row) for row in rows]

    def add_layer(self, layer: CostLayer) -> CostLayer:
        stored = CostLayer(**{**_fields(layer), "id": self._numbers.next("id:cost_layer")})
        self._session.execute(
            CostLayerRow.__table__.insert(), dict(workspace_id=self._workspace_id, **_fields(stored))
        )
        return stored

    def record_draws(self, movement_id: int, draws: Sequence[LayerDraw]) -> None:
        for draw in draws:
            self._session.execute(
                CostLayerDrawRow.__table__.insert(),
                dict(
                    workspace_id=self._workspace_id,
                    id=self._numbers.next("id:cost_layer_draw"),
                    movement_id=movement_id,
                    layer_id=draw.layer_id,
                    quantity=draw.quantity,
                    value=draw.value,
                ),
            )
            self._session.execute(
                _APPLY_DRAW, {"ws": self._workspace_id, "layer": draw.layer_id, "taken_quantity": draw.quantity, "taken_value": draw.value}
            )

    def draws_of(self, movement_id: int) -> list[LayerDraw]:
        rows = self._session.exec(
            select(CostLayerDrawRow, CostLayerRow.received_at)
            .join(
                CostLayerRow,
                and_(CostLayerRow.workspace_id == CostLayerDrawRow.workspace_id, CostLayerRow.id == CostLayerDrawRow.layer_id),
            )
            .where(CostLayerDrawRow.workspace_id == self._workspace_id, CostLayerDrawRow.movement_id == movement_id)
            .order_by(CostLayerDrawRow.id)
        )
        return [LayerDraw(row.layer_id, row.quantity, row.value, received_at) for row, received_at in rows]

    def layers_of(self, movement_id: int) -> list[CostLayer]:
        rows = self._session.exec(
            select(CostLayerRow)
            .where(CostLayerRow.workspace_id == self._workspace_id, CostLayerRow.movement_id == movement_id)
            .order_by(CostLayerRow.id)
        )
        return [_to_domain(row) for row in rows]

    def check(self) -> list[LayerMismatch]:
        if self.method() is not ValuationMethod.FIFO:
            return []
        ws = self._workspace_id
        sums = {
            (product_id, warehouse_id): (quantity, value)
            for product_id, warehouse_id, quantity, value in self._session.exec(
                select(
                    CostLayerRow.product_id,
                    CostLayerRow.warehouse_id,
                    func.sum(CostLayerRow.remaining_quantity),
                    func.sum(CostLayerRow.remaining_value),
                )
                .where(CostLayerRow.workspace_id == ws)
                .group_by(CostLayerRow.product_id, CostLayerRow.warehouse_id)
            )
        }
        # Each layer's remainder must be its quantity less its draws, and no value without units.
        drawn = (
            select(
                CostLayerDrawRow.layer_id,
                func.sum(CostLayerDrawRow.quantity).label("quantity"),
                func.sum(CostLayerDrawRow.value).label("value"),
            )
            .where(CostLayerDrawRow.workspace_id == ws)
            .group_by(CostLayerDrawRow.layer_id)
            .subquery()
        )
        broken = set()
        for layer, taken_quantity, taken_value in self._session.exec(
            select(CostLayerRow, drawn.c.quantity, drawn.c.value)
            .outerjoin(drawn, drawn.c.layer_id == CostLayerRow.id)
            .where(CostLayerRow.workspace_id == ws)
        ):
            taken = (taken_quantity or ZERO, taken_value or ZERO)
            expected = (layer.quantity - taken[0], layer.value - taken[1])
            if expected != (layer.remaining_quantity, layer.remaining_value) or (
                layer.remaining_quantity == 0 and layer.remaining_value != 0
            ):
                broken.add((layer.product_id, layer.warehouse_id))
        balances = {
            (row.product_id, row.warehouse_id): StockBalance(row.quantity, row.value)
            for row in self._session.exec(select(StockBalanceRow).where(StockBalanceRow.workspace_id == ws))
        }
        codes = dict(self._session.exec(select(ProductRow.id, ProductRow.code).where(ProductRow.workspace_id == ws)).all())
        names = dict(self._session.exec(select(WarehouseRow.id, WarehouseRow.name).where(WarehouseRow.workspace_id == ws)).all())
        mismatches = []
        for key in sorted(set(sums) | set(balances)):
            balance = balances.get(key, StockBalance())
            quantity, value = sums.get(key, (ZERO, ZERO))
            if key in broken or (quantity, value) != (balance.quantity, balance.value):
                product_id, warehouse_id = key
                mismatches.append(
                    LayerMismatch(
                        codes.get(product_id, f"#{product_id}"), names.get(warehouse_id, "?"),
                        balance.quantity, balance.value, quantity, value,
                    )
                )
        return mismatches


def _fields(layer: CostLayer) -> dict[str, object]:
    return {name: getattr(layer, name) for name in CostLayer.__slots__}  # type: ignore[attr-defined]



_batch = StockBatchRow.__table__.c


def _batch_to_domain(row: StockBatchRow) -> Batch:
    return Batch(row.product_id, row.warehouse_id, row.batch, row.expires_on, row.quantity)


class SqlBatchRepository:
    def __init__(self, session: Session, workspace_id: int, numbers: SqlNumberSequence) -> None:
        self._session = session
        self._workspace_id = workspace_id
        self._numbers = numbers

    def _query(self):  # type: ignore[no-untyped-def]
        return select(StockBatchRow).where(StockBatchRow.workspace_id == self._workspace_id, StockBatchRow.quantity != 0)

    def batches(self, product_id: int, warehouse_id: int) -> list[Batch]:
        rows = self._session.exec(
            self._query().where(StockBatchRow.product_id == product_id, StockBatchRow.warehouse_id == warehouse_id)
        )
        return fefo([_batch_to_domain(row) for row in rows])

    def find(self, product_id: int, warehouse_id: int, code: str) -> Batch | None:
        row = self._session.get(StockBatchRow, (self._workspace_id, product_id, warehouse_id, code))
        return _batch_to_domain(row) if row is not None else None

    def of_product(self, product_id: int, warehouse_ids: frozenset[int] | None = None) -> list[Batch]:
        query = self._query().where(StockBatchRow.product_id == product_id)
        if warehouse_ids is not None:
            query = query.where(StockBatchRow.warehouse_id.in_(sorted(warehouse_ids)))  # type: ignore[attr-defined]
        return fefo([_batch_to_domain(row) for row in self._session.exec(query)])

    def record_moves(self, movement_id: int, product_id: int, warehouse_id: int, takes: Sequence[BatchTake]) -> None:
        for take in takes:
            key = {"workspace_id": self._workspace_id, "product_id": product_id, "warehouse_id": warehouse_id, "batch": take.code}
            if take.quantity < 0:
                # Out of a batch that exists (an INSERT of a negative row would trip the CHECK first).
                self._session.execute(
                    update(StockBatchRow.__table__)
                    .where(*(getattr(_batch, name) == value for name, value in key.items()))
                    .values(quantity=_batch.quantity + take.quantity)
                )
            else:
                self._upsert(key, take)
            self._session.execute(
                StockBatchMoveRow.__table__.insert(),
                dict(key, id=self._numbers.next("id:stock_batch_move"), movement_id=movement_id, quantity=take.quantity),
            )

    def _upsert(self, key: dict[str, object], take: BatchTake) -> None:
        """A batch appears on its first receipt; an emptied batch received again takes the new expiry."""
        insert = dialect_insert(self._session, StockBatchRow.__table__).values(**key, expires_on=take.expires_on, quantity=take.quantity)
        self._session.execute(
            insert.on_conflict_do_update(
                index_elements=["workspace_id", "product_id", "warehouse_id", "batch"],
                set_={
                    "quantity": _batch.quantity + insert.excluded.quantity,
                    "expires_on": case((_batch.quantity == 0, insert.excluded.expires_on), else_=_batch.expires_on),
                },
            )
        )

    def moves_of(self, movement_id: int) -> list[BatchTake]:
        rows = self._session.exec(
            select(StockBatchMoveRow, StockBatchRow.expires_on)
            .join(
                StockBatchRow,
                and_(
                    StockBatchRow.workspace_id == StockBatchMoveRow.workspace_id,
                    StockBatchRow.product_id == StockBatchMoveRow.product_id,
                    StockBatchRow.warehouse_id == StockBatchMoveRow.warehouse_id,
                    StockBatchRow.batch == StockBatchMoveRow.batch,
                ),
            )
            .where(StockBatchMoveRow.workspace_id == self._workspace_id, StockBatchMoveRow.movement_id == movement_id)
            .order_by(StockBatchMoveRow.id)
        )
        return [BatchTake(row.batch, row.quantity, expires_on) for row, expires_on in rows]

    def check(self) -> list[BatchMismatch]:
        ws = self._workspace_id
        managed = set(
            self._session.exec(select(ProductRow.id).where(ProductRow.workspace_id == ws, ProductRow.batch_managed.is_(True)))  # type: ignore[attr-defined]
        )
        moved = {
            (product_id, warehouse_id, batch): quantity
            for product_id, warehouse_id, batch, quantity in self._session.exec(
                select(
                    StockBatchMoveRow.product_id,
                    StockBatchMoveRow.warehouse_id,
                    StockBatchMoveRow.batch,
                    func.sum(StockBatchMoveRow.quantity),
                )
                .where(StockBatchMoveRow.workspace_id == ws)
                .group_by(StockBatchMoveRow.product_id, StockBatchMoveRow.warehouse_id, StockBatchMoveRow.batch)
            )
        }
        sums: dict[tuple[int, int], Decimal] = {}
        broken: set[tuple[int, int]] = set()
        for row in self._session.exec(select(StockBatchRow).where(StockBatchRow.workspace_id == ws)):
            key = (row.product_id, row.warehouse_id)
            sums[key] = sums.get(key, ZERO) + row.quantity
            if row.quantity < 0 or moved.get((row.product_id, row.warehouse_id, row.batch), ZERO) != row.quantity:
                broken.add(key)
        balances = {
            (row.product_id, row.warehouse_id): row.quantity
            for row in self._session.exec(select(StockBalanceRow).where(StockBalanceRow.workspace_id == ws))
        }
        codes = dict(self._session.exec(select(ProductRow.id, ProductRow.code).where(ProductRow.workspace_id == ws)).all())
        names = dict(self._session.exec(select(WarehouseRow.id, WarehouseRow.name).where(WarehouseRow.workspace_id == ws)).all())
        mismatches = []
        for key in sorted({k for k in balances if k[0] in managed} | set(sums)):
            balance = balances.get(key, ZERO)
            if key in broken or balance != sums.get(key, ZERO):
                mismatches.append(BatchMismatch(codes.get(key[0], f"#{key[0]}"), names.get(key[1], "?"), balance, sums.get(key, ZERO)))
        return mismatches


class SqlThresholdRepository:
    def __init__(self, session: Session, workspace_id: int) -> None:
        self._session = session
        self._workspace_id = workspace_id

    def get(self, product_id: int, warehouse_id: int) -> StockLevels | None:
        row = self._session.get(StockThresholdRow, (self._workspace_id, product_id, warehouse_id))
        return StockLevels(row.safety_stock, row.max_stock) if row is not None else None

    def set(self, product_id: int, warehouse_id: int, levels: StockLevels) -> None:
        key = {"workspace_id": self._workspace_id, "product_id": product_id, "warehouse_id": warehouse_id}
        table = StockThresholdRow.__table__
        if levels == StockLevels():
            self._session.execute(table.delete().where(*(table.c[name] == value for name, value in key.items())))
            return
        values = {"safety_stock": levels.safety_stock, "max_stock": levels.max_stock}
        insert = dialect_insert(self._session, table).values(**key, **values)
        self._session.execute(insert.on_conflict_do_update(index_elements=list(key), set_=values))

    def of_product(self, product_id: int) -> dict[int, StockLevels]:
        rows = self._session.exec(
            select(StockThresholdRow).where(
                StockThresholdRow.workspace_id == self._workspace_id, StockThresholdRow.product_id == product_id
            )
        )
        return {row.warehouse_id: StockLevels(row.safety_stock, row.max_stock) for row in rows}


class SqlPlanningRepository:
    def __init__(self, session: Session, workspace_id: int) -> None:
        self._session = session
        self._workspace_id = workspace_id

    def first_movements(self) -> dict[int, datetime]:
        rows = self._session.exec(
            select(StockMovementRow.product_id, func.min(StockMovementRow.occurred_at))
            .where(StockMovementRow.workspace_id == self._workspace_id)
            .group_by(StockMovementRow.product_id)
        )
        return {product_id: first for product_id, first in rows}
