"""Hostile and careless input on the command line: read-only means read-only wherever the flag
stands, confirmations come from a person, names and text cannot reach the terminal raw, `-o`
writes through what it names, and every bad value is one line and exit 2 (issue 10)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from warroom.backlog import csv_cell
from warroom.cli import main
from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.store import SqliteJournal

from .conftest import Result, isolated_env
from .conftest import seed_ecs as seed
from .test_actions import backend_task_definition
from .test_outbox import SLACK_ENV, TELEGRAM_ENV, TOKEN, Receiver


@pytest.fixture
def run(
    home: Path, db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., Result]:
    """`warroom ARGS` in this process (no interpreter start-up), against the test's journal."""
    for name, value in isolated_env(home, WARROOM_DB=str(db)).items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(home)

    def call(*args: str) -> Result:
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's own exit on a bad argument
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return call


def one_line_error(result: Result, *needles: str) -> None:
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


# 1. --read-only before or after the subcommand, or in the config -------------------------------


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """Slack, Telegram and GitHub on one loopback server that records every request."""
    stub = Receiver().start()
    monkeypatch.setenv(SLACK_ENV, f"{stub.base}/services/T0/B0/hooksecret")
    monkeypatch.setenv(TELEGRAM_ENV, TOKEN)
    yield stub
    stub.stop()


def config_file(path: Path, aws: str, receiver: Receiver, *, read_only: bool = False) -> Path:
    path.write_text(
        f"""read_only = {"true" if read_only else "false"}
[aws]
region = "me-south-1"
endpoint_url = "{aws}"
[ecs]
cluster = "saas-prod"
services = ["saas-backend", "saas-worker"]
[notify]
channels = ["slack", "telegram"]
[notify.slack]
webhook_url_env = "{SLACK_ENV}"
[notify.telegram]
bot_token_env = "{TELEGRAM_ENV}"
chat_id = "-100"
api_url = "{receiver.base}"
[github]
api_url = "{receiver.base}"
"""
    )
    return path


CHANGING_COMMANDS = {
    "mitigate run": ["mitigate", "run", "rollback", "--target", "saas-backend", "--yes"],
    "update --post": ["update", "--post", "--text", "Investigating alarm api-5xx."],
    "outbox retry": ["outbox", "retry"],
    "action-items export --github": ["action-items", "export", "--github", "acme/api"],
}


async def add_action_item(db: Path) -> None:
    async with WarRoom(await SqliteJournal.open(db), author="ana", runbook=load_runbook()) as room:
        await room.add_action_item(1, "Alarm on migration locks", owner="ana")


@pytest.mark.parametrize("command", CHANGING_COMMANDS)
def test_read_only_refuses_every_outside_change_wherever_it_is_said(
    run, home, db, aws, receiver, monkeypatch, command
):
    seed(aws)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_readonlytesttoken0000000000000000")
    plain = config_file(home / "plain.toml", aws, receiver)
    in_config = config_file(home / "read-only.toml", aws, receiver, read_only=True)
    assert (
        run("--config", str(plain), "declare", "--title", "API down", "--severity", "1").returncode
        == 0
    )
    # Something for `outbox retry` and the GitHub export to act on: an update kept unsent, an
    # open action item with no issue yet.
    receiver.script = [500, 500]
    assert run("--config", str(plain), "update", "--post", "--text", "first").returncode == 1
    asyncio.run(add_action_item(db))
    receiver.received.clear()
    args = CHANGING_COMMANDS[command]
    sub, rest = args[0], args[1:]
    positions = {
        "before": ["--config", str(plain), "--read-only", *args],
        "after": ["--config", str(plain), *args, "--read-only"],
        "config": ["--config", str(in_config), *args],
    }
    if sub in ("outbox", "mitigate", "action-items"):
        positions["after"] = ["--config", str(plain), sub, rest[0], "--read-only", *rest[1:]]
    for where, argv in positions.items():
        result = run(*argv)
        if sub == "mitigate":  # an attempt refused: journaled, exit 1, read-only said first
            assert result.returncode == 1, result
            assert result.stdout.startswith("read-only mode: rollback"), result
            assert result.stdout.rstrip().endswith("refused: read-only mode"), result
        else:
            one_line_error(result, "read-only mode")
        assert receiver.requests == [], where
    assert backend_task_definition(aws) == "saas-backend:3"


