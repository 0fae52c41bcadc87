"""The team's Markdown runbooks: `[runbook]` config, the QA checklist's items in the Verify step,
and the runbook viewer (RunbookScreen) driven by keys."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import Input, Static, Tabs

from warroom.config import Config, RunbookConfig, load_config
from warroom.qa import QaChecklistError, checklist_items, load_qa_checklist, read_checklist
from warroom.runbook import Phase, Runbook, Step, load_runbook, with_qa_items
from warroom.service import WarRoom
from warroom.severity import Severity
from warroom.store import SqliteJournal
from warroom.ui.docs import DocViewer, RunbookScreen, find_matches, searchable

RUNBOOK_PROD = """\
# Production runbook

Region `me-south-1`, cluster `saas-prod`.

## Diagnostics

```bash
aws ecs describe-services --cluster saas-prod --services saas-backend saas-worker
```

## Rollback procedures

### ECS rollback

1. Find the previous task definition.
2. **Rollback** the service to it with `aws ecs update-service`.

### Alembic downgrade

Run `alembic downgrade -1`, only after the ECS rollback.

## Scenario E: AI provider down

Switch the provider in SSM; roll back by writing the old value.
"""

QA_CHECKLIST = """\
# QA checklist

- [ ] Log in with a tenant admin account
* [ ] Create an order and see it in the list
+ [x] Order e-mail arrives
  - [X]   Nested:   the   assistant answers
- [ ]
- [ ]    \t
-[ ] no space after the dash
- [y] not a box
- [] empty brackets
1. [ ] numbered lists are not checklists
> - [ ] quoted, not ours
Text with - [ ] inside is not an item

```markdown
- [ ] an example in a fence
```

~~~
* [ ] in a tilde fence
~~~

