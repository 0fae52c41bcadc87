"""Config files: found in order, read into typed values, and refused clearly when wrong."""

from __future__ import annotations

import dataclasses
import typing
from datetime import timedelta
from pathlib import Path

import pytest

from warroom.config import Config, UserConfig, db_path, load_config, whoami
from warroom.timeutil import parse_duration

from .conftest import REPO

BAD_FILES = {
    "syntax error": ("[ecs\ncluster = 'x'\n", "", "TOML syntax error"),
    "unknown key": ("[ecs]\ncluster = 'saas-prod'\nclustr = 'x'\n", "ecs.clustr", "unknown key"),
    "unknown section": ("[helth]\n", "helth", "unknown key"),
    "wrong type": (
        "[ecs]\ncluster = 'c'\nservices = 'saas-backend'\n",
        "ecs.services",
        "expected a list",
    ),
    "wrong type in list": (
        "[ecs]\ncluster = 'c'\nservices = [1]\n",
        "ecs.services[0]",
        "expected a string",
    ),
    "wrong type bool": ("read_only = 'yes'\n", "read_only", "expected true or false"),
    "bad duration": ("[logs]\nsince = '10 minutes'\n", "logs.since", "bad duration"),
    "duration as number": ("[sla]\np95_latency = 500\n", "sla.p95_latency", "expected a duration"),
    "missing required": ("[ecs]\nservices = ['a']\n", "ecs.cluster", "missing required value"),
    "missing required in list": (
        "[[health.endpoints]]\nname = 'api'\n",
        "health.endpoints[0].url",
        "missing required value",
    ),
    "bad value": ("[notify]\nchannel = 'pager'\n", "notify.channel", "is not one of"),
    "bad url": (
        "[[health.endpoints]]\nname = 'api'\nurl = 'api.example.com'\n",
        "health.endpoints[0].url",
        "must start with http",
    ),
    "secret in file": (
        "[notify.slack]\nwebhook_url = 'https://hooks.example/x'\n",
        "notify.slack.webhook_url",
        "secrets are never read from the config",
    ),
    "alarm severity unknown": (
        "[alarms]\nprefix = 'saas-'\n[alarms.severity]\n'saas-api' = 'SEV-9'\n",
        "alarms.severity.saas-api",
        "unknown severity 'SEV-9'",
    ),
    "alarm severity not a table": (
        "[alarms]\nseverity = 'SEV-1'\n",
        "alarms.severity",
        "expected a table",
    ),
    "rate over quota": (
        "[logs]\nmax_requests_per_second = 10\n",
        "logs.max_requests_per_second",
        "at most 5",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_config_gives_one_clear_line_and_exit_2(cli, tmp_path, case):
    text, key, problem = BAD_FILES[case]
    path = tmp_path / "warroom.toml"
    path.write_text(text)
    result = cli("--config", str(path), "check")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    message = result.stderr.strip()
    assert "\n" not in message
    assert message.startswith(f"warroom: config error: {path}: ")
    if key:
        assert f": {key}: " in message
    assert problem in message


def test_missing_config_file_named_explicitly(cli, tmp_path):
    result = cli("check", "--config", str(tmp_path / "nope.toml"))
    assert result.returncode == 2
    assert "nope.toml: file not found" in result.stderr


def test_bad_config_stops_every_command(cli, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[logs]\nsince = 'soon'\n")
    result = cli(
        "declare", "--title", "x", "--severity", "SEV-1", env={"WARROOM_CONFIG": str(path)}
    )
    assert result.returncode == 2
    assert "logs.since" in result.stderr


def test_example_config_holds_the_runbook_production_values():
    config = load_config(str(REPO / "config.example.toml"))
    assert config.aws.region == "me-south-1"
    assert config.ecs is not None
    assert config.ecs.cluster == "saas-prod"
    assert config.ecs.services == ("saas-backend", "saas-worker")
    assert [g.name for g in config.logs.groups] == ["/prod/backend", "/prod/worker"]
    assert config.logs.filter_pattern == "ERROR"
    assert config.logs.since == timedelta(minutes=10)
    assert config.health.endpoints[0].url == "https://api.yourdomain.com/api/v1/health"
    assert config.sla.p95_latency == timedelta(milliseconds=500)
    assert config.sla.uptime_percent == 99.5
    assert config.alarms.prefix == "saas-prod-"
    assert config.alarms.severity["saas-prod-api-5xx"] == "SEV-1"
    assert config.notify.channel == "slack"
    assert config.notify.slack.webhook_url_env == "WARROOM_SLACK_WEBHOOK_URL"


def _config_keys(cls: type) -> list[str]:
    """Every key a config file may hold, nested tables included."""
    names = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if f.metadata.get("internal"):
            continue
        names.append(f.name)
        hint = hints[f.name]
        inner = [hint, *typing.get_args(hint)]
        names += [n for t in inner if dataclasses.is_dataclass(t) for n in _config_keys(t)]
    return names


def test_example_config_documents_every_key():
    text = (REPO / "config.example.toml").read_text()
    assert [name for name in _config_keys(Config) if name not in text] == []


def test_config_is_found_in_order(tmp_path, monkeypatch):
    def write(path: Path, user: str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"[user]\nname = '{user}'\n")
        return path

    monkeypatch.delenv("WARROOM_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    assert load_config().source is None
    write(tmp_path / "xdg" / "warroom" / "config.toml", "from-xdg")
    assert load_config().user.name == "from-xdg"
    write(tmp_path / "warroom.toml", "from-cwd")
    assert load_config().user.name == "from-cwd"
    monkeypatch.setenv("WARROOM_CONFIG", str(write(tmp_path / "env.toml", "from-env")))
    assert load_config().user.name == "from-env"
    assert load_config(str(write(tmp_path / "flag.toml", "from-flag"))).user.name == "from-flag"


def test_db_path_order_and_relative_paths(tmp_path, monkeypatch):
    monkeypatch.delenv("WARROOM_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    config_file = tmp_path / "etc" / "warroom.toml"
    config_file.parent.mkdir()
    config_file.write_text("[journal]\ndb = 'journal/warroom.db'\n")
    assert db_path(Config()) == tmp_path / "data" / "warroom" / "warroom.db"
    config = load_config(str(config_file))
    assert db_path(config) == tmp_path / "etc" / "journal" / "warroom.db"
    monkeypatch.setenv("WARROOM_DB", str(tmp_path / "env.db"))
    assert db_path(config) == tmp_path / "env.db"
    assert db_path(config, str(tmp_path / "flag.db")) == tmp_path / "flag.db"


def test_author_order(monkeypatch):
    monkeypatch.setenv("WARROOM_USER", "env-user")
    monkeypatch.setenv("SUDO_USER", "sudo-user")
    assert whoami(Config(user=UserConfig(name="ana"))) == "ana"
    assert whoami(Config()) == "env-user"
    monkeypatch.delenv("WARROOM_USER")
    assert whoami(Config()) == "sudo-user"
    monkeypatch.delenv("SUDO_USER")
    assert whoami(Config())  # the login name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("500ms", timedelta(milliseconds=500)),
        ("5s", timedelta(seconds=5)),
        ("10m", timedelta(minutes=10)),
        ("48h", timedelta(hours=48)),
        ("90d", timedelta(days=90)),
        ("1h30m", timedelta(minutes=90)),
        ("1.5s", timedelta(seconds=1.5)),
    ],
)
def test_durations(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "10", "m", "10 minutes", "5x", "-5s", "5s!"])
def test_bad_durations(text):
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)