# 2. A confirmation comes from a person at a terminal, never from a pipe ------------------------


def mitigate_process(home: Path, db: Path, config: Path, stdin: int | None, *extra: str):
    env = isolated_env(home, WARROOM_DB=str(db))
    argv = ["mitigate", "run", "rollback", "--target", "saas-backend", *extra]
    return subprocess.Popen(
        [sys.executable, "-m", "warroom", "--config", str(config), *argv],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=home,
    )


def test_a_piped_or_empty_stdin_never_confirms(run, home, db, aws, receiver):
    seed(aws)
    config = config_file(home / "warroom.toml", aws, receiver)
    run("--config", str(config), "declare", "--title", "API down", "--severity", "1")
    for feed in (b"saas-backend\n", b"y\n", None):
        stdin = subprocess.PIPE if feed is not None else subprocess.DEVNULL
        proc = mitigate_process(home, db, config, stdin)
        out, err = proc.communicate(feed, timeout=60)
        assert proc.returncode == 2, (out, err)
        assert err.decode().strip() == (
            "warroom: no terminal to confirm on: pass --yes to run without asking"
        )
    assert backend_task_definition(aws) == "saas-backend:3"


def test_the_name_typed_at_a_terminal_confirms(run, home, db, aws, receiver):
    seed(aws)
    config = config_file(home / "warroom.toml", aws, receiver)
    run("--config", str(config), "declare", "--title", "API down", "--severity", "1")
    controller, terminal = os.openpty()
    try:
        proc = mitigate_process(home, db, config, terminal)
        os.write(controller, b"saas-backend\n")
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(controller)
        os.close(terminal)
    assert proc.returncode == 0, (out, err)
    assert backend_task_definition(aws) == "saas-backend:2"


# 4. A name is cleaned and limited wherever it comes from --------------------------------------


def test_an_author_name_with_escapes_never_reaches_the_terminal(run, monkeypatch, home):
    monkeypatch.setenv("WARROOM_USER", "evil\x1b]2;PWNED\x07 \x1b[31mred\x1b[0m\n" + "x" * 100_000)
    assert run("declare", "--title", "API down", "--severity", "1").returncode == 0
    assert run("event", "note", "hello").returncode == 0
    shown = run("show", "1")
    assert "\x1b" not in shown.stdout and "\x07" not in shown.stdout
    authors = {e["author"] for e in json.loads(run("show", "1", "--json").stdout)["events"]}
    (author,) = authors
    assert author.startswith("evil red xxx") and len(author) == 64
    assert "\x1b" not in run("check").stdout


@pytest.mark.parametrize("name", ["evil\x1b]2;PWNED\x07", "x" * 1_000_000, "two\nlines"])
def test_a_config_user_name_that_is_not_one_short_line_is_a_config_error(run, home, name):
    config = home / "warroom.toml"
    config.write_text(f"[user]\nname = {json.dumps(name)}\n")
    one_line_error(run("--config", str(config), "list"), "user.name", "one line")


# 5. -o writes through what it names -----------------------------------------------------------


@pytest.fixture
def exported(run) -> Callable[..., Result]:
    assert run("declare", "--title", "API down", "--severity", "1").returncode == 0

    def export_to(path: Path | str) -> Result:
        return run("export", "1", "-o", str(path))

    return export_to


def test_o_writes_through_a_symlink_to_a_file(exported, tmp_path):
    target = tmp_path / "real.md"
    target.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    assert exported(link).returncode == 0
    assert link.is_symlink()
    assert target.read_text().startswith("# Incident Post-Mortem: API down")


