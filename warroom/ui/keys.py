"""Every key of the console in one registry: the bindings, the key bar, the command palette and
the help screen are made from it, and a test holds the README's key table to it."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

MAIN = "Main screen (when no text field has focus)"
TIMELINE = "Timeline"
CHECKLIST = "Checklist"
LOG_PANE = "Log panes"
ALARMS = "Alarms"


@dataclass(frozen=True)
class Key:
    """One key. `key` is Textual's name (several with commas); `action` empty for keys that
    someone else binds (Textual's palette, the lists' own arrows), listed for the help only."""

    id: str
    key: str
    action: str
    label: str  # the key bar's word
    description: str  # the help's line and the palette's command
    group: str = MAIN
    display: str = ""  # as printed, when not the key itself ("!" for exclamation_mark)
    show: bool = True  # in the key bar
    priority: bool = False
    in_readme: bool = True  # the README's table lists it

    @property
    def shown_as(self) -> str:
        return self.display or self.key

    def binding(self) -> Binding:
        return Binding(
            self.key,
            self.action,
            self.label,
            show=self.show,
            key_display=self.display or None,
            priority=self.priority,
            tooltip=self.description,
            id=self.id,
        )


# Actions on the incident shown: with none (watching) their keys do nothing, so the key bar
# dims them and shows ctrl+n (declare) instead.
NEEDS_INCIDENT = frozenset(
    {
        "milestone",
        "note",
        "severity",
        "roles",
        "mitigations",
        "update",
        "export",
        "postmortem",
        "draft_scenario",
    }
)

KEYS: tuple[Key, ...] = (
    Key("log-acknowledged", "a", "milestone('acknowledged')", "Ack", "log acknowledged"),
    Key("note", "n", "note", "Note", "add a note"),
    Key("log-root-cause", "c", "milestone('root_cause')", "Cause", "log root cause"),
    Key("log-mitigated", "m", "milestone('mitigated')", "Mitigated", "log mitigation applied"),
    Key("log-fix-deployed", "f", "milestone('fix_deployed')", "Fix", "log fix deployed"),
    Key("log-resolved", "r", "milestone('resolved')", "Resolved", "log resolved"),
    Key(
        "reopen",
        "R",
        "reopen",
        "Reopen",
        "reopen the resolved incident (asks why): open again, its clocks running",
    ),
    Key(
        "undo",
        "ctrl+z",
        "undo",
        "Undo",
        "undo the milestone key just pressed (for a few seconds): retracts it as 'undone'",
        show=False,
    ),
    Key(
        "offer-yes",
        "y",
        "accept_offer",
        "Yes",
        "yes to what the prompt bar offers (health recovered: mark mitigated?)",
        show=False,
    ),
    Key(
        "offer-dismiss",
        "escape",
        "dismiss_offer",
        "Dismiss",
        "dismiss what the prompt bar offers",
        display="esc",
        show=False,
    ),
    Key("severity", "s", "severity", "Sev", "change severity"),
    Key(
        "roles",
        "l",
        "roles",
        "Roles",
        "hand over incident commander or comms lead (logged)",
        show=False,
    ),
    Key(
        "mitigations",
        "exclamation_mark",
        "mitigations",
        "Mitigate",
        "mitigations menu (the runbook's table)",
        display="!",
    ),
    Key(
        "update",
        "u",
        "update",
        "Update",
        "post a status update (the runbook's message for the phase, editable)",
    ),
    Key(
        "outbox",
        "o",
        "outbox",
        "Outbox",
        "outbox: updates not sent yet; r retries now, d discards",
        show=False,
    ),
    Key("export", "x", "export", "Export", "export the post-mortem"),
    Key(
        "postmortem",
        "p",
        "postmortem",
        "Post-mortem",
        "write the post-mortem: fields, action items, live preview, ctrl+e exports",
    ),
    Key(
        "draft-runbook",
        "D",
        "draft_scenario",
        "Draft runbook",
        "draft a runbook section for this incident's scenario, beside the reference runbook "
        "(step 13); $EDITOR opens it",
        show=False,
    ),
    Key(
        "history",
        "h",
        "history",
        "History",
        "incident history: the quarterly review, sortable, incidents per week",
        show=False,
    ),
    Key(
        "runbooks",
        "d",
        "runbooks",
        "Runbooks",
        "the team's runbook documents (config [runbook]); / searches, n / N",
        show=False,
    ),
    Key(
        "incidents",
        "i",
        "switch_incident",
        "Incidents",
        "switch incident: the open ones and those resolved lately",
        show=False,
    ),
    Key("declare", "ctrl+n", "declare", "Declare", "declare a new incident", show=False),
    Key("help", "question_mark", "help", "Help", "keys and help", display="?"),
    Key("next-pane", "tab", "next_pane", "Pane", "next pane", show=False, priority=True),
    Key(
        "previous-pane",
        "shift+tab",
        "previous_pane",
        "Prev pane",
        "previous pane",
        show=False,
        priority=True,
    ),
    Key(
        "palette",
        "ctrl+p",
        "",
        "Palette",
        "command palette: every key's action and every mitigation by name",
    ),
    Key("quit", "q", "quit_console", "Quit", "quit (everything is already saved)"),
    # In the panes: bound by the pane widgets from here.
    Key("timeline-move", "up,down", "", "", "move", TIMELINE, "↑ ↓", in_readme=False),
    Key("timeline-edit", "enter", "edit", "Edit", "edit the entry: text and time", TIMELINE),
    Key(
        "timeline-retract",
        "delete,backspace",
        "retract",
        "Retract",
        "retract the entry with a reason (backspace too): it stays, struck through, and no "
        "longer counts",
        TIMELINE,
        "del",
    ),
    Key("checklist-move", "up,down", "", "", "move", CHECKLIST, "↑ ↓", in_readme=False),
    Key(
        "checklist-tick",
        "space,enter",
        "toggle",
        "Tick step",
        "tick or untick (who and when are kept)",
        CHECKLIST,
        "space / enter",
    ),
    Key(
        "checklist-previous-phase",
        "left_square_bracket",
        "phase(-1)",
        "Prev phase",
        "previous phase",
        CHECKLIST,
        "[",
    ),
    Key(
        "checklist-next-phase",
        "right_square_bracket",
        "phase(1)",
        "Next phase",
        "next phase",
        CHECKLIST,
        "]",
    ),
    Key(
        "log-filter",
        "/",
        "filter",
        "Filter",
        "filter as you type (regex); enter keeps it, esc clears",
        LOG_PANE,
    ),
    Key(
        "log-clear-filter",
        "escape",
        "clear_filter",
        "Clear filter",
        "clear the filter",
        LOG_PANE,
        "esc",
        show=False,
    ),
    Key("log-follow", "end", "follow", "Follow", "follow again (scrolling up pauses)", LOG_PANE),
    Key(
        "log-next-error",
        "e",
        "next_error",
        "Next ERROR",
        "next ERROR line (the first press: the newest one); next signature",
        LOG_PANE,
    ),
    Key(
        "log-previous-error",
        "E",
        "previous_error",
        "Prev ERROR",
        "previous ERROR line; previous signature",
        LOG_PANE,
        "E",
    ),
    Key(
        "log-evidence",
        "y",
        "evidence",
        "Line to timeline",
        "copy the selected line (or signature, with its count, first and last seen) to the "
        "timeline as evidence",
        LOG_PANE,
    ),
    Key(
        "log-wrap",
        "w",
        "wrap",
        "Wrap",
        "wrap long lines (the last 1,000 lines) or cut them at the edge",
        LOG_PANE,
    ),
    Key("log-zoom", "z", "zoom", "Zoom", "zoom the pane to full screen and back", LOG_PANE),
    Key("alarms-move", "up,down", "", "", "move", ALARMS, "↑ ↓", in_readme=False),
    Key(
        "alarms-declare",
        "enter",
        "declare_from_alarm",
        "Declare",
        "declare an incident from the alarm: its title, its severity ([alarms.severity]), "
        "detected when it fired",
        ALARMS,
    ),
    Key(
        "log-tenant",
        "t",
        "tenant_scope",
        "Tenant",
        "only the lines that mention the incident's tenants (its scope); t again: every line",
        LOG_PANE,
    ),
    Key(
        "log-signatures",
        "g",
        "toggle_signatures",
        "Signatures",
        "error signatures or lines: one row per kind of error, its count, lines per minute, "
        "first and last seen, NEW since which deployment",
        LOG_PANE,
    ),
    Key(
        "log-sort-signatures",
        "s",
        "sort_signatures",
        "Sort",
        "signatures by count or by first seen (in the signatures view)",
        LOG_PANE,
        show=False,
    ),
    Key(
        "log-show-example",
        "enter",
        "show_example",
        "Example",
        "the selected signature's latest example, whole and wrapped",
        LOG_PANE,
        show=False,
    ),
)


# What the key bar keeps when it is short of room (80 columns), most important first: these,
# then the focused pane's own keys, then the rest in registry order. `?` and the palette are
# drawn apart, always.
KEY_BAR_FIRST = (
    "quit",
    "declare",  # shown only while watching (no incident)
    "mitigations",
    "update",
    "log-acknowledged",
    "log-mitigated",
    "log-resolved",
    "reopen",
)
_BY_ID = {k.id: (n, k) for n, k in enumerate(KEYS)}


def key_bar_rank(binding_id: str | None) -> tuple[int, int]:
    """Lower is kept longer."""
    if binding_id in KEY_BAR_FIRST:
        return 0, KEY_BAR_FIRST.index(binding_id)
    n, key = _BY_ID.get(binding_id or "", (len(KEYS), None))
    return (1 if key is not None and key.group != MAIN else 2), n


def bindings(group: str) -> list[Binding]:
    """The Textual bindings of one group (the keys someone else binds left out)."""
    return [k.binding() for k in KEYS if k.group == group and k.action]


def palette_commands() -> list[Key]:
    """Main-screen keys the command palette offers by name."""
    return [k for k in KEYS if k.group == MAIN and k.action]


def help_sections() -> dict[str, list[Key]]:
    sections: dict[str, list[Key]] = {}
    for key in KEYS:
        sections.setdefault(key.group, []).append(key)
    return sections


def readme_keys() -> set[str]:
    """Every key as the README's table prints it: one name per backticked word."""
    names: set[str] = set()
    for key in KEYS:
        if key.in_readme:
            names.update(key.shown_as.split(" / "))
    return names
