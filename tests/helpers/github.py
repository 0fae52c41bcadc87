"""GitHub's issues endpoint on 127.0.0.1 (tests/helpers/loopback.py): what the backlog export
and the post-mortem editor's ctrl+g talk to."""

from __future__ import annotations

import re
from collections.abc import Callable

from .loopback import Loopback, Reply, Request

REPO = "acme/backend"


class GithubStub(Loopback):
    """The issues endpoint of GitHub's REST API: a POST answers 201 with a new issue's html_url,
    or the status the test sets for the n-th POST (`drop`: created, and the answer lost); a GET
    lists the issues created, `page_size` a page, with a Link header to the next."""

    def __init__(self) -> None:
        super().__init__(answer=self._answer)
        self.fail: dict[int, tuple[int, dict]] = {}  # POST number (1-based) -> answer
        self.drop: set[int] = set()  # POST numbers whose issue is created but never answered
        self.before_answer: Callable[[int], None] | None = None
        self.bodies: list[str] = []  # the issues created, in order
        self.page_size = 100

    @property
    def issues(self) -> int:
        return len(self.bodies)

    @property
    def posts(self) -> list[Request]:
        return [r for r in self.received if r.method == "POST"]

    def _answer(self, request: Request) -> Reply:
        if request.method == "GET":
            return self._list(request)
        number = len(self.posts)
        if self.before_answer is not None:
            self.before_answer(number)
        if number in self.fail:
            return Reply(*self.fail[number])
        self.bodies.append(request.json()["body"])
        html_url = f"https://github.com/{REPO}/issues/{self.issues}"
        return Reply(201, {"number": self.issues, "html_url": html_url}, drop=number in self.drop)

    def _list(self, request: Request) -> Reply:
        asked = re.search(r"[?&]page=(\d+)", request.path)
        page = int(asked.group(1)) if asked else 1
        issues = [
            {"number": n, "html_url": f"https://github.com/{REPO}/issues/{n}", "body": body}
            for n, body in enumerate(self.bodies, start=1)
        ][::-1]  # newest first, as GitHub lists them
        start = (page - 1) * self.page_size
        headers = {}
        if start + self.page_size < len(issues):
            headers["link"] = (
                f'<{self.base}/repos/{REPO}/issues?labels=incident&page={page + 1}>; rel="next"'
            )
        return Reply(200, issues[start : start + self.page_size], headers=headers)
