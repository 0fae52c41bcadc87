"""The runbook's three team-channel updates, drafted from the journal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import jinja2
import pytest

from warroom.export import TEMPLATES_DIR, environment
from warroom.model import Event, Incident, Kind, Scope
from warroom.severity import Severity
from warroom.updates import (
    UPDATE_KINDS,
    Draft,
    draft_update,
    render_update,
    template_name,
    update_context,
    update_kind,
)

T0 = datetime(2026, 11, 26, 3, 1, tzinfo=UTC)
TITLE = "API returns 500s after deploy"
HEADER = f"[INC-7 SEV-1] {TITLE}"
ROLLBACK = (
    "roll back saas-backend from saas-backend:42 to saas-backend:41: ok, "
    "deployment ecs-svc/123 started (HTTP 200, 1.4s)"
)


def event(kind: Kind, minutes: float, text: str = "", n: int = 0, **data: object) -> Event:
    at = T0 + timedelta(minutes=minutes)
    return Event(n, 7, at, at, kind, text, "ana", data=dict(data))


def incident(*events: Event, postmortem: dict[str, str] | None = None) -> Incident:
    numbered = tuple(
        Event(i, e.incident_id, e.at, e.recorded_at, e.kind, e.text, e.author, data=e.data)
        for i, e in enumerate(events, start=1)
    )
    return Incident(
        id=7,
        title=TITLE,
        severity=Severity.SEV1,
        scope=Scope(),
        created_at=T0,
        created_by="ana",
        events=numbered,
        postmortem=postmortem or {},
    )


DETECTED = event(Kind.DETECTED, 0, "CloudWatch alarm saas-backend-5xx")
ACKNOWLEDGED = event(Kind.ACKNOWLEDGED, 3)
ROLLED_BACK = event(Kind.ACTION, 20, ROLLBACK, ok=True)
MITIGATED = event(Kind.MITIGATED, 24)
ROOT_CAUSE = event(Kind.ROOT_CAUSE, 50, "migration 0042 dropped the orders index.")
FIX = event(Kind.FIX_DEPLOYED, 6 * 60 + 14, "hotfix 1.4.2")
RESOLVED = event(Kind.RESOLVED, 6 * 60 + 30)


def test_investigating_names_the_alarm():
    draft = draft_update(incident(DETECTED, ACKNOWLEDGED))
    assert draft == Draft(
        kind="investigating",
        text=f"{HEADER}\nInvestigating CloudWatch alarm saas-backend-5xx.",
        missing=(),
    )
    assert draft.complete


def test_mitigated_says_what_and_when():
    draft = draft_update(incident(DETECTED, ACKNOWLEDGED, ROLLED_BACK, MITIGATED))
    assert draft.kind == "mitigated"
    assert draft.text == (
        f"{HEADER}\n"
        "Mitigated by roll back saas-backend from saas-backend:42 to saas-backend:41. "
        "Service restored at 03:25 UTC. Investigating root cause."
    )
    assert draft.missing == ()


def test_resolved_gives_root_cause_and_fix_time():
    draft = draft_update(
        incident(DETECTED, ACKNOWLEDGED, ROLLED_BACK, MITIGATED, ROOT_CAUSE, FIX, RESOLVED)
    )
    assert draft == Draft(
        kind="resolved",
        text=(
            f"{HEADER}\n"
            "Resolved. Root cause was migration 0042 dropped the orders index. "
            "Fix deployed at 09:15 UTC."
        ),
        missing=(),
    )


@pytest.mark.parametrize(
    ("events", "kind"),
    [
        ((), "investigating"),
        ((DETECTED,), "investigating"),
        ((DETECTED, ACKNOWLEDGED, ROOT_CAUSE), "investigating"),
        ((DETECTED, ROLLED_BACK), "investigating"),  # an action alone is not "mitigated"
        ((DETECTED, MITIGATED), "mitigated"),
        ((DETECTED, MITIGATED, ROOT_CAUSE, FIX), "mitigated"),
        ((DETECTED, FIX), "investigating"),
        ((DETECTED, RESOLVED), "resolved"),
        ((DETECTED, MITIGATED, RESOLVED), "resolved"),
    ],
)
def test_the_message_follows_the_milestones(events: tuple[Event, ...], kind: str):
    inc = incident(*events)
    assert update_kind(inc) == kind
    assert draft_update(inc).kind == kind


def test_missing_values_show_the_runbooks_placeholders():
    empty = incident()
    mitigated = draft_update(incident(DETECTED, MITIGATED), "mitigated")
    assert mitigated.text == (
        f"{HEADER}\nMitigated by [action]. Service restored at 03:25 UTC. Investigating root cause."
    )
    assert mitigated.missing == ("[action]",)
    assert not mitigated.complete
    assert render_update("mitigated", empty) == (
        f"{HEADER}\nMitigated by [action]. Service restored at [time]. Investigating root cause."
    )
    resolved = draft_update(incident(DETECTED, MITIGATED, RESOLVED))
    assert resolved.text == f"{HEADER}\nResolved. Root cause was [X]. Fix deployed at [time]."
    assert resolved.missing == ("[X]", "[time]")


def test_the_declare_default_is_not_an_alarm_name_the_title_is():
    # The console's declare form leaves this text: the title says what was reported.
    declared = event(Kind.DETECTED, 0, "Incident declared, SEV-1")
    assert draft_update(incident(declared)) == Draft(
        "investigating", f"{HEADER}\nInvestigating {TITLE}.", ()
    )
    assert draft_update(incident()).text == f"{HEADER}\nInvestigating {TITLE}."


def test_tags_stay_out_of_the_team_channel():
    tagged = event(Kind.ROOT_CAUSE, 50, "lock held in migration #bad-deploy.")
    both = event(Kind.ROOT_CAUSE, 51, "#Migrations: no timeout on ALTER #db-lock, retried")
    text = render_update("resolved", incident(DETECTED, tagged, both, FIX, RESOLVED))
    assert text.endswith(
        "Resolved. Root cause was lock held in migration and no timeout on ALTER, retried. "
        "Fix deployed at 09:15 UTC."
    )
    assert "#" not in text
    alarm = event(Kind.DETECTED, 0, "CloudWatch alarm api-5xx #alarms")
    fixed = event(Kind.MITIGATED, 3, "rolled back #bad-deploy")
    assert render_update("mitigated", incident(alarm, fixed)).endswith(
        "Mitigated by rolled back. Service restored at 03:04 UTC. Investigating root cause."
    )
    # Not tags (the report's rule): kept as written.
    kept = event(Kind.ROOT_CAUSE, 5, "C# client, see wiki page#locks, issue #123")
    assert "C# client, see wiki page#locks, issue #123" in render_update(
        "resolved", incident(DETECTED, kept)
    )


def test_texts_a_key_logs_by_itself_are_not_the_cause_or_the_mitigation():
    # `c` and `m` pressed without a text, or a checklist step ticked: nothing was said yet.
    cause = event(Kind.ROOT_CAUSE, 30, "Root cause identified")
    ticked = event(Kind.ROOT_CAUSE, 31, "Root cause identified (checklist)", checklist="6")
    applied = event(Kind.MITIGATED, 24, "Mitigation applied")
    text = render_update("resolved", incident(DETECTED, applied, cause, ticked, RESOLVED))
    assert text.endswith("Resolved. Root cause was [X]. Fix deployed at [time].")
    assert "Mitigated by [action]." in render_update("mitigated", incident(DETECTED, applied))


def test_the_first_detected_entry_is_the_alarm():
    later = event(Kind.DETECTED, 5, "user report: checkout fails")
    first = event(Kind.DETECTED, -2, "CloudWatch alarm api-p95")
    assert render_update("investigating", incident(later, first)).endswith(
        "Investigating CloudWatch alarm api-p95."
    )


def test_mitigation_texts_and_working_actions_are_joined():
    inc = incident(
        DETECTED,
        event(Kind.ACTION, 10, "scale saas-worker: FAILED, access denied (2.0s)", ok=False),
        ROLLED_BACK,
        event(Kind.MITIGATED, 24, "Service restored (health recovered)"),
        event(Kind.MITIGATED, 25, "flushed the Redis cache.\n"),
        event(Kind.MITIGATED, 26, "Flushed the Redis cache"),  # said twice, kept once
        event(Kind.ACTION, 40, "restore app client web: ok, auth flows back (1.0s)", ok=True),
    )
    assert render_update("mitigated", inc) == (
        f"{HEADER}\n"
        "Mitigated by roll back saas-backend from saas-backend:42 to saas-backend:41 and "
        "flushed the Redis cache. Service restored at 03:25 UTC. Investigating root cause."
    )
    three = incident(
        event(Kind.MITIGATED, 1, "a"), event(Kind.MITIGATED, 2, "b"), event(Kind.MITIGATED, 3, "c")
    )
    assert "Mitigated by a, b and c." in render_update("mitigated", three)


def test_postmortem_fields_fill_in_when_the_timeline_is_silent():
    inc = incident(
        DETECTED,
        MITIGATED,
        RESOLVED,
        postmortem={"root_cause": "an expired TLS certificate", "mitigation": "a manual renewal"},
    )
    assert render_update("resolved", inc).endswith(
        "Resolved. Root cause was an expired TLS certificate. Fix deployed at [time]."
    )
    assert "Mitigated by a manual renewal." in render_update("mitigated", inc)
    logged = incident(DETECTED, ROOT_CAUSE, RESOLVED, postmortem={"root_cause": "typed later"})
    assert "Root cause was migration 0042 dropped the orders index." in render_update(
        "resolved", logged
    )


def test_times_are_utc_with_the_date_when_another_day():
    next_day = event(Kind.FIX_DEPLOYED, 24 * 60 + 10)
    local = T0.astimezone(timezone(timedelta(hours=3))) + timedelta(minutes=24)
    restored = Event(9, 7, local, local, Kind.MITIGATED, "", "ana")
    inc = incident(DETECTED, restored, ROOT_CAUSE, next_day, RESOLVED)
    context = update_context(inc)
    assert context["restored_at"] == "03:25 UTC"
    assert context["fix_at"] == "2026-11-27 03:11 UTC"


def test_long_and_multiline_values_stay_short_and_on_one_line():
    cause = event(Kind.ROOT_CAUSE, 5, "the pool\nwas   exhausted " + "x" * 600)
    text = render_update("resolved", incident(DETECTED, cause))
    line = text.splitlines()[1]
    assert len(text.splitlines()) == 2
    assert line.startswith("Resolved. Root cause was the pool was exhausted xxx")
    assert "x…. Fix deployed at [time]." in line
    assert len(line) < 400


def test_drafts_are_deterministic():
    events = (DETECTED, ACKNOWLEDGED, ROLLED_BACK, MITIGATED, ROOT_CAUSE, FIX, RESOLVED)
    texts = {
        render_update(kind, incident(*order))
        for kind in UPDATE_KINDS
        for order in (events, tuple(reversed(events)))
    }
    assert len(texts) == 3


def test_unknown_kind():
    with pytest.raises(ValueError, match="unknown update 'closed'"):
        draft_update(incident(), "closed")  # type: ignore[arg-type]


def test_templates_live_with_the_postmortem_and_are_strict():
    for kind in UPDATE_KINDS:
        assert (TEMPLATES_DIR / template_name(kind)).is_file()
    env = environment()
    env.filters["fill"] = lambda value, hint: value
    with pytest.raises(jinja2.UndefinedError):
        env.get_template(template_name("resolved")).render(id="INC-7")