def test_o_writes_into_a_device_and_a_fifo_in_place(exported, tmp_path):
    null = tmp_path / "null"
    null.symlink_to("/dev/null")
    assert exported(null).returncode == 0
    assert null.is_symlink() and stat.S_ISCHR(os.stat("/dev/null").st_mode)

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    assert exported(fifo).returncode == 0
    reader.join(10)
    assert got and got[0].startswith(b"# Incident Post-Mortem: API down")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_o_into_a_full_device_fails_and_leaves_it(exported, tmp_path):
    full = tmp_path / "full"
    full.symlink_to("/dev/full")
    result = exported(full)
    one_line_error(result, "cannot write", "No space left on device")
    assert "wrote" not in result.stderr
    assert full.is_symlink() and stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_o_into_a_process_substitution(home, db):
    """`-o >(cmd)` names /dev/fd/N: a pipe the command reads."""
    env = isolated_env(home, WARROOM_DB=str(db))
    warroom = [sys.executable, "-m", "warroom"]
    subprocess.run([*warroom, "declare", "--title", "API down", "--severity", "1"], env=env)
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(
        [*warroom, "export", "1", "-o", f"/dev/fd/{write_end}"],
        pass_fds=(write_end,),
        env=env,
        stderr=subprocess.PIPE,
    )
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    assert proc.wait(60) == 0, proc.stderr.read() if proc.stderr else ""
    assert data.startswith(b"# Incident Post-Mortem: API down")


def test_o_modes_follow_the_umask_and_an_existing_file_keeps_its_own(exported, tmp_path):
    old = os.umask(0o077)
    try:
        assert exported(tmp_path / "new.md").returncode == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.md").st_mode) == 0o600
    kept = tmp_path / "kept.md"
    kept.write_text("old")
    kept.chmod(0o640)
    assert exported(kept).returncode == 0
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o640
    assert kept.read_text().startswith("# Incident Post-Mortem")


# 6. Text that is not UTF-8 -------------------------------------------------------------------


def test_arguments_that_are_not_utf8_are_refused(run):
    assert run("declare", "--title", "API down", "--severity", "1").returncode == 0
    for argv in (
        ["event", "--incident", "1", "note", "bad \udcff"],
        ["declare", "--title", "t\udcff", "--severity", "1"],
        ["declare", "--title", "t", "--severity", "2", "--tenant", "\udcff"],
        ["severity", "SEV-2", "because \udcff"],
    ):
        one_line_error(run(*argv), "not valid UTF-8", "\\xff")
    events = json.loads(run("show", "1", "--json").stdout)["events"]
    assert len(events) == 1 and len(json.loads(run("list", "--json").stdout)) == 1


async def test_an_incident_already_holding_bad_text_still_shows_and_exports(db, tmp_path):
    journal = await SqliteJournal.open(db)
    async with WarRoom(journal, author="ana", runbook=load_runbook()) as room:
        from warroom.model import Scope
        from warroom.severity import Severity

        # A tenant that is not UTF-8, stored by an older warroom (the scope is JSON).
        incident = await journal.create_incident(
            title="API down",
            severity=Severity.SEV2,
            scope=Scope(("\udcff",), ()),
            author="ana",
            detected_at=room.now(),
            detected_text="alarm",
            recorded_at=room.now(),
        )
        out = tmp_path / "pm.md"
        await room.export_postmortem(incident, output=out)
    assert "single tenant (\N{REPLACEMENT CHARACTER})" in out.read_text()


def test_show_and_export_of_bad_text_print_replacements(run, db):
    async def seed_bad() -> None:
        from warroom.model import Scope
        from warroom.severity import Severity
        from warroom.timeutil import utcnow

        journal = await SqliteJournal.open(db)
        await journal.create_incident(
            title="API down",
            severity=Severity.SEV2,
            scope=Scope(("\udcff",), ()),
            author="ana",
            detected_at=utcnow(),
            detected_text="alarm",
            recorded_at=utcnow(),
        )
        await journal.close()

    asyncio.run(seed_bad())
    for argv in (["show", "1"], ["show", "1", "--json"], ["export", "1"], ["list"]):
        result = run(*argv)
        assert result.returncode == 0, (argv, result)


# 8. Tracebacks become one line and exit 2 ----------------------------------------------------

BAD_ARGUMENTS = [
    ["show", "INC-99999999999999999999"],
    ["event", "--incident", "99999999999999999999", "note", "x"],
    ["severity", "--incident", "INC-99999999999999999999", "SEV-2"],
    ["outbox", "discard", "99999999999999999999"],
    ["event", "--at", "0001-01-01T00:00:00Z", "note", "x"],
    ["event", "--at", "0999-06-01T00:00:00Z", "note", "x"],
    ["event", "--at", "0001-01-01T00:00:00+05:00", "note", "x"],
    ["event", "--at", "9999-12-31T23:59:59-05:00", "note", "x"],
    ["report", "--since", "9999999999d"],
    ["report", "--since", "100000000w"],
    ["demo", "--fail-after", "99999999999999d", "--list-scenarios"],
    ["--db", "", "list"],
    ["show", "²"],
]


