"""Alerts on a real database (SQLite and PostgreSQL): the engine's transaction, exact stored
alerts, the outbox's dedupe key, claims under a lease — also from two processes at once —
and housekeeping."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time as clock
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from domain import alert_services as s
from domain import commands as c
from domain import history, services
from domain.access import Member, Role
from domain.alerts import AlertSettings, LowStock, OutboxEntry, Subscription, Topic
from domain.ports import PendingConfirmation
from storage.alert_repositories import prune_housekeeping
from tests.conftest import make_context

D = Decimal
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai
GROUP = -100123
ROOT = Path(__file__).resolve().parents[2]


def low(code: str, on_hand: str = "8") -> LowStock:
    return LowStock(code, f"商品{code}", "罐", D(on_hand), D("20"), D("5.00"), 7, D("1.6"), D("117"))


def entry(code: str, chat: int = GROUP, period: str = "p1", not_before: datetime = NOW) -> OutboxEntry:
    return OutboxEntry(chat, low(code), period, NOW, not_before)


def seed(uow_factory) -> None:  # type: ignore[no-untyped-def]
    services.add_product(
        uow_factory(), make_context(NOW - timedelta(days=1)), c.AddProduct("A001", "可口可乐", (("unit", "罐"), ("safety_stock", D(20))))
    )
    services.receive_stock(uow_factory(), make_context(NOW - timedelta(days=1)), c.ReceiveStock("A001", D(24), unit_price=D("2.5")))
    with uow_factory().writing() as uow:
        uow.members.add(Member(1001, "老王", Role.OWNER, joined_at=NOW))
        uow.chats.bind(GROUP, 1001, NOW)
        uow.alerts.subscribe(Subscription(GROUP, Topic.STOCK, 1001, NOW))
        uow.commit()


def outbox(engine) -> list[tuple]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text("SELECT chat_id, rule, subject, status FROM alert_outbox ORDER BY id"))]


def test_a_condition_is_queued_once_cleared_and_queued_again_when_it_recurs(engine, uow_factory):
    seed(uow_factory)
    services.issue_stock(uow_factory(), make_context(NOW), c.IssueStock("A001", D(16), unit_price=D("3.5")))
    assert s.evaluate(uow_factory(), NOW + timedelta(minutes=1)).queued == 1
    assert s.evaluate(uow_factory(), NOW + timedelta(minutes=2)).queued == 0
    services.receive_stock(uow_factory(), make_context(NOW), c.ReceiveStock("A001", D(50)))
    assert s.evaluate(uow_factory(), NOW + timedelta(minutes=3)).cleared == 1
    services.issue_stock(uow_factory(), make_context(NOW), c.IssueStock("A001", D(50)))
    assert s.evaluate(uow_factory(), NOW + timedelta(minutes=4)).queued == 1
    assert outbox(engine) == [(GROUP, "low_stock", "A001", "pending")] * 2
    (first, second) = s.claim(uow_factory(), NOW + timedelta(minutes=5), "me", timedelta(minutes=1))
    # The alert comes back exactly as it was written (Decimals and all): 16 sold in 7 days.
    assert (first.alert.code, first.alert.on_hand, first.alert.daily, first.alert.days_left) == ("A001", D("8"), D("2.29"), D("3.5"))
    assert (second.alert.on_hand, second.alert.daily) == (D("8"), D("9.43")) and first.period != second.period


def test_settings_subscriptions_and_conditions_round_trip(uow_factory):
    with uow_factory().writing() as uow:
        assert uow.alerts.settings() == AlertSettings()
        uow.alerts.save_settings(AlertSettings(time(20, 30), time(22), time(8), 14, 5, 45))
        assert uow.alerts.subscribe(Subscription(GROUP, Topic.DIGEST, 1001, NOW))
        assert not uow.alerts.subscribe(Subscription(GROUP, Topic.DIGEST, 1002, NOW))
        assert uow.alerts.subscribe(Subscription(GROUP, Topic.STOCK, 1001, NOW))
        uow.commit()
    with uow_factory().writing() as uow:
        assert uow.alerts.settings() == AlertSettings(time(20, 30), time(22), time(8), 14, 5, 45)
        assert [sub.topic for sub in uow.alerts.subscriptions(GROUP)] == [Topic.STOCK, Topic.DIGEST]
        assert uow.alerts.unsubscribe(GROUP, Topic.DIGEST) and not uow.alerts.unsubscribe(GROUP, Topic.DIGEST)
        assert uow.alerts.deactivate_chat(GROUP) == [Topic.STOCK]  # 日报 was ended above
        assert uow.alerts.subscriptions() == []
        assert uow.alerts.subscribe(Subscription(GROUP, Topic.DIGEST, 1003, NOW))  # subscribed again
        uow.commit()
    with uow_factory() as uow:
        assert [(sub.topic, sub.subscribed_by) for sub in uow.alerts.subscriptions()] == [(Topic.DIGEST, 1003)]


def test_the_outbox_refuses_a_second_row_with_the_same_dedupe_key(engine, uow_factory):
    with uow_factory().writing() as uow:
        assert uow.alerts.enqueue(entry("A001"))
        assert not uow.alerts.enqueue(entry("A001"))  # the same chat, rule, subject and period
        assert uow.alerts.enqueue(entry("A001", chat=GROUP - 1))
        assert uow.alerts.enqueue(entry("A001", period="p2"))
        uow.commit()
    assert len(outbox(engine)) == 3


def test_a_claim_is_a_lease_and_only_the_holder_may_close_it(uow_factory):
    with uow_factory().writing() as uow:
        uow.alerts.enqueue(entry("A001"))
        uow.alerts.enqueue(entry("A002", not_before=NOW + timedelta(hours=1)))  # quiet hours
        uow.commit()
    lease = timedelta(minutes=2)
    (taken,) = s.claim(uow_factory(), NOW, "one", lease)
    assert taken.alert.subject == "A001"
    assert s.claim(uow_factory(), NOW + timedelta(minutes=1), "two", lease) == []
    (again,) = s.claim(uow_factory(), NOW + lease + timedelta(seconds=1), "two", lease)
    assert again.id == taken.id
    assert s.delivered(uow_factory(), [taken.id], "one", NOW) == 0
    assert s.retry(uow_factory(), [again], "two", NOW + lease, "Bad Gateway", timedelta(seconds=30))
    assert s.claim(uow_factory(), NOW + lease + timedelta(seconds=2), "three", lease) == []
    later = NOW + timedelta(hours=1)
    both = s.claim(uow_factory(), later, "three", lease)
    assert sorted(e.alert.subject for e in both) == ["A001", "A002"] and max(e.attempts for e in both) == 1
    assert s.delivered(uow_factory(), [e.id for e in both], "three", later) == 2
    assert s.claim(uow_factory(), later + timedelta(days=1), "four", lease) == []


def test_a_gone_chat_fails_its_rows_and_queues_the_owners_notice(engine, uow_factory):
    seed(uow_factory)
    with uow_factory().writing() as uow:
        uow.alerts.enqueue(entry("A001"))
        uow.alerts.enqueue(entry("A002"))
        uow.commit()
    (first, _) = s.claim(uow_factory(), NOW, "me", timedelta(minutes=1))
    owners = s.chat_gone(uow_factory(), GROUP, [first.id], "me", NOW, "Forbidden: bot was kicked from the group chat")
    assert owners == [1001]
    assert outbox(engine) == [
        (GROUP, "low_stock", "A001", "failed"),
        (GROUP, "low_stock", "A002", "failed"),
        (1001, "chat_gone", str(GROUP), "pending"),
    ]


def test_the_days_figures_leave_out_undone_issues_and_count_every_warehouse(uow_factory):
    seed(uow_factory)
    services.add_warehouse(uow_factory(), make_context(NOW), c.AddWarehouse("二仓"))
    services.receive_stock(uow_factory(), make_context(NOW), c.ReceiveStock("A001", D(6), unit_price=D("2.5"), warehouse="二仓"))
    services.issue_stock(uow_factory(), make_context(NOW), c.IssueStock("A001", D(4), unit_price=D("3.5")))
    services.issue_stock(uow_factory(), make_context(NOW), c.IssueStock("A001", D(2), unit_price=D("3.5")))
    history.undo(uow_factory(), make_context(NOW), c.Undo(None, confirmed=True))  # the second issue
    with uow_factory() as uow:
        figures = uow.alerts.day_figures(NOW - timedelta(hours=1), NOW + timedelta(hours=1))
        (level,) = uow.alerts.stock_levels(NOW - timedelta(days=7))
    assert (figures.sales, figures.cost, figures.issue_count) == (D("14.00"), D("10.00"), 1)
    assert (figures.receipts, figures.receipt_count) == (D("15.00"), 1)  # yesterday's is outside the day
    assert (level.on_hand, level.sold) == (D("26"), D("4"))


def test_housekeeping_forgets_old_update_ids_expired_confirmations_and_old_sent_rows(engine, uow_factory, workspace_id):
    with engine.begin() as connection:
        for update_id, age in ((1, 8), (2, 6)):
            connection.execute(
                text("INSERT INTO processed_update (workspace_id, update_id, chat_id, recorded_at) VALUES (:w, :u, 1, :t)"),
                {"w": workspace_id, "u": update_id, "t": (NOW - timedelta(days=age)).replace(tzinfo=None)},
            )
    with uow_factory().writing() as uow:
        uow.confirmations.add(PendingConfirmation("old", 1, 1, "出库 A001 1", NOW - timedelta(minutes=1)))
        uow.confirmations.add(PendingConfirmation("new", 1, 1, "出库 A001 1", NOW + timedelta(minutes=1)))
        uow.alerts.enqueue(OutboxEntry(GROUP, low("A001"), "p", NOW - timedelta(days=31), NOW - timedelta(days=31)))
        uow.alerts.enqueue(OutboxEntry(GROUP, low("A002"), "p", NOW - timedelta(days=31), NOW - timedelta(days=31)))
        uow.commit()
    (sent, _) = s.claim(uow_factory(), NOW, "me", timedelta(minutes=1))
    s.delivered(uow_factory(), [sent.id], "me", NOW)
    assert prune_housekeeping(engine, NOW) == {"processed_update": 1, "confirmation": 1, "alert_outbox": 1}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT update_id FROM processed_update")).scalars().all() == [2]
        assert connection.execute(text("SELECT token FROM confirmation")).scalars().all() == ["new"]
        assert connection.execute(text("SELECT subject FROM alert_outbox")).scalars().all() == ["A002"]  # pending stays


# ---- two processes, one outbox ----------------------------------------------------------------------

SENDER = textwrap.dedent(
    """
    import json, os, sys, time
    from datetime import datetime, timedelta, timezone
    from domain import alert_services as s
    from storage.db import make_engine
    from storage.unit_of_work import SqlUnitOfWork

    url, workspace, name, go = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    engine = make_engine(url)
    engine.connect().close()
    now = datetime(2026, 11, 22, 3, 0, tzinfo=timezone.utc)
    open(go + "." + name, "w").close()  # ready
    while not os.path.exists(go):  # both start claiming at the same moment
        time.sleep(0.005)
    got = []
    while True:
        entries = s.claim(SqlUnitOfWork(engine, workspace), now, name, timedelta(minutes=5), 2)
        if not entries:
            break
        ids = [e.id for e in entries]
        time.sleep(0.02)  # sending takes a moment, as it does over the network (and lets the other in)
        assert s.delivered(SqlUnitOfWork(engine, workspace), ids, name, now) == len(ids)
        got += ids
    print(json.dumps(got))
    """
)


@pytest.mark.slow
def test_two_processes_never_claim_the_same_row(engine, uow_factory, workspace_id, database_url, tmp_path):
    with uow_factory().writing() as uow:
        for n in range(80):
            uow.alerts.enqueue(entry(f"P{n:03d}"))
        uow.commit()
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    senders = [
        subprocess.Popen(
            [sys.executable, "-c", SENDER, database_url, str(workspace_id), name, str(go)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
        )
        for name in ("first", "second")
    ]
    deadline = clock.monotonic() + 60
    while not all((tmp_path / f"go.{name}").exists() for name in ("first", "second")):  # both imported and connected
        assert clock.monotonic() < deadline, "the senders did not start"
        clock.sleep(0.02)
    go.touch()
    results = []
    for sender in senders:
        out, err = sender.communicate(timeout=120)
        assert sender.returncode == 0, err
        results.append(json.loads(out))
    first, second = map(set, results)
    assert not first & second, "a row was claimed by both processes"
    assert len(first | second) == 80 and len(results[0]) + len(results[1]) == 80
    assert first and second, "one process did all the work: no contention was tested"
    assert {status for *_, status in outbox(engine)} == {"sent"}


@pytest.mark.slow
def test_two_evaluations_at_the_same_moment_queue_a_condition_once(engine, uow_factory):
    import threading

    seed(uow_factory)
    services.issue_stock(uow_factory(), make_context(NOW), c.IssueStock("A001", D(16)))
    start = threading.Barrier(2)
    results: list[int] = []

    def evaluate(offset: int) -> None:
        start.wait()
        results.append(s.evaluate(uow_factory(), NOW + timedelta(seconds=offset)).queued)

    threads = [threading.Thread(target=evaluate, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results) == [0, 1]
    assert outbox(engine) == [(GROUP, "low_stock", "A001", "pending")]
