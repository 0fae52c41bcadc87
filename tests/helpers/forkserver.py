"""Real child processes without paying Python's start-up for each one.

A zygote process imports warroom (and what its commands use) once; every run forks it. The child
is a real process: its own pid, exit status, standard streams, environment and working directory,
and `kill -9` kills it. It starts in a few milliseconds instead of ~0.3 s of CPU, which was a
quarter of the test suite's time (the CLI tests run some 300 commands).

Protocol, over a Unix socket: the client sends a length-prefixed JSON request with its three
standard streams attached (SCM_RIGHTS); the zygote forks, answers the child's pid, and later its
wait status on the same connection.
"""

from __future__ import annotations

import contextlib
import io
import json
import locale
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

# What a command uses, imported once in the zygote rather than in each child.
PRELOAD = (
    "warroom.cli",
    "warroom.service",
    "warroom.store",
    "warroom.export",
    "warroom.report",
    "warroom.backlog",
    "warroom.probe",
    "warroom.actions",
    "warroom.notify",
    "tests.helpers.writer",
    "boto3",
    "botocore.session",
    "httpx",
    "httpcore",  # httpx imports its transport on the first client
    "anyio._backends._asyncio",
    "jinja2",
)

# Read by the interpreter as it starts, so a fork cannot take them from the request: a command
# run with any of these changed gets a fresh interpreter instead.
_STARTUP_ENV = ("PYTHON", "LC_", "LANG")

_HEADER = struct.Struct("!I")  # a length or a pid
_STATUS = struct.Struct("!i")  # an exit code; minus the signal's number when killed by one


# --- the zygote -------------------------------------------------------------------------------


def _exit_code(code: object) -> int:
    """What the interpreter makes of `raise SystemExit(code)`."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _run_child(request: dict[str, Any]) -> None:
    """In the forked child: become `python -m MODULE ARGS` and never return."""
    import atexit
    import runpy
    import traceback

    code = 1
    try:
        if request.get("user"):
            _become(request["user"])
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()
        sys.path[0] = os.getcwd()  # what `python -m` puts first
        sys.argv = [request["module"], *request["args"]]
        try:
            runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as exc:
            code = _exit_code(exc.code)
        except BaseException:
            traceback.print_exc()
            code = 1
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


def _become(name: str) -> None:
    """Drop to another login, its groups included (the zygote runs as root in CI)."""
    import pwd

    entry = pwd.getpwnam(name)
    os.setgroups(os.getgrouplist(name, entry.pw_gid))
    os.setgid(entry.pw_gid)
    os.setuid(entry.pw_uid)


def _recv_exact(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def _warm() -> None:
    """What every command builds the same way (each caches it), built here for all children."""
    from warroom.cli import build_parser
    from warroom.runbook import load_runbook

    build_parser()
    load_runbook()


def serve(path: str) -> None:
    """The zygote's loop: one fork per request; ends when its parent (stdin) goes away.

    It listens before it imports: a client may connect at once, and waits in the backlog."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    for name in PRELOAD:
        __import__(name)
    _warm()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake_w)
    waiting: dict[int, socket.socket] = {}  # child pid -> the client's connection
    print("ready", flush=True)
    while True:
        readable, _, _ = select.select([listener, wake_r, sys.stdin], [], [])
        if sys.stdin in readable and not os.read(sys.stdin.fileno(), 1):
            return
        if wake_r in readable:
            os.read(wake_r, 4096)
        if listener in readable:
            conn, _ = listener.accept()
            header, fds, _, _ = socket.recv_fds(conn, _HEADER.size, 3)
            request = json.loads(_recv_exact(conn, _HEADER.unpack(header)[0]))
            pid = os.fork()
            if pid == 0:
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                for fd in (wake_r, wake_w):
                    os.close(fd)
                listener.close()
                conn.close()
                for target, fd in enumerate(fds):
                    os.dup2(fd, target)
                    os.close(fd)
                _run_child(request)
            for fd in fds:
                os.close(fd)
            conn.sendall(_HEADER.pack(pid))
            waiting[pid] = conn
        # Reap every child that ended and tell its client how.
        while waiting:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            conn = waiting.pop(pid)
            with contextlib.suppress(OSError):  # the client may have stopped listening
                conn.sendall(_STATUS.pack(os.waitstatus_to_exitcode(status)))
            conn.close()


# --- the client -------------------------------------------------------------------------------


class Child:
    """A forked command: a small part of `subprocess.Popen`'s interface."""

    def __init__(
        self, conn: socket.socket, pid: int, stdout: IO[str] | None, stderr: IO[bytes] | None
    ) -> None:
        self.pid = pid
        self.stdout = stdout
        self.returncode: int | None = None
        self._conn = conn
        self._stderr = stderr

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self._conn.settimeout(timeout)
            try:
                (self.returncode,) = _STATUS.unpack(_recv_exact(self._conn, _STATUS.size))
            except TimeoutError:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0) from None
            self._conn.close()
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        """The rest of stdout and stderr (when captured), once the child has ended."""
        out = self.stdout.read() if self.stdout is not None else ""
        self.wait(timeout)
        err = ""
        if self._stderr is not None:
            err = _text(self._stderr)
            self._stderr.close()
        return out, err


