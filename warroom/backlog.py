"""Post-mortem action items as backlog tasks: read across incidents, exported for any tracker
(CSV, JSON) or created as GitHub issues labelled `incident`.

GitHub creation is idempotent: each created issue's address is stored in the item's
`external_url` as soon as GitHub answers, and items that have one are never sent again, so a
re-run after a failure halfway creates only what is missing. Each issue's body carries a marker
of its item, and a run first lists the repository's `incident` issues for those markers: an
issue GitHub created whose answer never arrived (a dropped connection) is linked, not created
twice. The token comes from the
environment and is registered with sanitize.py: it never appears in a message, and an answer
that echoes it (even inside html_url) is stored and shown without it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import httpx

from warroom import __version__
from warroom.config import GithubConfig
from warroom.errors import UserError
from warroom.followups import ActionItem
from warroom.jsonview import action_item_dict
from warroom.model import Incident, format_id
from warroom.sanitize import register_secret, safe_line, secret_from_env
from warroom.sources.status import describe_error
from warroom.timeutil import iso
from warroom.tls import tls_context

FIELDS = (
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
)
LABEL = "incident"
API_VERSION = "2022-11-28"
DEFAULT_TIMEOUT = 15.0
MAX_TITLE = 200
# The issues listed when looking for markers: 20 pages of 100 (a bound, not a wait).
MAX_PAGES = 20
_MARKER = re.compile(r"<!-- warroom action item (\S+) -->")
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class BacklogItem:
    """One action item with the incident it came from, as a tracker sees it."""

    item: ActionItem
    incident_title: str
    overdue: bool
    # When the incident was declared: with the ids, it tells this journal's item 7 from
    # another journal's in a shared repository.
    incident_created_at: datetime | None = None

    @property
    def incident_ref(self) -> str:
        return format_id(self.item.incident_id)

    @property
    def marker(self) -> str:
        """What the item's GitHub issue carries in its body (an HTML comment: not shown)."""
        created = iso(self.incident_created_at) if self.incident_created_at else "-"
        return f"<!-- warroom action item {self.incident_ref}/{self.item.id}@{created} -->"

    @property
    def is_open(self) -> bool:
        return not self.item.done


def collect(
    incidents: Iterable[Incident], *, today: date, open_only: bool = False
) -> list[BacklogItem]:
    """Every action item of every incident (open or resolved), oldest incident first;
    `open_only`: the items not done yet."""
    rows: list[BacklogItem] = []
    for incident in incidents:
        for item in incident.action_items:
            if open_only and item.done:
                continue
            overdue = item.overdue(today)
            rows.append(BacklogItem(item, incident.title, overdue, incident.created_at))
    rows.sort(key=lambda r: (r.item.incident_id, r.item.id))
    return rows


def item_dict(row: BacklogItem) -> dict[str, Any]:
    return {
        "incident": row.incident_ref,
        "incident_title": row.incident_title,
        "item": row.item.id,
        **action_item_dict(row.item),
        "overdue": row.overdue,
    }


