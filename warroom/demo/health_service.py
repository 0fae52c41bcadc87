"""The demo's `GET /api/v1/health` on 127.0.0.1: answers are whatever the world says now."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HEALTH_PATH = "/api/v1/health"


@dataclass(frozen=True)
class HealthAnswer:
    status_code: int
    body: dict[str, Any]
    latency_ms: tuple[int, int]  # the answer is delayed by a random time in this range


class HealthService:
    """A threaded HTTP server in its own daemon thread; `answer` is asked on every request."""

    def __init__(self, answer: Callable[[], HealthAnswer], stopping: threading.Event) -> None:
        self._answer = answer
        self._stopping = stopping
        self._rng = random.Random()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.2},
            name="warroom-demo-health",
            daemon=True,
        )
        self._thread.start()
        host, port = server.server_address[:2]
        self.url = f"http://{host}:{port}{HEALTH_PATH}"
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def threads(self) -> tuple[threading.Thread, ...]:
        return () if self._thread is None else (self._thread,)

    def _delay(self, latency_ms: tuple[int, int]) -> None:
        low, high = latency_ms
        # An Event wait rather than sleep, so stop() is not held up by a slow answer.
        self._stopping.wait(self._rng.uniform(low, high) / 1000)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "saas-backend"
            sys_version = ""

            def do_GET(self) -> None:
                if self.path.split("?", 1)[0] != HEALTH_PATH:
                    self._send(404, {"status": "error", "detail": "not found"})
                    return
                answer = service._answer()
                service._delay(answer.latency_ms)
                self._send(answer.status_code, answer.body)

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.send_header("Cache-Control", "no-store")
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the checker gave up (its timeout); nothing to tell it

            def log_message(self, format: str, *args: Any) -> None:
                pass  # one stderr line per request would scribble over the console

        return Handler
