"""Serving beyond polling: Telegram's webhook (python-telegram-bot's own server) and a small
``/healthz`` endpoint that reports whether the database answers.

PTB's webhook server (tornado) serves only the webhook path and offers no hook for more
routes, so the health endpoint is a second tornado server on its own port, running on the
same event loop. It serves polling mode as well (a container healthcheck needs it either way).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from tornado.httpserver import HTTPServer
from tornado.web import Application as TornadoApplication
from tornado.web import RequestHandler

log = logging.getLogger(__name__)

PROBE_TIMEOUT = 5.0  # seconds; a database that takes longer counts as unreachable
SECRET_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def parse_listen(value: str, default_port: int) -> tuple[str, int]:
    """``0.0.0.0:8443`` → ("0.0.0.0", 8443); ``:8443`` listens everywhere; no port → default."""
    host, sep, port = value.rpartition(":")
    if not sep:
        host, port = value, str(default_port)
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"listen address must look like 0.0.0.0:8443, got {value!r}")
    return host.strip("[]") or "0.0.0.0", int(port)


def webhook_secret(configured: str | None, token: str) -> str:
    """Telegram's ``X-Telegram-Bot-Api-Secret-Token`` (1–256 of ``A-Za-z0-9_-``).

    Without a configured one it is derived from the bot token, so that every replica of the
    same bot sends setWebhook with the same secret instead of overwriting each other's.
    """
    if configured:
        if len(configured) > 256 or not set(configured) <= SECRET_ALPHABET:
            raise ValueError("JXC_WEBHOOK_SECRET: 1–256 characters of A-Z a-z 0-9 _ -")
        return configured
    return hashlib.sha256(f"jxc-webhook:{token}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class WebhookPlan:
    """Where Telegram posts (``url``) and where this process listens for it."""

    url: str
    listen: str
    port: int
    path: str
    secret: str

    @classmethod
    def make(cls, url: str, listen: str, secret: str) -> WebhookPlan:
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.netloc:
            raise ValueError(f"the webhook URL must be https://…, got {url!r}")
        host, port = parse_listen(listen, 8443)
        return cls(url, host, port, parts.path.strip("/"), secret)


class _HealthHandler(RequestHandler):
    def initialize(self, probe: Callable[[], bool]) -> None:  # tornado's per-request set-up hook
        self._probe = probe

    async def get(self) -> None:
        try:
            reachable = await asyncio.wait_for(asyncio.to_thread(self._probe), PROBE_TIMEOUT)
        except TimeoutError:
            reachable = False
        self.set_status(200 if reachable else 503)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        body = {"status": "ok" if reachable else "error", "database": "ok" if reachable else "unreachable"}
        self.finish(json.dumps(body))


class HealthServer:
    """``GET /healthz`` → 200 ``{"status": "ok", "database": "ok"}`` or 503 when the database
    does not answer. Start and stop it on the bot's event loop."""

    def __init__(self, probe: Callable[[], bool], listen: str) -> None:
        self.host, self.port = parse_listen(listen, 8081)
        self._app = TornadoApplication([(r"/healthz", _HealthHandler, {"probe": probe})])
        self._server: HTTPServer | None = None

    def start(self) -> None:
        self._server = HTTPServer(self._app)
        try:
            self._server.listen(self.port, self.host)
        except OSError as error:
            # A taken port must not keep the shop's bot from serving; the operator sees why.
            log.error("health endpoint not started on %s:%s: %s", self.host, self.port, error)
            self._server = None
            return
        log.info("health endpoint on http://%s:%s/healthz", self.host, self.port)

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop()
            await server.close_all_connections()