@pytest.mark.parametrize("argv", BAD_ARGUMENTS, ids=" ".join)
def test_bad_arguments_are_one_line_and_exit_2(run, argv):
    assert run("declare", "--title", "API down", "--severity", "1").returncode == 0
    one_line_error(run(*argv))


def test_a_config_duration_too_long_is_a_config_error(run, home):
    config = home / "warroom.toml"
    config.write_text('[logs]\nsince = "99999999999999999999d"\n')
    one_line_error(run("--config", str(config), "list"), "logs.since", "too long")


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b"{{ 1/0 }}", "ZeroDivisionError"),
        (b'{{ "%d" % "x" }}', "TypeError"),
        (b"\xff\xfe binary \x00", "not UTF-8"),
        (b"{{ nope }}", "'nope' is undefined"),
        (b"{% if %}", "postmortem.md.j2:1"),
    ],
)
def test_a_broken_template_is_one_line(run, tmp_path, body, said):
    assert run("declare", "--title", "API down", "--severity", "1").returncode == 0
    template = tmp_path / "postmortem.md.j2"
    template.write_bytes(body)
    one_line_error(run("export", "1", "--template", str(template)), said)


def test_an_unreadable_or_missing_template_is_one_line(run, tmp_path):
    assert run("declare", "--title", "API down", "--severity", "1").returncode == 0
    one_line_error(
        run("export", "1", "--template", "/nope/postmortem.md.j2"), "/nope/postmortem.md.j2"
    )
    if os.geteuid() != 0:  # root reads a 000 file anyway
        template = tmp_path / "postmortem.md.j2"
        template.write_text("x")
        template.chmod(0)
        one_line_error(run("export", "1", "--template", str(template)), "ermission denied")


