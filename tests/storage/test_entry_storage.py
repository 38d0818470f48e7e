"""Faster-entry storage on SQLite and PostgreSQL: product lookup, remembered picks, import jobs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine

from domain.ports import ImportJob
from storage.unit_of_work import SqlUnitOfWork
from tests.factories import make_product

AT = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)


def test_lookup_ranks_pinyin_names_and_barcodes(engine: Engine, workspace_id: int) -> None:
    uow = SqlUnitOfWork(engine, workspace_id)
    with uow.writing():
        uow.products.add(make_product(code="A001", name="可口可乐", barcode="6901234567892"))
        uow.products.add(make_product(code="A002", name="百事可乐"))
        uow.products.add(make_product(code="B001", name="康师傅冰红茶"))
        uow.commit()
    with uow:
        assert [p.code for p in uow.products.lookup("kkl", 5)] == ["A001"]
        assert [p.code for p in uow.products.lookup("binghongcha", 5)] == ["B001"]
        assert [p.code for p in uow.products.lookup("可乐", 5)] == ["A001", "A002"]
        assert [p.code for p in uow.products.lookup("6901234567892", 5)] == ["A001"]


def test_picks_are_per_user_and_replaced(engine: Engine, workspace_id: int) -> None:
    uow = SqlUnitOfWork(engine, workspace_id)
    with uow.writing():
        uow.lookup_choices.remember(7, "可乐", "A002", AT)
        uow.commit()
    with uow.writing():
        uow.lookup_choices.remember(7, "可乐", "A001", AT)
        uow.commit()
    with uow:
        assert uow.lookup_choices.get(7, "可乐") == "A001"
        assert uow.lookup_choices.get(8, "可乐") is None


def test_import_jobs_keep_their_rows_and_drop_day_old_ones(engine: Engine, workspace_id: int) -> None:
    uow = SqlUnitOfWork(engine, workspace_id)
    rows = (("商品编码", "名称"), ("A001", "可口可乐 <330ml>"), ("A002", ""))
    with uow.writing():
        uow.import_jobs.add(ImportJob("old", "商品", rows, AT - timedelta(days=2)))
        uow.commit()
    with uow.writing():
        uow.import_jobs.add(ImportJob("new", "商品", rows, AT))
        uow.commit()
    with uow:
        assert uow.import_jobs.get("old") is None
        assert uow.import_jobs.get("new") == ImportJob("new", "商品", rows, AT)
