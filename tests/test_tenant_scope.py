"""The runbook's "single tenant issue: investigate tenant-specific data": a log pane's `t`
keeps only the lines that mention the incident's tenants, by the `[logs] tenant_pattern` rule,
on the demo world's own lines."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from warroom.config import ConfigError, LogGroupConfig, LogsConfig, load_config
from warroom.demo.scenarios import _bad_deploy_error
from warroom.model import Scope
from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.severity import Severity
from warroom.sources.logs import LogBatch, LogLine
from warroom.sources.status import SourceStatus
from warroom.store import SqliteJournal
from warroom.tenant_scope import DEFAULT_RULE, tenant_regex
from warroom.ui.logpane import LogPane

from .conftest import app_for, console_config


def demo_lines(count: int, seed: int = 7) -> list[str]:
    """What the demo's bad deploy writes to /prod/backend: `tenant=NAME` in every line."""
    rng = random.Random(seed)
    return [_bad_deploy_error(rng) for _ in range(count)]


def test_the_default_rule_matches_the_demo_tenant_and_only_it():
    scope = tenant_regex(DEFAULT_RULE, ["acme"])
    lines = demo_lines(200)
    kept = [line for line in lines if scope.search(line)]
    assert kept and len(kept) < len(lines)
    assert all("tenant=acme " in line for line in kept)
    assert not any("tenant=acme " in line for line in lines if line not in kept)
    assert not scope.search("ERROR tenant=acme-eu timeout")  # another tenant's name
    assert scope.search("ERROR tenant=ACME timeout")
    two = tenant_regex(DEFAULT_RULE, ["acme", "globex"])
    assert {line.split("tenant=")[1].split()[0] for line in lines if two.search(line)} == {
        "acme",
        "globex",
    }


def test_a_team_rule_takes_names_literally():
    scope = tenant_regex('"tenant_id": ?"{tenant}"', ["a.b"])
    assert scope.search('{"tenant_id": "a.b", "level": "ERROR"}')
    assert not scope.search('{"tenant_id": "axb"}')


def test_a_rule_without_the_placeholder_is_a_config_error(tmp_path):
    path = tmp_path / "warroom.toml"
    path.write_text('[logs]\ntenant_pattern = "tenant=acme"\n')
    with pytest.raises(ConfigError, match=r"logs\.tenant_pattern: .*\{tenant\}"):
        load_config(str(path))
    path.write_text('[logs]\ntenant_pattern = "tenant=({tenant}"\n')
    with pytest.raises(ConfigError, match=r"logs\.tenant_pattern"):
        load_config(str(path))


async def test_t_in_a_log_pane_shows_only_the_incident_tenants(tmp_path, db, clock):
    journal = await SqliteJournal.open(db)
    async with WarRoom(journal, author="ana", runbook=load_runbook(), clock=clock) as room:
        await room.declare("Orders fail for Acme", Severity.SEV2, scope=Scope(("acme",), ()))
    config = replace(
        console_config(tmp_path), logs=LogsConfig(groups=(LogGroupConfig("/prod/backend"),))
    )
    status = SourceStatus("/prod/backend").succeeded(clock.now, 0.1)

    def batch(messages: list[str], first: int) -> LogBatch:
        lines = tuple(
            LogLine("/prod/backend", f"e{first + n}", clock.now, "s", m, "ERROR")
            for n, m in enumerate(messages)
        )
        return LogBatch("/prod/backend", "ERROR", lines, status)

    before, after = demo_lines(60, seed=1), demo_lines(60, seed=2)
    acme = [m for m in before + after if "tenant=acme " in m]
    app = app_for(tmp_path, db, clock, config=config)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        pane = app.query_one(LogPane)
        pane.add_batch(batch([*before, "ERROR tenant=acme-eu timeout"], 0))
        pane.flush()
        assert len(pane.shown) == 61
        pane.view.focus()
        await pilot.press("t")
        await pilot.pause()
        assert [line.message for line in pane.shown] == [m for m in before if m in acme]
        assert "tenant acme" in str(pane.border_title)
        pane.add_batch(batch(after, 100))  # filtered as it arrives, not re-scanned
        pane.flush()
        assert [line.message for line in pane.shown] == acme
        assert pane.view.line_count == len(acme)

        await pilot.press("t")
        await pilot.pause()
        assert len(pane.shown) == 121 and "tenant" not in str(pane.border_title)