def test_demo_workdir_that_cannot_be_a_directory(run, tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("")
    for workdir in (a_file, a_file / "below"):
        one_line_error(run("demo", "--serve-only", "--workdir", str(workdir)), str(workdir))


def test_run_from_a_deleted_directory(home, db):
    gone = home / "gone"
    gone.mkdir()
    script = (
        f"import os, sys; os.chdir({str(gone)!r}); os.rmdir({str(gone)!r}); "
        "sys.argv = ['warroom', 'list']; from warroom.__main__ import main; sys.exit(main())"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        env=isolated_env(home, WARROOM_DB=str(db)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "no incidents"


def test_ctrl_c_at_any_moment_is_quiet(home, db):
    """SIGINT at 12 moments of the first 200 ms of `warroom list`, counted from when the
    interpreter runs the entry point (before that it is Python's start-up, not ours): no
    traceback, status 130. A signal that lands after `list` is done, as the interpreter shuts
    down, ends the process by SIGINT itself (Python has put the default action back by then):
    just as quiet, and the shell reports it as 130 too."""
    import signal
    import time

    script = (
        "import sys; from warroom.__main__ import main; sys.argv = ['warroom', 'list']; "
        "sys.stdout.write('ready\\n'); sys.stdout.flush(); sys.exit(main())"
    )
    env = isolated_env(home, WARROOM_DB=str(db))
    for step in range(12):
        proc = subprocess.Popen(
            [sys.executable, "-c", script],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
        time.sleep(step * 0.017)  # the moment is the point of the test
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert "Traceback" not in err.decode(), (step, err.decode())
        quiet = (0, 130, -signal.SIGINT)
        assert proc.returncode in quiet, (step, proc.returncode, err.decode())


def test_ctrl_c_as_a_finished_command_exits_ends_it_quietly_with_its_output(home, db):
    """Ctrl+C while Python shuts down after `warroom list` (sent here from an exit handler: the
    moment the any-moment test rarely hits) ends the process at once, its output out, status 130.
    It used to break into whichever clean-up was running: in logging's, between taking a lock
    and the code that lets it go, which then failed with a traceback."""
    script = (
        "import atexit, signal, sys; from warroom.__main__ import main; "
        "atexit.register(signal.raise_signal, signal.SIGINT); "
        "sys.argv = ['warroom', 'list']; sys.exit(main())"
    )
    env = isolated_env(home, WARROOM_DB=str(db))
    proc = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert (proc.returncode, proc.stderr) == (130, "")
    assert proc.stdout == "no incidents\n"


def test_ctrl_c_while_the_event_loop_is_made_cancels_the_command_like_any_other(monkeypatch):
    """The moment the any-moment test rarely hits: Ctrl+C half-way through making the command's
    event loop. It used to leave a half-made loop and a command never started, which Python
    reported on the way out; now the command starts, is cancelled, and cleans up."""
    import signal
    import warnings

    from warroom.interrupts import run_command

    made = asyncio.events.new_event_loop

    def interrupted_while_making() -> asyncio.AbstractEventLoop:
        signal.raise_signal(signal.SIGINT)
        return made()

    monkeypatch.setattr(asyncio.events, "new_event_loop", interrupted_while_making)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # as __main__ sets it
    cleaned_up: list[str] = []

    async def command() -> int:
        try:
            await asyncio.sleep(30)
            return 0
        finally:
            cleaned_up.append("journal closed")

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "coroutine ... was never awaited" fails the test
            with pytest.raises(KeyboardInterrupt):
                run_command(command)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert cleaned_up == ["journal closed"]


# 9. Smaller ones ------------------------------------------------------------------------------


def test_multiline_text_stays_in_its_section_and_html_is_escaped(run):
    assert run("declare", "--title", "API <b>down</b>", "--severity", "1").returncode == 0
    run("event", "root_cause", "migration\n\n## Action Items\n- [x] everything fixed\n<script>")
    run("event", "note", "line one\n# Heading\n```\nfenced")
    text = run("export", "1").stdout
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings.count("## Action Items") == 1
    assert "<script>" not in text and "<b>" not in text
    assert "&lt;script>" in text and "\\## Action Items" in text
    assert "\n```" not in text and "\n  ```" not in text


def test_csv_cells_that_would_run_as_formulas_are_neutralised(run, db):
    async def items() -> None:
        async with WarRoom(
            await SqliteJournal.open(db), author="ana", runbook=load_runbook()
        ) as room:
            for text in ('=HYPERLINK("http://evil","click")', "+1", "-2", "@SUM(A1)"):
                await room.add_action_item(1, text, owner="=cmd|' /C calc'!A0")

    assert run("declare", "--title", "API down", "--severity", "1").returncode == 0
    asyncio.run(items())
    rows = list(
        csv.DictReader(io.StringIO(run("action-items", "export", "--format", "csv").stdout))
    )
    assert [r["text"][0] for r in rows] == ["'"] * 4
    assert {r["owner"] for r in rows} == {"'=cmd|' /C calc'!A0"}
    assert rows[0]["text"] == '\'=HYPERLINK("http://evil","click")'
    cells = [csv_cell(v) for v in ("\tx", "\rx", "a=b", 3, None, True)]
    assert cells == ["'\tx", "'\rx", "a=b", "3", "", "true"]


def test_an_entry_before_detection_is_refused_and_detected_moves_detection(run):
    declared = run(
        "declare", "--title", "API down", "--severity", "1", "--at", "2026-11-20T03:00:00Z"
    )
    assert declared.returncode == 0
    one_line_error(
        run("event", "--at", "2026-11-19T03:00:00Z", "acknowledged", "on it"),
        "before the incident was detected",
    )
    assert run("event", "--at", "2026-11-20T02:30:00Z", "detected", "alarm fired").returncode == 0
    assert run("event", "--at", "2026-11-20T02:40:00Z", "acknowledged", "on it").returncode == 0
    shown = json.loads(run("show", "1", "--json").stdout)
    assert shown["milestones"]["detected"] == "2026-11-20T02:30:00Z"


def test_a_huge_config_is_refused(run):
    one_line_error(run("--config", "/dev/zero", "list"), "/dev/zero", "larger than")


def test_the_console_layout_file_is_private(tmp_path):
    from warroom.ui.layout_state import LayoutState, save_layout, state_path

    db = tmp_path / "warroom.db"
    old = os.umask(0o022)
    try:
        save_layout(db, "ana", LayoutState(incident=1))
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(state_path(db, "ana")).st_mode) == 0o600
