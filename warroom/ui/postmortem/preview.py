"""The post-mortem preview: the export rendered as Markdown, redrawn block by block.

Textual's `Markdown.update` removes and mounts every block, and mounting and styling hundreds of
widgets (a 200-entry timeline) after each save is what made typing in the editor slow. A save
changes one field, so one section: the blocks whose source is unchanged stay mounted, and only
those in between are parsed into widgets and mounted. Top-level Markdown blocks render from their
own source alone (the export defines no reference links), so the screen is the same as after a
full update.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token
from textual.widgets import Markdown
from textual.widgets.markdown import MarkdownBlock


@dataclass
class _Group:
    """One top-level block of the document: its tokens, the source it renders from, and the
    widget mounted for it (none for a token Markdown does not draw)."""

    tokens: list[Token]
    key: tuple[str, str]
    start: int
    blocks: list[MarkdownBlock] = field(default_factory=list)


def _groups(text: str) -> list[_Group]:
    tokens = MarkdownIt("gfm-like").parse(text)
    lines = text.splitlines(keepends=True)
    groups: list[_Group] = []
    for token in tokens:
        # A top-level token that is not a closing one starts a block; the tokens inside it are
        # nested (level > 0) up to its closing token.
        if token.level == 0 and not token.type.endswith("_close"):
            start, end = token.map if token.map is not None else (0, 0)
            key = (token.type, "".join(lines[start:end]))
            groups.append(_Group([token], key, start))
        elif groups:
            groups[-1].tokens.append(token)
    return groups


def _shift(block: MarkdownBlock, lines: int) -> None:
    """A kept block's source moved up or down: its line range follows (selection uses it)."""
    for widget in (block, *block.query(MarkdownBlock)):
        start, end = widget.source_range
        widget.source_range = (start + lines, end + lines)


class PreviewMarkdown(Markdown):
    """A Markdown widget whose `show` redraws only the top-level blocks whose source changed."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._groups: list[_Group] = []  # as mounted (the first `show` mounts them all)

    async def show(self, text: str) -> None:
        async with self.lock:
            await self._patch(text)

    async def _patch(self, text: str) -> None:
        old, new = self._groups, _groups(text)
        head = 0
        while head < min(len(old), len(new)) and old[head].key == new[head].key:
            head += 1
        tail = 0
        while tail < min(len(old), len(new)) - head and old[-1 - tail].key == new[-1 - tail].key:
            tail += 1
        kept_tail = old[len(old) - tail :]
        kept_new = new[:head] + new[len(new) - tail :]
        for before, after in zip(old[:head] + kept_tail, kept_new, strict=True):
            if after.start != before.start:
                for block in before.blocks:
                    _shift(block, after.start - before.start)
            after.blocks = before.blocks
        stale = [block for group in old[head : len(old) - tail] for block in group.blocks]
        changed = new[head : len(new) - tail]
        for group in changed:
            group.blocks = list(self._parse_markdown(group.tokens))
        fresh = [block for group in changed for block in group.blocks]
        anchor = next((b for g in kept_tail for b in g.blocks), None)
        self._markdown = text  # `source`, which blocks slice their own source from
        self._table_of_contents = None
        self._groups = new
        with self.app.batch_update():
            if stale:
                await self.remove_children(stale)
            if fresh:
                await self.mount_all(fresh, before=anchor)
