"""The team's runbooks (`runbook-prod.md`, `qa-checklist.md`, ...) read in the console: one tab
per file, Markdown rendered, `/` to search and `n` / `N` to go from match to match."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input, MarkdownViewer, Static, Tab, Tabs
from textual.widgets.markdown import Markdown, MarkdownBlock

from warroom.sanitize import strip_controls
from warroom.ui.promptbar import PALETTE, KeyBar

MAX_DOCUMENT = 2_000_000  # characters: a runbook, not a data dump

# Inline Markdown the reader does not see: links show their text, emphasis and code marks vanish.
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKS = re.compile(r"\*\*|__|~~|`|\*")


@dataclass(frozen=True)
class DocMatch:
    line: int  # 0-based line of the source
    column: int  # in the line as searched (inline marks removed)
    text: str  # that line, as searched


def searchable(line: str) -> str:
    """A source line as it reads on screen: link targets and emphasis marks dropped."""
    return _MARKS.sub("", _LINK.sub(r"\1", line))


def find_matches(source: str, query: str) -> list[DocMatch]:
    """Every occurrence of `query` in the document, case-insensitive, in reading order."""
    needle = query.strip().casefold()
    if not needle:
        return []
    found: list[DocMatch] = []
    for number, line in enumerate(source.splitlines()):
        text = searchable(line)
        folded = text.casefold()
        start = folded.find(needle)
        while start >= 0:
            found.append(DocMatch(number, start, text.strip()))
            start = folded.find(needle, start + len(needle))
    return found


def read_document(path: Path) -> tuple[str | None, str]:
    """(text, "") or (None, why it cannot be shown)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, f"file not found: {path}"
    except IsADirectoryError:
        return None, f"is a directory, not a Markdown file: {path}"
    except PermissionError:
        return None, f"permission denied: {path}"
    except UnicodeDecodeError:
        return None, f"not UTF-8 text: {path}"
    except OSError as exc:
        return None, f"cannot read {path}: {exc.strerror or exc}"
    if len(text) > MAX_DOCUMENT:
        text = text[:MAX_DOCUMENT] + f"\n\n_[cut at {MAX_DOCUMENT:,} characters]_\n"
    return strip_controls(text), ""


def show_link_targets(md: MarkdownIt) -> MarkdownIt:
    """A parser plugin: a link whose text is not its address reads "text (address)", so that
    a Grafana link can be read and copied over SSH, where nothing opens a browser. In-page
    anchors (`#rollback`) and bare addresses (`<https://...>`) stay as they are."""

    def rule(state: StateCore) -> None:
        for block in state.tokens:
            if block.type != "inline" or not block.children:
                continue
            children: list[Token] = []
            href, label = "", ""
            for child in block.children:
                children.append(child)
                if child.type == "link_open":
                    href, label = str(child.attrs.get("href", "")), ""
                    if child.markup == "autolink" or href.startswith("#"):
                        href = ""
                elif child.type in ("text", "code_inline") and href:
                    label += child.content
                elif child.type == "link_close" and href:
                    if label.strip() not in (href, href.removeprefix("mailto:")):
                        children.append(Token("text", "", 0, content=f" ({href})"))
                    href = ""
            block.children = children

    md.core.ruler.push("show_link_targets", rule)
    return md


def markdown_parser() -> MarkdownIt:
    """Textual's own parser ("gfm-like"), showing link targets."""
    return MarkdownIt("gfm-like").use(show_link_targets)


def tab_labels(paths: list[Path]) -> list[str]:
    """File names; the parent directory too where two files share a name."""
    names = [p.name for p in paths]
    return [f"{p.parent.name}/{p.name}" if names.count(p.name) > 1 else p.name for p in paths]


class DocViewer(MarkdownViewer):
    """A MarkdownViewer whose links are the screen's business (the stock one opens any path
    relative to the working directory and fails on a missing one)."""

    def _on_markdown_link_clicked(self, message: Markdown.LinkClicked) -> None:
        message.prevent_default()


