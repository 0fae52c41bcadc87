"""Step 13, "Update runbooks if a new scenario was encountered": what of this incident the
team's reference runbook does not mention yet, its root-cause `#tags` and the mitigations that
worked. Read only: nothing here (nor anywhere) edits the reference file."""

from __future__ import annotations

import re
from collections.abc import Iterable

from warroom.model import Event, Incident, Kind
from warroom.report import root_cause_tags


def mitigations_that_worked(incident: Incident) -> list[Event]:
    """The runbook actions that succeeded, up to the time service was restored (later ones
    are clean-up), in time order."""
    restored = incident.milestones.mitigated
    return [
        e
        for e in sorted(incident.events_of(Kind.ACTION), key=lambda e: (e.at, e.id))
        if e.data.get("ok") is True
        and e.data.get("action")
        and (restored is None or e.at <= restored)
    ]


def incident_terms(incident: Incident) -> list[str]:
    """What a runbook covering this scenario would name: `#tag`s, then action names."""
    tags = [f"#{t}" for t in sorted(root_cause_tags(incident))]
    actions = [str(e.data["action"]) for e in mitigations_that_worked(incident)]
    return list(dict.fromkeys([*tags, *actions]))


def _words(text: str) -> str:
    """Lower case, `-`, `_` and runs of spaces as one space: "Bad-Deploy" says "bad deploy"."""
    return " " + " ".join(re.sub(r"[-_#]+", " ", text.lower()).split()) + " "


def missing_terms(terms: Iterable[str], reference_text: str) -> list[str]:
    """The terms the reference does not mention, as whole words (#bad-deploy is found in
    "Bad deploy", "bad-deploy" or "#bad-deploy")."""
    said = _words(re.sub(r"[^\w\s#-]+", " ", reference_text))
    return [t for t in terms if _words(t) not in said]


def gap_note(missing: list[str], reference_name: str) -> str:
    """ "#bad-deploy is not in runbook-prod.md"; empty when nothing is missing."""
    if not missing:
        return ""
    if len(missing) == 1:
        return f"{missing[0]} is not in {reference_name}"
    listed = f"{', '.join(missing[:-1])} and {missing[-1]}"
    return f"{listed} are not in {reference_name}"
