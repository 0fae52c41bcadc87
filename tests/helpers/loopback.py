"""One real HTTP server on 127.0.0.1 for every test that talks HTTP: health endpoints, Slack and
Telegram, GitHub's issues API, a tenant admin service.

It keeps every request and answers what the test says: `status`, `body` (bytes, text, JSON for
a dict or list, or a function of the request's path giving one), `content_type` and `delay`, or
for a conversation, an `answer(request)` function; HTTPS with `tls` (see helpers/certs.py). A
delay ends when the server stops, so a hanging server never holds a test's teardown.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Body = bytes | str | dict[str, Any] | list[Any]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Body = b""
    content_type: str = ""  # by default: JSON for a dict or list, else text/plain
    delay: float = 0.0
    drop: bool = False  # close the connection without answering (a dropped answer)
    headers: dict[str, str] | None = None


def _encode(body: Body, content_type: str) -> tuple[bytes, str]:
    if isinstance(body, dict | list):
        return json.dumps(body).encode(), content_type or "application/json"
    if isinstance(body, str):
        body = body.encode()
    return body, content_type or "text/plain"


class Loopback:
    def __init__(
        self,
        *,
        path: str = "/",
        status: int = 200,
        body: Body | Callable[[str], Body] = b"ok",
        content_type: str = "",
        delay: float = 0.0,
        answer: Callable[[Request], Reply] | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.path = path  # what `url` points at; any path is answered
        self.status = status
        self.body = body
        self.content_type = content_type
        self.delay = delay
        self.answer = answer  # when set, it decides; the four attributes above are ignored
        self.tls = tls  # a server context: HTTPS, with its certificate
        self.received: list[Request] = []
        self.lock = threading.Lock()  # held while a request is recorded and answered
        self._released = threading.Event()
        self._port = 0
        self._server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        return self._port

    @property
    def base(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self._port}"

    @property
    def url(self) -> str:
        return self.base + self.path

    def _reply(self, request: Request) -> Reply:
        with self.lock:
            self.received.append(request)
            if self.answer is not None:
                return self.answer(request)
            body = self.body(request.path) if callable(self.body) else self.body
            return Reply(self.status, body, self.content_type, self.delay)

    def start(self) -> Loopback:
        """Listen (again: a restart comes back on the same port) and serve in a thread."""
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                request = Request(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                )
                reply = stub._reply(request)
                if reply.delay:
                    stub._released.wait(reply.delay)
                if reply.drop:
                    self.close_connection = True
                    return
                payload, content_type = _encode(reply.body, reply.content_type)
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", content_type)
                    self.send_header("content-length", str(len(payload)))
                    for name, value in (reply.headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, *args: object) -> None:
                pass

        self._released.clear()
        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        if self.tls is not None:
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        self._server.daemon_threads = True
        self._port = self._server.server_address[1]
        # A short poll interval: shutdown() waits for the loop to notice.
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