class RunbookScreen(ModalScreen[None]):
    """The runbooks, full screen. A modal screen so that the console's one-key milestones
    (`a`, `m`, `r` ...) cannot fire while the on-call is reading."""

    DEFAULT_CSS = """
    RunbookScreen {
        background: $background;
        align: left top;
    }
    RunbookScreen #doc-tabs {
        height: 2;
    }
    RunbookScreen #doc-path {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    RunbookScreen #doc-missing {
        height: 1fr;
        padding: 1 2;
        color: $text-error;
        text-style: bold;
    }
    RunbookScreen DocViewer {
        height: 1fr;
    }
    RunbookScreen DocViewer MarkdownBlock.-match {
        background: $warning 25%;
        border-left: thick $warning;
    }
    RunbookScreen #doc-search {
        height: 3;
    }
    RunbookScreen #doc-status {
        height: 1;
        padding: 0 1;
        background: $panel;
    }
    RunbookScreen .-hidden {
        display: none;
    }
    """

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("slash", "search", "Search", key_display="/"),
        Binding("n", "next_match", "Next match"),
        Binding("N", "previous_match", "Prev match", key_display="N"),
        Binding("left_square_bracket", "switch(-1)", "Prev file", key_display="["),
        Binding("right_square_bracket", "switch(1)", "Next file", key_display="]"),
        Binding("t", "toggle_contents", "Contents"),
    ]

    def __init__(self, paths: list[Path]) -> None:
        super().__init__()
        self.paths = list(paths)
        self.index = 0
        self.query_text = ""
        self.matches: list[DocMatch] = []
        self.match_index: int | None = None
        self.problem = ""  # why the current file is not shown
        self._requested: int | None = None
        self._marked: MarkdownBlock | None = None

    def compose(self) -> ComposeResult:
        labels = tab_labels(self.paths)
        yield Tabs(
            *(Tab(Text(label), id=f"doc-{n}") for n, label in enumerate(labels)), id="doc-tabs"
        )
        yield Static(id="doc-path")
        yield DocViewer(
            show_table_of_contents=False, open_links=False, parser_factory=markdown_parser
        )
        yield Static(id="doc-missing", classes="-hidden")
        yield Input(placeholder="search: enter keeps it, esc closes", id="doc-search")
        yield Static(id="doc-status")
        yield KeyBar(PALETTE)

    def on_mount(self) -> None:
        self.query_one("#doc-search", Input).add_class("-hidden")
        self.query_one(DocViewer).show_table_of_contents = self.app.size.width >= 120
        if not self.paths:
            self._show_problem(
                "no runbooks configured: set [runbook] reference, files or qa_checklist "
                "in the config"
            )
            self._set_status("")
            return
        self.show(0)

    # Files ---------------------------------------------------------------------------------

    @property
    def viewer(self) -> DocViewer:
        return self.query_one(DocViewer)

    @property
    def source(self) -> str:
        return "" if self.problem else self.viewer.document.source

    def show(self, index: int) -> None:
        """Switch to file `index` (its tab, then its text)."""
        if index == self._requested:
            return
        self._requested = index
        self.query_one(Tabs).active = f"doc-{index}"
        self.load(index)

    @work(exclusive=True, group="runbook-load")
    async def load(self, index: int) -> None:
        """Show file `index`: read off the event loop, rendered, the search run again."""
        self.index = index
        path = self.paths[index]
        self.query_one("#doc-path", Static).update(Text(str(path)))
        text, problem = await asyncio.to_thread(read_document, path)
        self._marked = None
        if text is None:
            self._show_problem(problem)
        else:
            self.problem = ""
            self.query_one("#doc-missing").add_class("-hidden")
            self.viewer.remove_class("-hidden")
            await self.viewer.document.update(text)
            self.viewer.scroll_home(animate=False)
            self.viewer.document.focus()
        self._search(jump=False)

    def _show_problem(self, problem: str) -> None:
        self.problem = problem
        self.viewer.add_class("-hidden")
        missing = self.query_one("#doc-missing", Static)
        missing.update(Text(problem))
        missing.remove_class("-hidden")

    @on(Tabs.TabActivated, "#doc-tabs")
    def _tab_chosen(self, event: Tabs.TabActivated) -> None:
        self.show(int((event.tab.id or "doc-0").removeprefix("doc-")))

    def action_switch(self, step: int) -> None:
        if self.paths:
            self.show(((self._requested or 0) + step) % len(self.paths))

    def action_toggle_contents(self) -> None:
        self.viewer.show_table_of_contents = not self.viewer.show_table_of_contents

    @on(Markdown.LinkClicked)
    def _link(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        href = event.href
        if href.startswith("#"):
            self.viewer.document.goto_anchor(href[1:])
            return
        target = href.partition("#")[0]
        if "://" not in href and target:
            wanted = (self.paths[self.index].parent / target).resolve()
            for n, path in enumerate(self.paths):
                if path.resolve() == wanted:
                    self.show(n)
                    return
        self.notify(f"link: {href}", markup=False)

    # Search --------------------------------------------------------------------------------

    def action_search(self) -> None:
        search = self.query_one("#doc-search", Input)
        search.remove_class("-hidden")
        search.value = self.query_text
        search.focus()
        search.select_all()  # typing replaces the last search; an arrow key edits it

    def action_close(self) -> None:
        search = self.query_one("#doc-search", Input)
        if search.has_focus:
            self._close_search()
            return
        self.dismiss(None)

    def _close_search(self) -> None:
        self.query_one("#doc-search", Input).add_class("-hidden")
        if not self.problem:
            self.viewer.document.focus()

    @on(Input.Changed, "#doc-search")
    def _typed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self._search(jump=True)

    @on(Input.Submitted, "#doc-search")
    def _submitted(self, event: Input.Submitted) -> None:
        self.query_text = event.value
        self._close_search()

    def _search(self, *, jump: bool) -> None:
        self.matches = find_matches(self.source, self.query_text)
        self.match_index = None
        self._mark(None)
        if jump and self.matches:
            self._go(0)
        else:
            self._report()

    def action_next_match(self) -> None:
        self._step(1)

    def action_previous_match(self) -> None:
        self._step(-1)

    def _step(self, step: int) -> None:
        if not self.matches:
            self._report()
            return
        if self.match_index is None:
            self._go(0 if step > 0 else len(self.matches) - 1)
        else:
            self._go((self.match_index + step) % len(self.matches))

    def _go(self, index: int) -> None:
        self.match_index = index
        match = self.matches[index]
        block = self.block_for(match.line)
        self._mark(block)
        if block is not None:
            self.call_after_refresh(self._scroll_to, block, match.line)
        self._report()

    def block_for(self, line: int) -> MarkdownBlock | None:
        """The innermost rendered block holding source line `line`."""
        best: MarkdownBlock | None = None
        for block in self.viewer.document.query(MarkdownBlock):
            start, end = block.source_range
            if start <= line < end and (
                best is None or end - start < best.source_range[1] - best.source_range[0]
            ):
                best = block
        return best

    def _scroll_to(self, block: MarkdownBlock, line: int) -> None:
        viewer = self.viewer
        viewer.scroll_to_widget(block, top=True, animate=False, immediate=True)
        height = block.outer_size.height
        if height > viewer.scrollable_content_region.height:
            # A long block (a table, a code fence): go down to about the matching line.
            start, end = block.source_range
            share = (line - start) / max(1, end - start)
            viewer.scroll_relative(y=max(0, int(share * height) - 2), animate=False)

    def _mark(self, block: MarkdownBlock | None) -> None:
        if self._marked is not None and self._marked is not block:
            self._marked.remove_class("-match")
        self._marked = block
        if block is not None:
            block.add_class("-match")

    def _report(self) -> None:
        query = self.query_text.strip()
        if not query:
            self._set_status("/ search")
        elif self.problem:
            self._set_status(f"no text to search for “{query}”")
        elif not self.matches:
            self._set_status(f"no match for “{query}”")
        elif self.match_index is None:
            count = len(self.matches)
            self._set_status(f"{count} match{'es' if count > 1 else ''} for “{query}”: n to go")
        else:
            match = self.matches[self.match_index]
            self._set_status(
                f"match {self.match_index + 1}/{len(self.matches)} for “{query}”, "
                f"line {match.line + 1}: {match.text}"
            )

    def _set_status(self, text: str) -> None:
        self.query_one("#doc-status", Static).update(Text(text, no_wrap=True, overflow="ellipsis"))
