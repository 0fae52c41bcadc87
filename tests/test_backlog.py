"""Action items as backlog tasks: `warroom action-items list|export` through real subprocesses,
and GitHub issues created against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from warroom.config import ConfigError, GithubConfig, load_config
from warroom.model import Kind
from warroom.severity import Severity

from .helpers.github import REPO, GithubStub

TOKEN_ENV = "WARROOM_TEST_GITHUB_TOKEN"
TOKEN = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"
PAST = date(2020, 1, 15)
FUTURE = date(2999, 12, 31)


@pytest.fixture
def github() -> Iterator[GithubStub]:
    stub = GithubStub().start()
    yield stub
    stub.stop()


def github_env(tmp_path: Path, api_url: str, *, token: str | None = TOKEN) -> dict[str, str]:
    config = tmp_path / "warroom.toml"
    config.write_text(f'[github]\ntoken_env = "{TOKEN_ENV}"\napi_url = "{api_url}"\n')
    env = {"WARROOM_CONFIG": str(config)}
    if token is not None:
        env[TOKEN_ENV] = token
    return env


async def seed(room) -> dict[str, int]:
    """INC-1 resolved with three items (overdue, done, future); INC-2 open with one."""
    first = await room.declare("API returns 500s after deploy", Severity.SEV1)
    overdue = await room.add_action_item(
        first, "Alarm on 5xx rate per service", owner="bo", deadline=PAST
    )
    done = await room.add_action_item(first, "Add rollback to runbook", owner="cy", deadline=PAST)
    await room.update_action_item(done.id, done=True)
    later = await room.add_action_item(first, "Canary deploys for saas-backend", deadline=FUTURE)
    await room.log(Kind.RESOLVED, "rolled back", incident_id=first)
    second = await room.declare("Orders not saving", Severity.SEV2)
    other = await room.add_action_item(second, "Retry order writes", owner="di")
    return {"overdue": overdue.id, "done": done.id, "later": later.id, "other": other.id}


def listed(cli, *extra: str, env: dict[str, str] | None = None) -> list[dict]:
    result = cli("action-items", "list", "--json", *extra, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def urls(cli, env: dict[str, str] | None = None) -> dict[int, str | None]:
    return {row["item"]: row["external_url"] for row in listed(cli, env=env)}


# list ----------------------------------------------------------------------------------------


async def test_list_shows_every_incident_and_marks_the_overdue(cli, room):
    ids = await seed(room)
    result = cli("action-items", "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["INCIDENT", "ITEM", "STATE", "DEADLINE", "OWNER", "LABEL", "TEXT"]
    rows = {int(line.split()[1]): line for line in lines[1:]}
    assert sorted(rows) == sorted(ids.values())
    assert rows[ids["overdue"]].split()[:6] == [
        "INC-1",
        str(ids["overdue"]),
        "OVERDUE",
        "2020-01-15",
        "bo",
        "incident",
    ]
    assert rows[ids["overdue"]].endswith("Alarm on 5xx rate per service")
    assert rows[ids["done"]].split()[2] == "done"  # past its deadline, but done
    assert rows[ids["later"]].split()[2:5] == ["open", "2999-12-31", "unassigned"]
    assert rows[ids["other"]].split()[:4] == ["INC-2", str(ids["other"]), "open", "-"]
    assert "OVERDUE" not in result.stdout.replace(rows[ids["overdue"]], "")


async def test_list_open_and_json(cli, room):
    ids = await seed(room)
    every = listed(cli)
    assert [r["item"] for r in every] == [ids["overdue"], ids["done"], ids["later"], ids["other"]]
    assert every[0] == {
        "incident": "INC-1",
        "incident_title": "API returns 500s after deploy",
        "item": ids["overdue"],
        "text": "Alarm on 5xx rate per service",
        "owner": "bo",
        "deadline": "2020-01-15",
        "done": False,
        "label": "incident",
        "external_url": None,
        "overdue": True,
    }
    assert [r["overdue"] for r in every] == [True, False, False, False]
    assert every[1]["done"] is True
    assert every[3]["deadline"] is None

    open_items = listed(cli, "--open")
    assert [r["item"] for r in open_items] == [ids["overdue"], ids["later"], ids["other"]]
    text = cli("action-items", "list", "--open")
    assert "Add rollback to runbook" not in text.stdout
    assert "Retry order writes" in text.stdout


def test_list_with_no_items_and_missing_subcommand(cli):
    assert cli("action-items", "list").stdout.strip() == "no action items"
    assert cli("action-items", "list", "--open").stdout.strip() == "no open action items"
    assert listed(cli) == []
    bare = cli("action-items")
    assert bare.returncode == 2
    assert "list, export, add or done" in bare.stderr


# export --format -----------------------------------------------------------------------------


async def test_csv_export_parses_back_to_the_rows(cli, room):
    ids = await seed(room)
    result = cli("action-items", "export", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == [
        "incident",
        "incident_title",
        "item",
        "text",
        "owner",
        "deadline",
        "done",
        "label",
        "external_url",
        "overdue",
    ]
    assert [int(r["item"]) for r in rows] == [
        ids["overdue"],
        ids["done"],
        ids["later"],
        ids["other"],
    ]
    assert rows[0] == {
        "incident": "INC-1",
        "incident_title": "API returns 500s after deploy",
        "item": str(ids["overdue"]),
        "text": "Alarm on 5xx rate per service",
        "owner": "bo",
        "deadline": "2020-01-15",
        "done": "false",
        "label": "incident",
        "external_url": "",
        "overdue": "true",
    }
    assert rows[1]["done"] == "true"
    assert rows[3]["incident"] == "INC-2"
    assert rows[3]["deadline"] == ""

    only_open = cli("action-items", "export", "--format", "csv", "--open")
    items = [int(r["item"]) for r in csv.DictReader(io.StringIO(only_open.stdout))]
    assert items == [ids["overdue"], ids["later"], ids["other"]]


async def test_csv_keeps_commas_quotes_and_newlines(cli, room):
    incident = await room.declare('Checkout "pay" broken, EU', Severity.SEV2)
    await room.add_action_item(incident, 'Add "retry", then\nalert', owner="o'neil, ops")
    result = cli("action-items", "export", "--format", "csv")
    [row] = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["text"] == 'Add "retry", then\nalert'
    assert row["owner"] == "o'neil, ops"
    assert row["incident_title"] == 'Checkout "pay" broken, EU'


async def test_json_export_to_a_file(cli, room, tmp_path):
    ids = await seed(room)
    out = tmp_path / "out" / "items.json"
    result = cli("action-items", "export", "--format", "json", "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "4 action items" in result.stderr
    rows = json.loads(out.read_text())
    assert rows == listed(cli)
    assert {r["item"] for r in rows} == set(ids.values())

    stdout = cli("action-items", "export", "--format", "json", "--open")
    assert [r["item"] for r in json.loads(stdout.stdout)] == [
        ids["overdue"],
        ids["later"],
        ids["other"],
    ]


def test_export_needs_a_target_and_refuses_mixed_options(cli):
    assert cli("action-items", "export").returncode == 2
    both = cli("action-items", "export", "--format", "csv", "--github", REPO)
    assert both.returncode == 2
    dry = cli("action-items", "export", "--format", "csv", "--dry-run")
    assert dry.returncode == 2
    assert "--dry-run" in dry.stderr
    bad = cli("action-items", "export", "--github", "not a repo")
    assert bad.returncode == 2
    assert "OWNER/REPO" in bad.stderr


# export --github -----------------------------------------------------------------------------


async def test_github_creates_one_issue_per_open_item_once(cli, room, github, tmp_path):
    ids = await seed(room)
    linked = "https://tracker.example/T-9"
    await room.update_action_item(ids["other"], external_url=linked)
    env = github_env(tmp_path, github.base)

    result = cli("action-items", "export", "--github", REPO, env=env)
    assert result.returncode == 0, result.stderr
    assert len(github.posts) == 2  # the done item and the linked one are not sent
    for request in github.posts:
        assert request.method == "POST"
        assert request.path == f"/repos/{REPO}/issues"
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        assert request.headers["accept"] == "application/vnd.github+json"
        assert request.headers["x-github-api-version"] == "2022-11-28"
        assert request.json()["labels"] == ["incident"]
    first = github.posts[0].json()
    assert first["title"] == "Alarm on 5xx rate per service"
    assert "INC-1" in first["body"]
    assert "API returns 500s after deploy" in first["body"]
    assert "Owner: bo" in first["body"]
    assert "Deadline: 2020-01-15" in first["body"]
    assert "Created by warroom" in first["body"]
    assert github.posts[1].json()["title"] == "Canary deploys for saas-backend"
    assert TOKEN not in result.stdout + result.stderr
    assert f"https://github.com/{REPO}/issues/1" in result.stdout

    assert urls(cli) == {
        ids["overdue"]: f"https://github.com/{REPO}/issues/1",
        ids["done"]: None,
        ids["later"]: f"https://github.com/{REPO}/issues/2",
        ids["other"]: linked,
    }

    again = cli("action-items", "export", "--github", REPO, env=env)
    assert again.returncode == 0, again.stderr
    assert len(github.posts) == 2
    assert "nothing to create" in again.stdout


async def test_github_failure_halfway_keeps_what_was_created(cli, room, github, tmp_path, db):
    first = await room.declare("API returns 500s after deploy", Severity.SEV1)
    items = [await room.add_action_item(first, f"Follow-up {n}", owner="bo") for n in (1, 2, 3)]
    env = github_env(tmp_path, github.base)
    stored_before_second: list[str | None] = []

    def look_at_the_journal(number: int) -> None:
        if number == 2:  # the 1st item's URL is stored before the 2nd is even sent
            with sqlite3.connect(db) as conn:
                row = conn.execute(
                    "SELECT external_url FROM action_items WHERE id = ?", (items[0].id,)
                ).fetchone()
            stored_before_second.append(row[0])

    github.before_answer = look_at_the_journal
    github.fail = {2: (500, {"message": "Server Error"})}

    result = cli("action-items", "export", "--github", REPO, env=env)
    assert result.returncode == 1
    assert stored_before_second == [f"https://github.com/{REPO}/issues/1"]
    assert f"item {items[1].id}" in result.stderr
    assert "500" in result.stderr
    assert REPO in result.stderr
    assert TOKEN not in result.stdout + result.stderr
    assert urls(cli) == {
        items[0].id: f"https://github.com/{REPO}/issues/1",
        items[1].id: None,
        items[2].id: f"https://github.com/{REPO}/issues/2",
    }

    github.before_answer = None
    again = cli("action-items", "export", "--github", REPO, env=env)
    assert again.returncode == 0, again.stderr
    assert len(github.posts) == 4
    assert github.posts[3].json()["title"] == "Follow-up 2"
    assert urls(cli)[items[1].id] == f"https://github.com/{REPO}/issues/3"


@pytest.mark.parametrize(
    ("status", "message", "hint"),
    [
        (401, "Bad credentials", "rejected"),
        (403, "Resource not accessible by personal access token", "Issues: write"),
        (404, "Not Found", "no such repository"),
    ],
)
async def test_github_refusal_stops_with_one_clear_message(
    cli, room, github, tmp_path, status, message, hint
):
    ids = await seed(room)
    github.fail = {1: (status, {"message": message})}
    result = cli("action-items", "export", "--github", REPO, env=github_env(tmp_path, github.base))
    assert result.returncode == 1
    assert len(github.posts) == 1  # the same answer would come for every item
    errors = [line for line in result.stderr.splitlines() if line.startswith("warroom:")]
    assert len(errors) == 1
    assert f"{status}" in errors[0]
    assert REPO in errors[0]
    assert message in errors[0]
    assert hint in errors[0]
    assert "2 not tried" in result.stdout
    assert TOKEN not in result.stdout + result.stderr
    assert set(urls(cli).values()) == {None}
    assert ids


async def test_github_422_is_reported_and_the_others_go_on(cli, room, github, tmp_path):
    ids = await seed(room)
    github.fail = {1: (422, {"message": "Validation Failed"})}
    result = cli("action-items", "export", "--github", REPO, env=github_env(tmp_path, github.base))
    assert result.returncode == 1
    assert "422" in result.stderr
    assert "Validation Failed" in result.stderr
    assert len(github.posts) == 3
    found = urls(cli)
    assert found[ids["overdue"]] is None
    assert found[ids["later"]] and found[ids["other"]]


async def test_github_missing_token_says_which_variable(cli, room, github, tmp_path):
    await seed(room)
    env = github_env(tmp_path, github.base, token=None)
    result = cli("action-items", "export", "--github", REPO, env=env)
    assert result.returncode in (1, 2)
    assert result.stderr.count("\n") == 1
    assert TOKEN_ENV in result.stderr
    assert REPO in result.stderr
    assert "Traceback" not in result.stderr
    assert github.received == []


async def test_github_network_down_is_one_message(cli, room, tmp_path, closed_port):
    await seed(room)
    env = github_env(tmp_path, f"http://127.0.0.1:{closed_port}")
    result = cli("action-items", "export", "--github", REPO, env=env)
    assert result.returncode == 1
    assert "connection refused" in result.stderr
    assert REPO in result.stderr
    assert "Traceback" not in result.stderr
    assert TOKEN not in result.stdout + result.stderr
    assert set(urls(cli).values()) == {None}


async def test_github_dry_run_lists_and_sends_nothing(cli, room, github, tmp_path):
    await seed(room)
    env = github_env(tmp_path, github.base, token=None)  # no token needed to look
    result = cli("action-items", "export", "--github", REPO, "--dry-run", env=env)
    assert result.returncode == 0, result.stderr
    assert github.received == []
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "would create",
        "would create",
        "would create",
    ]
    assert "Alarm on 5xx rate per service" in result.stdout
    assert "Add rollback to runbook" not in result.stdout
    assert "3 issues would be created in acme/backend" in lines[-1]
    assert set(urls(cli).values()) == {None}


def test_github_config_keys_and_defaults(tmp_path):
    assert GithubConfig().token_env == "GITHUB_TOKEN"
    assert GithubConfig().api_url == "https://api.github.com"
    path = tmp_path / "warroom.toml"
    path.write_text("[github]\ntoken = 'ghp_x'\n")
    with pytest.raises(ConfigError, match=r"github\.token: .*token_env"):
        load_config(str(path))
    path.write_text("[github]\napi_url = 'api.github.com'\n")
    with pytest.raises(ConfigError, match=r"github\.api_url"):
        load_config(str(path))


async def test_create_issues_in_process_with_a_given_client(room, github):
    import httpx

    from warroom import backlog

    ids = await seed(room)
    rows = await room.backlog(open_only=True)
    seen: list[backlog.IssueResult] = []
    async with httpx.AsyncClient(base_url="http://unused.invalid") as client:
        run = await backlog.create_issues(
            room.link_action_item,
            REPO,
            rows,
            token=TOKEN,
            api_url=github.base,
            client=client,
            on_result=seen.append,
        )
    assert run.ok
    assert [r.row.item.id for r in run.created] == [ids["overdue"], ids["later"], ids["other"]]
    assert [r.url for r in seen] == [f"https://github.com/{REPO}/issues/{n}" for n in (1, 2, 3)]
    incident = await room.incident(1)
    assert {i.id: i.external_url for i in incident.action_items}[ids["later"]] == (
        f"https://github.com/{REPO}/issues/2"
    )
    again = await room.backlog(open_only=True)
    rerun = await backlog.create_issues(
        room.link_action_item, REPO, again, token=TOKEN, api_url=github.base
    )
    assert rerun.created == () and rerun.already_linked == 3
    assert len(github.posts) == 3


async def test_github_dropped_answer_creates_no_duplicate(cli, room, github, tmp_path):
    """GitHub creates the issue and the connection drops before its answer: the item is not
    linked, and the next run finds the issue by the marker in its body instead of making a
    second one."""
    first = await room.declare("API returns 500s after deploy", Severity.SEV1)
    items = [await room.add_action_item(first, f"Follow-up {n}", owner="bo") for n in (1, 2)]
    env = github_env(tmp_path, github.base)
    github.drop = {1}

    lost = cli("action-items", "export", "--github", REPO, env=env)
    assert lost.returncode == 1
    assert "may exist" in lost.stderr and "marker" in lost.stderr
    assert github.issues == 1
    assert urls(cli) == {items[0].id: None, items[1].id: None}
    assert f"INC-1/{items[0].id}@" in github.bodies[0]

    again = cli("action-items", "export", "--github", REPO, env=env)
    assert again.returncode == 0, again.stderr
    assert github.issues == 2  # the lost one was found, only the second was created
    assert [p.json()["title"] for p in github.posts] == ["Follow-up 1", "Follow-up 2"]
    assert f"found INC-1 item {items[0].id}" in again.stdout
    assert urls(cli) == {
        items[0].id: f"https://github.com/{REPO}/issues/1",
        items[1].id: f"https://github.com/{REPO}/issues/2",
    }


async def test_github_markers_are_looked_for_on_every_page(room, github):
    from warroom import backlog

    first = await room.declare("API returns 500s after deploy", Severity.SEV1)
    items = [await room.add_action_item(first, f"Follow-up {n}") for n in (1, 2, 3)]
    rows = await room.backlog(open_only=True)
    # An earlier run created all three; none of the answers arrived.
    github.bodies = [backlog.issue_payload(row)["body"] for row in rows]
    github.page_size = 1
    run = await backlog.create_issues(
        room.link_action_item, REPO, rows, token=TOKEN, api_url=github.base
    )
    assert run.ok and all(r.found for r in run.created)
    assert github.posts == []
    assert [r.url for r in run.created] == [
        f"https://github.com/{REPO}/issues/{n}" for n in (1, 2, 3)
    ]
    assert len(github.received) == 3  # one GET per page
    assert {i.id for i in items} == {r.row.item.id for r in run.created}