class Zygote:
    """The zygote process, owned by whoever started it: the test run's controller, shared by all
    its workers, or a lone pytest process. Clients reach it through a `ForkServer` on `path`."""

    def __init__(self, env: Mapping[str, str], cwd: Path) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="warroom-zygote-")
        self.path = os.path.join(self._dir.name, "zygote.sock")
        self.env = dict(env)
        self._log = open(os.path.join(self._dir.name, "zygote.log"), "w+b")  # noqa: SIM115
        self._proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                f"from tests.helpers.forkserver import serve; serve({self.path!r})",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            cwd=cwd,
            env=self.env,
        )
        # Bound (or failed) before it answers anything; what it imports comes after.
        while not os.path.exists(self.path) and self._proc.poll() is None:
            time.sleep(0.01)

    def ready(self) -> None:
        """Wait until it has imported what the commands use; fail with its log if it cannot."""
        assert self._proc.stdout is not None
        if self._proc.stdout.readline() != b"ready\n":
            self._log.seek(0)
            raise RuntimeError(f"the zygote did not start:\n{self._log.read().decode()}")

    def close(self) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()  # the zygote's cue to end
        self._proc.wait(timeout=10)
        self._log.close()
        self._dir.cleanup()


class ForkServer:
    """A client of a zygote: forks commands from it, from any process that can reach `path`."""

    def __init__(self, path: str, env: Mapping[str, str]) -> None:
        self.path = path
        self.env = dict(env)  # the zygote's: what it started with decides what it can fork
        self._lock = threading.Lock()

    def can_fork(self, env: Mapping[str, str]) -> bool:
        def startup(e: Mapping[str, str]) -> dict[str, str]:
            return {k: v for k, v in e.items() if k.startswith(_STARTUP_ENV)}

        return startup(env) == startup(self.env)

    def spawn(
        self,
        module: str,
        args: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        stdout: int | IO[Any],
        stderr: int | IO[Any],
        user: str | None = None,
    ) -> Child:
        """`python -m MODULE ARGS` forked from the zygote, stdin /dev/null; stdout and stderr
        go to open files, or with PIPE to `Child.stdout` (a pipe, read as it comes) and to
        `communicate()` (stderr, kept in a file until the end). `user`: run as that login
        (the zygote must be root)."""
        request = json.dumps(
            {
                "module": module,
                "args": list(args),
                "env": dict(env),
                "cwd": str(cwd),
                "user": user,
            }
        ).encode()
        opened: list[int] = [os.open(os.devnull, os.O_RDONLY)]
        fds: list[int] = [opened[0]]
        reader: IO[str] | None = None
        if stdout == subprocess.PIPE:
            r, w = os.pipe()
            reader = open(r, encoding=locale.getpreferredencoding(False))  # noqa: SIM115
            opened.append(w)
            fds.append(w)
        else:
            assert not isinstance(stdout, int)
            fds.append(stdout.fileno())
        kept: IO[bytes] | None = None
        if stderr == subprocess.PIPE:
            kept = tempfile.TemporaryFile()  # noqa: SIM115
            fds.append(kept.fileno())
        else:
            assert not isinstance(stderr, int)
            fds.append(stderr.fileno())
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with self._lock:
                conn.connect(self.path)
                socket.send_fds(conn, [_HEADER.pack(len(request))], fds)
                conn.sendall(request)
                (pid,) = _HEADER.unpack(_recv_exact(conn, _HEADER.size))
        except (OSError, EOFError) as exc:
            conn.close()
            log = os.path.join(os.path.dirname(self.path), "zygote.log")
            raise RuntimeError(f"the zygote did not answer ({exc!r}); its log: {log}") from exc
        except BaseException:
            conn.close()
            raise
        finally:
            for fd in opened:
                os.close(fd)
        return Child(conn, pid, reader, kept)

    def run(
        self,
        module: str,
        args: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        timeout: float,
        user: str | None = None,
    ) -> tuple[int, str, str]:
        """Like `subprocess.run(..., capture_output=True, text=True)`: code, stdout, stderr."""
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            child = self.spawn(module, args, env=env, cwd=cwd, stdout=out, stderr=err, user=user)
            try:
                code = child.wait(timeout)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
                raise
            return code, _text(out), _text(err)


def _text(file: IO[bytes]) -> str:
    """Decoded as `subprocess.run(text=True)` does: locale encoding, universal newlines."""
    file.seek(0)
    wrapper = io.TextIOWrapper(file, encoding=locale.getpreferredencoding(False))
    try:
        return wrapper.read()
    finally:
        wrapper.detach()
