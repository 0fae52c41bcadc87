"""The runbook's rules as pure functions: severities, milestones, durations, phases, deadlines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from warroom.followups import ActionItem, postmortem_due
from warroom.model import (
    Event,
    Kind,
    Milestones,
    Scope,
    acknowledged_in_time,
    parse_id,
    response_due,
)
from warroom.runbook import load_runbook
from warroom.severity import SEVERITY_LEVELS, Severity
from warroom.timeutil import hhmm
from warroom.typedtoml import SchemaError

T0 = datetime(2026, 11, 26, 3, 1, tzinfo=UTC)


def event(kind: Kind, minutes: float, n: int = 0) -> Event:
    at = T0 + timedelta(minutes=minutes)
    return Event(n, 1, at, at, kind, "", "ana")


def test_severity_levels_follow_the_runbook():
    assert SEVERITY_LEVELS[Severity.SEV1].response_target == timedelta(minutes=15)
    assert SEVERITY_LEVELS[Severity.SEV2].response_target == timedelta(hours=1)
    assert SEVERITY_LEVELS[Severity.SEV3].response_target == timedelta(hours=4)
    assert SEVERITY_LEVELS[Severity.SEV1].definition == "Service down or data breach"
    assert SEVERITY_LEVELS[Severity.SEV2].definition == "Major feature broken"
    assert SEVERITY_LEVELS[Severity.SEV3].definition == "Minor degradation"
    assert [Severity.parse(t) for t in ("SEV-1", "sev2", "3", "Sev_1")] == [
        Severity.SEV1,
        Severity.SEV2,
        Severity.SEV3,
        Severity.SEV1,
    ]
    with pytest.raises(ValueError, match="unknown severity"):
        Severity.parse("SEV-0")


def test_ids():
    assert parse_id("INC-7") == parse_id("inc-7") == parse_id("7") == 7
    for bad in ("INC-", "INC-x", "0", "-3", "7a"):
        with pytest.raises(ValueError):
            parse_id(bad)


def test_milestones_and_durations():
    events = [
        event(Kind.DETECTED, 0),
        event(Kind.ACKNOWLEDGED, 3),
        event(Kind.ACKNOWLEDGED, 9),  # a second press does not move the milestone
        event(Kind.ROOT_CAUSE, 20),
        event(Kind.MITIGATED, 41),
        event(Kind.FIX_DEPLOYED, 300),
        event(Kind.RESOLVED, 90 + 60 * 24),
    ]
    m = Milestones.from_events(events)
    assert m.time_to_acknowledge == timedelta(minutes=3)
    assert m.time_to_mitigate == timedelta(minutes=41)
    assert m.time_to_resolve == timedelta(hours=25, minutes=30)
    assert m.impact == timedelta(minutes=41)
    assert hhmm(m.time_to_resolve) == "25:30"
    assert acknowledged_in_time(Severity.SEV1, m) is True
    late = Milestones.from_events([event(Kind.DETECTED, 0), event(Kind.ACKNOWLEDGED, 16)])
    assert acknowledged_in_time(Severity.SEV1, late) is False
    assert acknowledged_in_time(Severity.SEV2, late) is True
    assert acknowledged_in_time(Severity.SEV1, Milestones()) is None
    assert response_due(Severity.SEV1, T0) == T0 + timedelta(minutes=15)


def test_a_corrected_earlier_entry_moves_the_milestone():
    m = Milestones.from_events([event(Kind.DETECTED, 10), event(Kind.DETECTED, 2)])
    assert m.detected == T0 + timedelta(minutes=2)


def test_postmortem_deadline_rule():
    resolved = T0 + timedelta(hours=2)

    def due(severity: Severity, resolved_at, exported_at, recorded=resolved):
        return postmortem_due(severity, resolved_at, exported_at, resolution_recorded_at=recorded)

    sev1 = due(Severity.SEV1, resolved, None)
    assert sev1.required and sev1.due_at == resolved + timedelta(hours=48)
    assert not sev1.overdue(resolved + timedelta(hours=47))
    assert sev1.overdue(resolved + timedelta(hours=49))
    assert not due(Severity.SEV1, resolved, resolved).overdue(T0 + timedelta(days=9))
    assert due(Severity.SEV2, resolved, None).required
    sev3 = due(Severity.SEV3, resolved, None)
    assert not sev3.required and not sev3.overdue(T0 + timedelta(days=30))
    assert due(Severity.SEV1, None, None, None).due_at is None
    # Only an export made once the resolution was on the timeline counts.
    assert not due(Severity.SEV1, resolved, T0 + timedelta(hours=1)).done
    assert not due(Severity.SEV1, None, T0 + timedelta(hours=1), None).done
    late_entry = resolved + timedelta(hours=1)  # `resolved --at` typed an hour later
    assert not due(Severity.SEV1, resolved, resolved + timedelta(minutes=5), late_entry).done
    assert due(Severity.SEV1, resolved, late_entry, late_entry).done


def test_scope_wording():
    assert Scope().is_all and Scope().users_affected() == "all tenants"
    assert Scope(tenants=("acme",)).users_affected() == "single tenant (acme)"
    assert Scope(endpoints=("/api/v1/orders",)).describe() == (
        "tenants: all; endpoints: /api/v1/orders"
    )


def test_action_item_overdue():
    item = ActionItem(1, 1, "x", "bo", date(2026, 12, 1))
    assert item.overdue(date(2026, 12, 2)) and not item.overdue(date(2026, 12, 1))
    assert not ActionItem(1, 1, "x", "bo", date(2026, 12, 1), done=True).overdue(date(2027, 1, 1))


def test_runbook_has_the_13_steps_in_4_phases():
    runbook = load_runbook()
    assert [p.name for p in runbook.phases] == [
        "Detect & Triage",
        "Mitigate",
        "Resolve",
        "Post-Mortem",
    ]
    steps = [s for p in runbook.phases for s in p.steps]
    assert [s.id for s in steps] == [str(n) for n in range(1, 14)]
    assert steps[0].title == "Acknowledge the alert"
    assert steps[12].title == "Update runbooks"
    assert runbook.mitigations[0].situation == "Bad deploy causing errors"
    assert runbook.mitigations[0].actions == ("rollback",)


def test_phase_follows_the_milestones():
    runbook = load_runbook()
    phase = runbook.current_phase
    assert phase(Milestones()).name == "Detect & Triage"
    assert phase(Milestones(detected=T0, acknowledged=T0)).name == "Mitigate"
    assert phase(Milestones(detected=T0, acknowledged=T0, mitigated=T0)).name == "Resolve"
    assert phase(Milestones(detected=T0, resolved=T0)).name == "Post-Mortem"


def test_a_team_runbook_replaces_the_builtin(tmp_path: Path):
    path = tmp_path / "ours.toml"
    path.write_text(
        "[[phases]]\nid = 'all'\nname = 'Everything'\n"
        "[[phases.steps]]\nid = 'a'\ntitle = 'Page the lead'\n"
    )
    runbook = load_runbook(path)
    assert runbook.phase("all").steps[0].title == "Page the lead"
    path.write_text("[[phases]]\nid = 'x'\nname = 'X'\nsteps = []\nbegins_after = 'lunch'\n")
    with pytest.raises(SchemaError, match=r"phases\[0\].begins_after"):
        load_runbook(path)
    path.write_text(
        "[[phases]]\nid = 'x'\nname = 'X'\n"
        "[[phases.steps]]\nid = 'a'\ntitle = 'Page'\nmilestone = 'detected'\n"
    )
    with pytest.raises(SchemaError, match=r"phases\[0\].steps\[0\].milestone"):
        load_runbook(path)


def test_steps_that_reach_a_milestone_name_it():
    runbook = load_runbook()
    milestones = {s.id: s.milestone for p in runbook.phases for s in p.steps if s.milestone}
    assert milestones == {"1": "acknowledged", "6": "root_cause", "7": "fix_deployed"}
