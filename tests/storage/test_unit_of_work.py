"""The books on a real database: SQLite and PostgreSQL run the same tests."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from domain import commands as c
from domain import services
from domain.errors import FutureDate, InsufficientStock, ProductAlreadyExists
from storage.db import make_engine
from storage.migrate import current_revision, downgrade, head_revision, upgrade
from storage.tables import StockMovementRow
from storage.unit_of_work import SqlUnitOfWork
from storage.workspaces import create_workspace
from tests.conftest import make_context

D = Decimal


def add(uow, code="A001", **fields):  # type: ignore[no-untyped-def]
    return services.add_product(uow, make_context(), c.AddProduct(code, "可口可乐", tuple(fields.items())))


def test_migrations_reach_head_and_match_the_models(engine):
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []


def test_migrations_downgrade_to_nothing_and_upgrade_again(engine):
    downgrade(engine, "base")
    assert "stock_movement" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert {"product", "stock_movement", "stock_balance", "counter"} <= set(inspect(engine).get_table_names())


def test_money_and_quantities_come_back_exactly(uow_factory):
    # 10,000,000 units at 9,999,999.99 yuan: a value of ~1e14 yuan, kept to the fen.
    add(uow_factory(), unit="kg", purchase_price=D("9999999.99"))
    services.receive_stock(uow_factory(), make_context(), c.ReceiveStock("A001", D("9999999.999"), unit_price=D("9999999.99")))
    card = services.show_stock(uow_factory(), make_context(), c.ShowStock("A001"))
    assert card.balance.quantity == D("9999999.999")
    expected_value = (D("9999999.999") * D("9999999.99")).quantize(D("0.01"))
    assert card.balance.value == expected_value
    assert card.product.purchase_price == D("9999999.99")


def test_receipt_and_issue_book_movements_and_balance_in_one_transaction(uow_factory):
    add(uow_factory(), unit="罐")
    received = services.receive_stock(uow_factory(), make_context(), c.ReceiveStock("A001", D(50), unit_price=D("2.40")))
    issued = services.issue_stock(uow_factory(), make_context(), c.IssueStock("A001", D(7)))
    assert received.movement.number == "RK-2026-0001"
    assert issued.movement.number == "CK-2026-0001"
    assert issued.cost == D("16.80")
    assert issued.balance.quantity == 43 and issued.balance.value == D("103.20")
    report = services.check_books(uow_factory())
    assert report.ok and report.movements == 2 and report.balances == 1


def test_refused_issue_writes_nothing_and_consumes_no_number(uow_factory):
    add(uow_factory())
    services.receive_stock(uow_factory(), make_context(), c.ReceiveStock("A001", D(5), unit_price=D(2)))
    with pytest.raises(InsufficientStock):
        services.issue_stock(uow_factory(), make_context(), c.IssueStock("A001", D(6)))
    issued = services.issue_stock(uow_factory(), make_context(), c.IssueStock("A001", D(5)))
    assert issued.movement.number == "CK-2026-0001"
    assert issued.balance.quantity == 0 and issued.balance.value == 0


def test_back_dated_receipt_keeps_business_date_and_refuses_the_future(uow_factory):
    add(uow_factory())
    result = services.receive_stock(uow_factory(), make_context(), c.ReceiveStock("A001", D(5), occurred_on=date(2026, 11, 20)))
    assert result.movement.occurred_at.astimezone(make_context().tz).date() == date(2026, 11, 20)
    assert result.movement.recorded_at == make_context().now
    with pytest.raises(FutureDate):
        services.receive_stock(uow_factory(), make_context(), c.ReceiveStock("A001", D(5), occurred_on=date(2026, 11, 23)))
    assert services.check_books(uow_factory()).movements == 1


def test_uncommitted_work_is_rolled_back(uow_factory):
    add(uow_factory())
    with pytest.raises(ProductAlreadyExists):
        add(uow_factory())
    uow = uow_factory()
    with uow.writing():
        uow.products.add(services.Product(code="B001", name="雪碧"))
    with uow_factory() as reader:
        assert reader.products.get("B001") is None
        assert reader.products.get("A001") is not None


def test_workspaces_never_see_each_other(engine, workspace_id):
    from sqlmodel import Session

    with Session(engine) as session:
        other = create_workspace(session, "隔壁店")
        session.commit()
    add(SqlUnitOfWork(engine, workspace_id))
    services.receive_stock(SqlUnitOfWork(engine, workspace_id), make_context(), c.ReceiveStock("A001", D(9)))
    add(SqlUnitOfWork(engine, other))
    card = services.show_stock(SqlUnitOfWork(engine, other), make_context(), c.ShowStock("A001"))
    assert card.balance.quantity == 0
    # Numbers are per workspace: the other shop's first receipt is its own RK-2026-0001.
    first = services.receive_stock(SqlUnitOfWork(engine, other), make_context(), c.ReceiveStock("A001", D(1)))
    assert first.movement.number == "RK-2026-0001"
    with SqlUnitOfWork(engine, other) as uow:
        assert [m.quantity for m in uow.stock.movements(first.product.id, None, None, 0, 10)] == [1]


def test_times_are_stored_as_utc_and_come_back_aware(uow_factory):
    add(uow_factory())
    moment = datetime(2026, 11, 22, 23, 59, 30, tzinfo=timezone.utc)
    result = services.receive_stock(uow_factory(), make_context(now=moment), c.ReceiveStock("A001", D(1)))
    with uow_factory() as uow:
        (movement,) = uow.stock.movements(result.product.id, None, None, 0, 1)
    assert movement.recorded_at == moment and movement.recorded_at.tzinfo is not None


def test_concurrent_issues_never_oversell(engine, workspace_id):
    """20 workers each issue 1 unit of a stock of 10: exactly 10 succeed, the books balance."""
    add(SqlUnitOfWork(engine, workspace_id))
    services.receive_stock(SqlUnitOfWork(engine, workspace_id), make_context(), c.ReceiveStock("A001", D(10), unit_price=D("3.33")))

    def issue_one(_: int) -> str:
        try:
            services.issue_stock(SqlUnitOfWork(engine, workspace_id), make_context(), c.IssueStock("A001", D(1)))
            return "ok"
        except InsufficientStock:
            return "refused"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(issue_one, range(20)))
    assert outcomes.count("ok") == 10 and outcomes.count("refused") == 10
    card = services.show_stock(SqlUnitOfWork(engine, workspace_id), make_context(), c.ShowStock("A001"))
    assert card.balance.quantity == 0 and card.balance.value == 0
    assert services.check_books(SqlUnitOfWork(engine, workspace_id)).ok


def test_check_finds_a_tampered_balance(engine, uow_factory):
    add(uow_factory())
    services.receive_stock(uow_factory(), make_context(), c.ReceiveStock("A001", D(10), unit_price=D(1)))
    with engine.begin() as connection:
        connection.execute(text("UPDATE stock_balance SET quantity = quantity + 1000"))
    report = services.check_books(uow_factory())
    assert not report.ok
    (mismatch,) = report.mismatches
    assert mismatch.product_code == "A001"
    assert mismatch.stored.quantity == 11 and mismatch.derived.quantity == 10


def test_sqlite_is_configured_for_durable_serialised_writes(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10000


def test_movement_rows_hold_signed_scaled_integers(engine, uow_factory):
    add(uow_factory(), unit="kg")
    services.receive_stock(uow_factory(), make_context(), c.ReceiveStock("A001", D("2.5"), unit_price=D("9.99")))
    services.issue_stock(uow_factory(), make_context(), c.IssueStock("A001", D("0.125")))
    with engine.connect() as connection:
        rows = connection.execute(text(f"SELECT quantity, value FROM {StockMovementRow.__tablename__} ORDER BY id")).all()
    # 2.5 kg = 2500 thousandths; 24.975 → 24.98 yuan = 2498 fen; 0.125 kg costs 0.125 × 24.98 / 2.5 = 1.249 → 1.25
    assert [tuple(row) for row in rows] == [(2500, 2498), (-125, -125)]
