"""``jxc run --webhook``: real processes behind python-telegram-bot's webhook server, talking to
the fake Bot API. Telegram's POST is played by the test: with and without the secret header,
and — for two replicas on one PostgreSQL — the same update to both, as a retrying load
balancer would. Also the ``/healthz`` endpoint."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.webhook import HealthServer, WebhookPlan, parse_listen, webhook_secret
from tests.fakebotapi import FakeBotApi

ROOT = Path(__file__).resolve().parents[2]
SECRET = "jxc-test_Secret-42"
OWNER = 1001
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http(method: str, url: str, body: dict | None = None, headers: dict | None = None) -> tuple[int, str]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class Replica:
    """One ``jxc run --webhook`` process on its own ports."""

    def __init__(self, api: FakeBotApi, database_url: str, cwd: Path) -> None:
        self.port, self.health_port = free_port(), free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL", "JXC_"))}
        env.update(
            PYTHONPATH=str(ROOT),
            TELEGRAM_BOT_TOKEN=api.token,
            TELEGRAM_API_BASE_URL=api.base_url.removesuffix("/bot"),
            DATABASE_URL=database_url,
            JXC_OWNER_IDS=str(OWNER),
            JXC_WEBHOOK_SECRET=SECRET,
        )
        self.env = env
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "bot.cli", "run",
                "--webhook", "https://example.org/jxc",
                "--listen", f"127.0.0.1:{self.port}",
                "--health", f"127.0.0.1:{self.health_port}",
            ],
            cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.port}/jxc"

    @property
    def healthz(self) -> str:
        return f"http://127.0.0.1:{self.health_port}/healthz"

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.process.communicate()[0]
            try:
                # The webhook server is up when a secret-less POST is refused by it.
                if http("POST", self.webhook, {})[0] == 403 and http("GET", self.healthz)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("replica did not start")

    def post(self, update: dict, secret: str | None = SECRET) -> int:
        return http("POST", self.webhook, update, {SECRET_HEADER: secret} if secret else {})[0]

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        output, _ = self.process.communicate(timeout=30)
        assert self.process.returncode == 0, output
        return output


def count(database_url: str, sql: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql)).scalar()
    finally:
        engine.dispose()


@pytest.mark.slow
def test_webhook_mode_checks_the_secret_books_once_and_reports_health(tmp_path):
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    with FakeBotApi() as api:
        replica = Replica(api, url, tmp_path)
        try:
            registered = api.wait_for_call("setWebhook", timeout=60)
            assert registered["url"] == "https://example.org/jxc"
            assert registered["secret_token"] == SECRET
            replica.wait_ready()
            assert json.loads(http("GET", replica.healthz)[1]) == {"status": "ok", "database": "ok"}

            add = api.send_text("商品 新增 A001 可口可乐 单位 罐", user_id=OWNER)
            receive = api.send_text("入库 A001 12 单价 2.5", user_id=OWNER)
            # Without the header, or with another secret, nothing is processed.
            assert replica.post(add, secret=None) == 403
            assert replica.post(add, secret="wrong-secret") == 403
            time.sleep(0.5)
            assert api.sent_messages(OWNER) == []
            assert count(url, "SELECT count(*) FROM product") == 0

            assert replica.post(add) == 200
            api.wait_for_messages(1, chat_id=OWNER, timeout=30)
            assert replica.post(receive) == 200
            replies = api.wait_for_messages(2, chat_id=OWNER, timeout=30)
            assert replies[1]["text"].startswith("✅ 入库 12 罐 · A001 可口可乐 · 结存 12 罐")
            # Telegram retrying the same update books nothing twice.
            assert replica.post(receive) == 200
            again = api.wait_for_messages(3, chat_id=OWNER, timeout=30)[2]
            assert again["text"].startswith("ℹ️")
        finally:
            output = replica.stop()
    assert api.token not in output
    assert count(url, "SELECT count(*) FROM stock_movement") == 1
    check = subprocess.run(
        [sys.executable, "-m", "bot.cli", "check"], cwd=tmp_path, env=replica.env, capture_output=True, text=True, timeout=60
    )
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.slow
@pytest.mark.postgres
def test_two_replicas_on_one_postgresql_book_every_update_once(postgres_database, tmp_path):
    with FakeBotApi() as api:
        first = Replica(api, postgres_database, tmp_path)
        try:
            first.wait_ready()  # the first one migrates; the second finds the schema ready
            second = Replica(api, postgres_database, tmp_path)
            try:
                second.wait_ready()
                updates = [api.send_text("商品 新增 A001 可口可乐 单位 罐", user_id=OWNER)]
                updates += [api.send_text(f"入库 A001 {n} 单价 2", user_id=OWNER) for n in range(1, 11)]
                updates += [api.send_text("出库 A001 3", user_id=OWNER) for _ in range(5)]
                for update in updates:
                    # The same update reaches both replicas at the same moment.
                    with ThreadPoolExecutor(2) as pool:
                        assert list(pool.map(lambda r: r.post(update), (first, second))) == [200, 200]
                    messages = api.wait_for_messages(2 * (updates.index(update) + 1), chat_id=OWNER, timeout=30)
                    pair = [m["text"] for m in messages[-2:]]
                    # One replica booked it; the other was told it already took effect.
                    assert sum(t.startswith("✅") for t in pair) == 1, pair
                    assert sum(t.startswith("ℹ️") for t in pair) == 1, pair
            finally:
                second.stop()
        finally:
            first.stop()
    assert count(postgres_database, "SELECT count(*) FROM product") == 1
    assert count(postgres_database, "SELECT count(*) FROM stock_movement WHERE kind = 'receipt'") == 10
    assert count(postgres_database, "SELECT count(*) FROM stock_movement WHERE kind = 'issue'") == 5
    assert count(postgres_database, "SELECT quantity FROM stock_balance") == (55 - 15) * 1000
    assert count(postgres_database, "SELECT count(DISTINCT update_id) FROM processed_update") == len(updates)


def test_listen_addresses_and_webhook_urls_are_checked():
    assert parse_listen("0.0.0.0:8443", 1) == ("0.0.0.0", 8443)
    assert parse_listen(":9000", 1) == ("0.0.0.0", 9000)
    assert parse_listen("127.0.0.1", 8081) == ("127.0.0.1", 8081)
    for bad in ("host:port", "127.0.0.1:0", "127.0.0.1:70000"):
        with pytest.raises(ValueError):
            parse_listen(bad, 1)
    plan = WebhookPlan.make("https://example.org/jxc/hook", "0.0.0.0:8443", SECRET)
    assert (plan.path, plan.port) == ("jxc/hook", 8443)
    with pytest.raises(ValueError, match="https"):
        WebhookPlan.make("http://example.org/jxc", "0.0.0.0:8443", SECRET)


def test_the_webhook_secret_is_configured_or_the_same_for_every_replica():
    assert webhook_secret(SECRET, "1:abc") == SECRET
    derived = webhook_secret(None, "123:token")
    assert derived == webhook_secret(None, "123:token") != webhook_secret(None, "123:other")
    assert "token" not in derived and len(derived) == 64
    with pytest.raises(ValueError):
        webhook_secret("spaces are not allowed", "1:abc")


@pytest.mark.parametrize(("reachable", "status", "body"), [
    (True, 200, {"status": "ok", "database": "ok"}),
    (False, 503, {"status": "error", "database": "unreachable"}),
])
async def test_healthz_reports_whether_the_database_answers(reachable, status, body):
    import asyncio

    port = free_port()
    server = HealthServer(lambda: reachable, f"127.0.0.1:{port}")
    server.start()
    try:
        got = await asyncio.to_thread(http, "GET", f"http://127.0.0.1:{port}/healthz")
        missing = await asyncio.to_thread(http, "GET", f"http://127.0.0.1:{port}/other")
    finally:
        await server.stop()
    assert (got[0], json.loads(got[1])) == (status, body)
    assert missing[0] == 404


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--webhook", "http://example.org/jxc"], "https"),
        (["--webhook", "https://example.org/jxc", "--listen", "0.0.0.0:http"], "listen address"),
        (["--health", "127.0.0.1:99999"], "listen address"),
    ],
)
def test_jxc_run_refuses_a_bad_address_before_starting(args, says, monkeypatch, tmp_path, capsys):
    from bot import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'never.sqlite3'}")
    assert cli.main(["run", *args]) == 2
    assert says in capsys.readouterr().err
    assert not (tmp_path / "never.sqlite3").exists()  # nothing was opened, let alone changed
