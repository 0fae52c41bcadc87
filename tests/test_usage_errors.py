"""A mistyped command line, on every subcommand, is one line on stderr (what is wrong and where
its --help is), exit 2, no usage block, and nothing done: not even the journal is created."""

from __future__ import annotations

from pathlib import Path

import pytest

from warroom.cli import main

from .conftest import isolated_env

USAGE_ERRORS = [
    (["bogus"], "invalid choice: 'bogus'"),
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["--db"], "--db: expected one argument"),
    (["declare"], "required: --title, --severity"),
    (["declare", "--title", "x", "--severity", "SEV-9"], "unknown severity"),
    (["event"], "required: KIND, TEXT"),
    (["event", "bogus", "text"], "unknown kind"),
    (["severity"], "required: SEVERITY (see"),
    (["list", "--open", "--resolved"], "not allowed with"),
    (["show"], "required: ID"),
    (["show", "abc"], "bad incident id"),
    (["export"], "required: ID"),
    (["export", "1", "--template"], "expected one argument"),
    (["report", "--since", "x"], "bad duration"),
    (["check", "--bogus"], "unrecognized arguments"),
    (["update", "--bogus"], "unrecognized arguments"),
    (["outbox"], "outbox needs list, retry or discard"),
    (["outbox", "bogus"], "invalid choice"),
    (["outbox", "discard"], "warroom outbox discard: the following arguments are required: ID"),
    (["outbox", "discard", "abc"], "bad message number"),
    (["mitigate"], "mitigate needs list or run"),
    (["mitigate", "bogus"], "invalid choice"),
    (["mitigate", "run"], "warroom mitigate run: the following arguments are required: NAME"),
    (["action-items"], "action-items needs list, export, add or done"),
    (["action-items", "export"], "one of the arguments --format --github is required"),
    (["action-items", "export", "--format", "xml"], "invalid choice: 'xml'"),
    (["action-items", "export", "--format", "csv", "--github", "a/b"], "not allowed with"),
    (["action-items", "list", "--bogus"], "unrecognized arguments"),
    (["demo", "--bogus"], "unrecognized arguments"),
    (["demo", "--fail-after", "x"], "bad duration"),
    (["demo", "--scenario"], "expected one argument"),
]


@pytest.mark.parametrize(("argv", "said"), USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS])
def test_a_usage_error_is_one_line_and_exit_2(
    argv: list[str],
    said: str,
    home: Path,
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    for name, value in isolated_env(home, WARROOM_DB=str(db)).items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(home)
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own exit
        code = exc.code
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("warroom") and said in err, err
    assert "usage:" not in err
    assert not db.parent.exists()