def to_json(rows: list[BacklogItem]) -> str:
    return json.dumps([item_dict(r) for r in rows], indent=2, ensure_ascii=False) + "\n"


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP: CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A value as a CSV cell a spreadsheet shows as text: booleans as true/false, missing values
    empty, text that would start a formula prefixed with a quote."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def to_csv(rows: list[BacklogItem]) -> str:
    """RFC 4180 CSV with a header row, safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: csv_cell(v) for k, v in item_dict(row).items()})
    return out.getvalue()


def format_table(rows: list[BacklogItem]) -> str:
    """A row per item; STATE says open, done or OVERDUE (deadline passed and not done)."""
    table = [
        (
            r.incident_ref,
            str(r.item.id),
            "done" if r.item.done else "OVERDUE" if r.overdue else "open",
            r.item.deadline.isoformat() if r.item.deadline else "-",
            r.item.owner or "unassigned",
            r.item.label,
            _one_line(r.item.text) + (f"  {r.item.external_url}" if r.item.external_url else ""),
        )
        for r in rows
    ]
    header = ("INCIDENT", "ITEM", "STATE", "DEADLINE", "OWNER", "LABEL", "TEXT")
    widths = [max(len(h), *(len(t[i]) for t in table)) for i, h in enumerate(header[:-1])]
    lines = []
    for cells in (header, *table):
        fixed = "  ".join(c.ljust(w) for c, w in zip(cells[:-1], widths, strict=True))
        lines.append(f"{fixed}  {cells[-1]}".rstrip())
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(text.split())


# GitHub ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssueResult:
    """What happened to one item: created (with its URL) or failed (with why)."""

    row: BacklogItem
    url: str | None = None
    status: int | None = None  # GitHub's HTTP status, when it answered
    error: str = ""
    found: bool = False  # the issue existed already (its marker): linked, not created

    @property
    def ok(self) -> bool:
        return self.url is not None


@dataclass(frozen=True)
class GithubRun:
    repo: str
    created: tuple[IssueResult, ...]
    failed: tuple[IssueResult, ...]
    not_tried: tuple[BacklogItem, ...]  # left after an answer that would repeat for all
    already_linked: int

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_tried


def check_repo(text: str) -> str:
    repo = text.strip().strip("/")
    if not _REPO.fullmatch(repo) or ".." in repo:
        raise UserError(f"bad repository {text!r}; use OWNER/REPO, e.g. acme/backend")
    return repo


def pending(rows: list[BacklogItem]) -> list[BacklogItem]:
    """The items that still need an issue: open and not yet linked to one."""
    return [r for r in rows if r.is_open and not r.item.external_url]


def read_token(config: GithubConfig, repo: str, env: Mapping[str, str] = os.environ) -> str:
    token = secret_from_env(config.token_env, env)
    if not token:
        raise UserError(
            f"cannot create issues in {repo}: ${config.token_env} is not set; export a GitHub "
            "token allowed to create issues there ([github] token_env names the variable)"
        )
    return token


def issue_payload(row: BacklogItem) -> dict[str, Any]:
    item = row.item
    text = item.text.strip()
    title = _one_line(text)
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1].rstrip() + "…"
    lines = [
        f"Action item from incident {row.incident_ref}: {row.incident_title}",
        "",
        f"- Owner: {item.owner or 'unassigned'}",
        f"- Deadline: {item.deadline.isoformat() if item.deadline else 'none'}",
    ]
    if title != text:
        lines += ["", text]
    lines += ["", f"Created by warroom from {row.incident_ref} action item {item.id}.", row.marker]
    labels = [LABEL]
    if item.label and item.label != LABEL:
        labels.append(item.label)
    return {"title": title, "body": "\n".join(lines), "labels": labels}


# Stores an item's issue URL the moment GitHub answers (the war room's `link_action_item`).
Link = Callable[[int, str], Awaitable[ActionItem]]


async def create_issues(
    link: Link,
    repo: str,
    rows: list[BacklogItem],
    *,
    token: str,
    api_url: str = "https://api.github.com",
    client: httpx.AsyncClient | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    on_result: Callable[[IssueResult], None] | None = None,
) -> GithubRun:
    """One issue per open, unlinked item in `rows`, each item's `external_url` written right
    after its issue is created. Never raises for an HTTP or network problem: the run says
    which items failed and why; the ones created before keep their URLs."""
    repo = check_repo(repo)
    register_secret(token)  # also when the caller read it itself
    todo = pending(rows)
    already = sum(1 for r in rows if r.is_open and r.item.external_url)
    url = f"{api_url.rstrip('/')}/repos/{repo}/issues"
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": API_VERSION,
        "User-Agent": f"warroom/{__version__}",
    }
    created: list[IssueResult] = []
    failed: list[IssueResult] = []
    own = client is None
    http = client or httpx.AsyncClient(
        timeout=timeout, follow_redirects=False, verify=tls_context()
    )
    try:
        marked: dict[str, str] = {}
        if todo:
            marked, problem = await find_marked(http, url, headers, repo)
            if problem:  # the same would stop every item: none is tried
                first = IssueResult(todo[0], error=problem)
                if on_result is not None:
                    on_result(first)
                return GithubRun(repo, (), (first,), tuple(todo[1:]), already)
        for index, row in enumerate(todo):
            if row.marker in marked:
                result, stop = await _link_found(row, marked[row.marker], link)
            else:
                result, stop = await _create_one(http, url, headers, repo, row, link)
            (created if result.ok else failed).append(result)
            if on_result is not None:
                on_result(result)
            if stop:
                return GithubRun(
                    repo, tuple(created), tuple(failed), tuple(todo[index + 1 :]), already
                )
    finally:
        if own:
            await http.aclose()
    return GithubRun(repo, tuple(created), tuple(failed), (), already)


async def find_marked(
    http: httpx.AsyncClient, url: str, headers: dict[str, str], repo: str
) -> tuple[dict[str, str], str]:
    """The repository's `incident` issues that carry an item's marker (marker -> html_url),
    or why they could not be listed. Read from the issues list, not the search API, whose index
    lags behind an issue created a second ago."""
    found: dict[str, str] = {}
    page: str | None = f"{url}?labels={LABEL}&state=all&per_page=100"
    for _ in range(MAX_PAGES):
        if page is None:
            break
        try:
            response = await http.get(page, headers=headers)
        except Exception as exc:
            error = f"cannot reach GitHub at {url} for {repo}: {describe_error(exc)}"
            return found, safe_line(error, limit=400)
        if response.status_code != 200:
            status = response.status_code
            error = f"GitHub answered {status} for {repo}: {_reason(status, response)}"
            return found, safe_line(error, limit=400)
        try:
            issues = response.json()
        except ValueError:
            issues = None
        if not isinstance(issues, list):
            return found, f"GitHub sent no list of issues for {repo}"
        for issue in issues:
            body = issue.get("body") if isinstance(issue, dict) else None
            html_url = issue.get("html_url") if isinstance(issue, dict) else None
            if not isinstance(body, str) or not isinstance(html_url, str):
                continue
            for match in _MARKER.finditer(body):
                found.setdefault(match.group(0), html_url)
        more = _NEXT.search(response.headers.get("link", ""))
        page = more.group(1) if more else None
        if page is not None and httpx.URL(page).netloc != httpx.URL(url).netloc:
            page = None  # the token goes only to the API it was configured for
    return found, ""


async def _link_found(row: BacklogItem, html_url: str, link: Link) -> tuple[IssueResult, bool]:
    """An issue made for the item by an earlier run whose answer was lost: link it."""
    try:
        updated = await link(row.item.id, html_url)
    except Exception as exc:
        error = f"found {html_url} but could not record it in the journal: {exc}"
        return IssueResult(row, error=safe_line(error, limit=400)), True
    stored = updated.external_url or html_url
    found = BacklogItem(updated, row.incident_title, row.overdue, row.incident_created_at)
    return IssueResult(found, stored, found=True), False


async def _create_one(
    http: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    repo: str,
    row: BacklogItem,
    link: Link,
) -> tuple[IssueResult, bool]:
    """The item's issue created and its URL stored; or why not, and whether to stop."""
    try:
        response = await http.post(url, json=issue_payload(row), headers=headers)
    except (httpx.TimeoutException, httpx.ReadError, httpx.RemoteProtocolError) as exc:
        if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
            error = f"cannot reach GitHub at {url} for {repo}: timeout"
        else:  # sent, and the answer lost: the marker finds the issue next time
            error = (
                f"no answer from {repo} ({describe_error(exc)}): the issue may exist; "
                "run again: it is found by its marker, not created twice"
            )
        return IssueResult(row, error=safe_line(error, limit=400)), True
    except Exception as exc:  # refused, DNS, TLS: the same for every item
        error = f"cannot reach GitHub at {url} for {repo}: {describe_error(exc)}"
        return IssueResult(row, error=safe_line(error, limit=400)), True
    status = response.status_code
    if status == 201:
        html_url = _field(response, "html_url")
        if not html_url.startswith(("https://", "http://")):
            error = f"GitHub created an issue in {repo} (201) but sent no html_url; find it"
            return IssueResult(row, status=status, error=error), True
        try:
            updated = await link(row.item.id, html_url)
        except Exception as exc:  # the issue exists: say where, so nobody creates it twice
            error = f"created {html_url} but could not record it in the journal: {exc}"
            return IssueResult(row, status=status, error=safe_line(error, limit=400)), True
        # The address as stored: without the token, should GitHub have put it in.
        stored = updated.external_url or html_url
        made = BacklogItem(updated, row.incident_title, row.overdue, row.incident_created_at)
        return IssueResult(made, stored), False
    error = f"GitHub answered {status} for {repo}: {_reason(status, response)}"
    # A refused field (422) or a server error is this item's; anything else (the token, the
    # repository, a rate limit, a redirect) would be the same for every item: stop there.
    go_on = status == 422 or status >= 500
    return IssueResult(row, status=status, error=safe_line(error, limit=400)), not go_on


def _reason(status: int, response: httpx.Response) -> str:
    message = _field(response, "message") or response.reason_phrase or "no reason given"
    hint = {
        401: "the token was rejected (expired or revoked?)",
        403: "the token may not create issues there (needs Issues: write), or a rate limit",
        404: "no such repository, or the token cannot see it",
        410: "issues are disabled in this repository",
        422: "GitHub refused the issue's fields",
    }.get(status, "")
    return f"{message} ({hint})" if hint else message


def _field(response: httpx.Response, name: str) -> str:
    try:
        answer = response.json()
    except ValueError:
        return ""
    value = answer.get(name) if isinstance(answer, dict) else None
    return value if isinstance(value, str) else ""