- [ ] After the fences \x1b[31mred\x1b[0m
"""


# Config ----------------------------------------------------------------------------------


def write_config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "etc" / "warroom.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)
    return path


def test_runbook_documents_resolve_next_to_the_config(tmp_path):
    path = write_config(
        tmp_path,
        "[runbook]\n"
        "reference = 'runbook-prod.md'\n"
        f"files = ['docs/db.md', '{tmp_path}/abs.md', 'runbook-prod.md']\n"
        "qa_checklist = 'qa-checklist.md'\n",
    )
    config = load_config(str(path))
    etc = tmp_path / "etc"
    assert config.runbook.files == ("docs/db.md", f"{tmp_path}/abs.md", "runbook-prod.md")
    # reference, files, then the QA checklist; each once.
    assert config.runbook_documents() == [
        etc / "runbook-prod.md",
        etc / "docs" / "db.md",
        tmp_path / "abs.md",
        etc / "qa-checklist.md",
    ]
    assert config.qa_checklist_path() == etc / "qa-checklist.md"


def test_runbook_documents_default_to_none():
    assert Config().runbook_documents() == []
    assert Config().qa_checklist_path() is None
    assert RunbookConfig(files=("a.md",)).documents == ("a.md",)


def test_missing_runbook_files_do_not_stop_the_config(tmp_path):
    path = write_config(tmp_path, "[runbook]\nfiles = ['nope.md']\nqa_checklist = 'nope-qa.md'\n")
    config = load_config(str(path))
    assert config.runbook_documents() == [
        tmp_path / "etc" / "nope.md",
        tmp_path / "etc" / "nope-qa.md",
    ]
    qa = load_qa_checklist(config)
    assert qa.items == ()
    assert qa.problem == f"QA checklist file not found: {tmp_path / 'etc' / 'nope-qa.md'}"


def test_example_config_names_the_team_documents():
    from .conftest import REPO

    config = load_config(str(REPO / "config.example.toml"))
    assert config.runbook.reference == "runbook-prod.md"
    assert config.runbook.qa_checklist == "qa-checklist.md"
    assert [p.name for p in config.runbook_documents()] == ["runbook-prod.md", "qa-checklist.md"]


@pytest.mark.parametrize(
    ("body", "key", "problem"),
    [
        ("files = 'runbook-prod.md'", "runbook.files", "expected a list"),
        ("files = [1]", "runbook.files[0]", "expected a string"),
        ("files = ['']", "runbook.files[0]", "must name a Markdown file"),
        ("qa_checklist = ['qa.md']", "runbook.qa_checklist", "expected a string"),
        ("reference = 7", "runbook.reference", "expected a string"),
        ("runbooks = ['x.md']", "runbook.runbooks", "unknown key"),
    ],
)
def test_bad_runbook_config_is_a_config_error(cli, tmp_path, body, key, problem):
    path = write_config(tmp_path, f"[runbook]\n{body}\n")
    result = cli("--config", str(path), "check")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"warroom: config error: {path}: {key}: ")
    assert problem in result.stderr


# The QA checklist ------------------------------------------------------------------------


def test_checklist_items_from_markdown():
    assert checklist_items(QA_CHECKLIST) == [
        "Log in with a tenant admin account",
        "Create an order and see it in the list",
        "Order e-mail arrives",
        "Nested: the assistant answers",
        "After the fences red",
    ]
    assert checklist_items("") == []
    assert checklist_items("```\n- [ ] never closed fence\n") == []
    assert checklist_items("- [ ] a\r\n- [ ] b\r\n") == ["a", "b"]
    long = checklist_items("- [ ] " + "x" * 500)[0]
    assert len(long) == 200 and long.endswith("…")


def test_read_checklist_errors(tmp_path):
    path = tmp_path / "qa.md"
    with pytest.raises(QaChecklistError, match=f"file not found: {path}"):
        read_checklist(path)
    path.write_bytes(b"- [ ] caf\xe9\n")
    with pytest.raises(QaChecklistError, match="not UTF-8"):
        read_checklist(path)
    with pytest.raises(QaChecklistError, match="is a directory"):
        read_checklist(tmp_path)
    path.write_text(QA_CHECKLIST)
    assert read_checklist(path)[0] == "Log in with a tenant admin account"


def test_with_qa_items_adds_steps_after_verify():
    runbook = load_runbook()
    phase, verify = next((p, s) for p in runbook.phases for s in p.steps if s.title == "Verify")
    extended = with_qa_items(runbook, ["Log in", "Create an order", "Log in"])
    steps = extended.phase(phase.id).steps
    ids = [s.id for s in steps]
    at = ids.index(verify.id)
    assert ids[at : at + 4] == [
        verify.id,
        f"{verify.id}.qa1",
        f"{verify.id}.qa2",
        f"{verify.id}.qa3",
    ]
    assert [s.title for s in steps[at + 1 : at + 4]] == ["Log in", "Create an order", "Log in"]
    # Every other step is where it was, and the other phases are untouched.
    assert [s for s in steps if ".qa" not in s.id] == list(phase.steps)
    assert [p for p in extended.phases if p.id != phase.id] == [
        p for p in runbook.phases if p.id != phase.id
    ]
    assert extended.step(f"{verify.id}.qa2")[1].title == "Create an order"
    assert runbook.phase(phase.id) == phase  # the original is unchanged
    # The same items give the same ids: ticks in the journal keep pointing at them.
    assert with_qa_items(runbook, ["Log in", "Create an order", "Log in"]) == extended


def test_with_qa_items_edge_cases():
    runbook = load_runbook()
    assert with_qa_items(runbook, []) is runbook
    flagged = with_qa_items(runbook, [], problem="QA checklist file not found: /etc/qa.md")
    assert flagged.step("8")[1].title == "Verify (QA checklist file not found: /etc/qa.md)"
    assert len(flagged.phase("resolve").steps) == len(runbook.phase("resolve").steps)

    no_verify = Runbook(phases=(Phase("only", "Only", (Step("1", "Look"),)),))
    assert with_qa_items(no_verify, ["a"]) is no_verify
    lower = Runbook(phases=(Phase("p", "P", (Step("v", "verify the fix"), Step("w", "Tell"))),))
    assert [s.id for s in with_qa_items(lower, ["a"]).phases[0].steps] == ["v", "v.qa1", "w"]


async def test_qa_steps_are_ticked_like_any_other(tmp_path, clock):
    db = tmp_path / "journal.db"
    runbook = with_qa_items(load_runbook(), checklist_items(QA_CHECKLIST))
    room = WarRoom(await SqliteJournal.open(db), author="ana", runbook=runbook, clock=clock)
    try:
        incident_id = await room.declare("Orders failing", Severity.SEV2)
        await room.check("8.qa2", incident_id=incident_id)
        incident = await room.incident(incident_id)
        assert incident.checklist["8.qa2"].done
    finally:
        await room.close()
    conn = sqlite3.connect(db)
    try:
        texts = [r[0] for r in conn.execute("SELECT text FROM events WHERE kind = 'checklist'")]
    finally:
        conn.close()
    assert any("8.qa2. Create an order and see it in the list" in t for t in texts)


# The viewer ------------------------------------------------------------------------------


def test_find_matches_reads_like_the_screen():
    assert searchable("2. **Rollback** the [service](https://x/y) `now`") == (
        "2. Rollback the service now"
    )
    found = find_matches(RUNBOOK_PROD, "ROLLBACK")
    lines = RUNBOOK_PROD.splitlines()
    assert [lines[m.line] for m in found] == [
        "## Rollback procedures",
        "### ECS rollback",
        "2. **Rollback** the service to it with `aws ecs update-service`.",
        "Run `alembic downgrade -1`, only after the ECS rollback.",
    ]
    assert [(m.line, m.column) for m in find_matches("aaa\nbab", "A")] == [
        (0, 0),
        (0, 1),
        (0, 2),
        (1, 1),
    ]
    assert find_matches(RUNBOOK_PROD, "  ") == []
    assert find_matches(RUNBOOK_PROD, "no such words") == []


class Host(App[None]):
    def __init__(self, screen: RunbookScreen) -> None:
        super().__init__()
        self.runbooks = screen

    def on_mount(self) -> None:
        self.push_screen(self.runbooks)


@pytest.fixture
def documents(tmp_path: Path) -> list[Path]:
    prod = tmp_path / "runbook-prod.md"
    prod.write_text(RUNBOOK_PROD)
    qa = tmp_path / "qa-checklist.md"
    qa.write_text(QA_CHECKLIST)
    return [prod, qa, tmp_path / "missing.md"]


def status(screen: RunbookScreen) -> str:
    return str(screen.query_one("#doc-status", Static).render())


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_viewer_shows_a_file_and_searches_it(documents):
    screen = RunbookScreen(documents)
    async with Host(screen).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        viewer = screen.query_one(DocViewer)
        assert viewer.document.source == RUNBOOK_PROD
        assert screen.query_one(Tabs).active == "doc-0"
        assert str(documents[0]) in str(screen.query_one("#doc-path", Static).render())

        await pilot.press("slash")
        search = screen.query_one("#doc-search", Input)
        assert search.has_focus and search.display
        await pilot.press(*"rollback")
        await pilot.pause()
        assert status(screen).startswith("match 1/4 for “rollback”, line 11")
        await pilot.press("enter")
        await pilot.pause()
        assert not search.display

        await pilot.press("n")
        await pilot.pause()
        assert status(screen).startswith("match 2/4 for “rollback”, line 13: ### ECS rollback")
        marked = screen.query(".-match")
        assert len(marked) == 1
        assert marked.first().source_range[0] == 12  # the ECS rollback heading

        await pilot.press("n", "n")
        await pilot.pause()
        assert status(screen).startswith("match 4/4")
        block = screen.query(".-match").first()
        assert "alembic downgrade" in (block.source or "")
        # The match is on screen: the viewer scrolled down to it.
        assert viewer.scroll_y > 0
        assert block.region.y >= viewer.region.y
        assert block.region.bottom <= viewer.region.bottom

        await pilot.press("n")  # wraps around
        await pilot.pause()
        assert status(screen).startswith("match 1/4")
        await pilot.press("N")
        await pilot.pause()
        assert status(screen).startswith("match 4/4")

        await pilot.press("slash", *"zebra", "enter")
        await pilot.pause()
        assert status(screen) == "no match for “zebra”"
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen is not screen  # closed


async def test_viewer_switches_files_and_reports_a_missing_one(documents):
    screen = RunbookScreen(documents)
    async with Host(screen).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"order", "enter")
        await pilot.press("right_square_bracket")
        await settle(pilot)
        source = screen.query_one(DocViewer).document.source
        # Shown as written, less the terminal control sequences.
        assert source == QA_CHECKLIST.replace("\x1b[31m", "").replace("\x1b[0m", "")
        # The search carries over to the new file, without jumping.
        assert status(screen) == "2 matches for “order”: n to go"

        await pilot.press("right_square_bracket")
        await settle(pilot)
        missing = screen.query_one("#doc-missing", Static)
        assert missing.display and not screen.query_one(DocViewer).display
        assert str(missing.render()) == f"file not found: {documents[2]}"
        await pilot.press("n")  # nothing to search, nothing breaks
        assert screen.query_one(Tabs).active == "doc-2"

        await pilot.press("right_square_bracket")  # wraps to the first
        await settle(pilot)
        assert screen.query_one(DocViewer).display
        assert screen.query_one(DocViewer).document.source == RUNBOOK_PROD


async def test_viewer_without_documents_says_how_to_add_them():
    screen = RunbookScreen([])
    async with Host(screen).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = str(screen.query_one("#doc-missing", Static).render())
        assert text.startswith("no runbooks configured")
        await pilot.press("n", "right_square_bracket", "slash")
        await pilot.pause()
        assert pilot.app.screen is screen


async def test_viewer_over_the_console_keeps_its_keys(tmp_path, db, clock, documents):

    from .conftest import app_for, declare, rows

    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await declare(pilot)
        screen = RunbookScreen(documents)
        app.push_screen(screen)
        await settle(pilot)
        # a (acknowledged), n (note), r (resolved), q (quit) belong to the console, not here.
        await pilot.press("a", "r", "q", "n")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen
    assert rows(db, "SELECT kind FROM events ORDER BY id") == [("detected",)]
