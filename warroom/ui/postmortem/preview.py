"""The post-mortem preview: the export rendered as Markdown by Rich, in one widget.

Textual's Markdown widget mounts a widget per block, and styling and laying out those widgets was
most of what the editor cost: 300 ms of the 550 it took to open, 300 ms again after each save of
a 200-entry incident. Here the document is cut into its top-level blocks (a heading, a paragraph,
a list, a table, a fenced block), Rich renders each on its own, and its lines are kept until its
text or the width changes. A save changes one field, so one section is rendered again, however
long the timeline.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import Markdown
from rich.segment import Segment
from textual.widgets import Static

Lines = list[list[Segment]]


def top_level_blocks(text: str) -> list[str]:
    """The source of each top-level block of `text`, in order (markdown-it's gfm-like rules,
    as GitHub reads the exported file)."""
    lines = text.splitlines(keepends=True)
    return [
        "".join(lines[token.map[0] : token.map[1]])
        for token in MarkdownIt("gfm-like").parse(text)
        # Tokens nested in a block have a level above 0; a block's closing token has no text.
        if token.level == 0 and token.map is not None and not token.type.endswith("_close")
    ]


def _trimmed(lines: Lines) -> Lines:
    """Without the blank lines Rich puts around some blocks (a list): one separates two."""

    def blank(line: list[Segment]) -> bool:
        return not "".join(segment.text for segment in line).strip()

    start, end = 0, len(lines)
    while start < end and blank(lines[start]):
        start += 1
    while end > start and blank(lines[end - 1]):
        end -= 1
    return lines[start:end]


class _Blocks:
    """The blocks as one renderable, a blank line between two; each block's lines come from
    the preview's cache, rendered on the first draw at a width."""

    def __init__(self, blocks: list[str], cache: dict[tuple[str, int], Lines]) -> None:
        self.blocks = blocks
        self.cache = cache

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        for n, source in enumerate(self.blocks):
            if n:
                yield Segment.line()
            lines = self.cache.get((source, width))
            if lines is None:
                # Links keep their address in the text: a terminal on a bastion may not follow
                # an OSC 8 hyperlink, and the address is what the reader needs.
                block = Markdown(source, hyperlinks=False)
                lines = _trimmed(
                    console.render_lines(block, options.update(height=None), pad=False)
                )
                self.cache[(source, width)] = lines
            for line in lines:
                yield from line
                yield Segment.line()


class ExportPreview(Static):
    """The export as the terminal shows it; `show` renders only the blocks it has not drawn at
    this width before."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.source = ""  # the Markdown shown
        self.blocks: list[str] = []
        self._cache: dict[tuple[str, int], Lines] = {}

    def show(self, text: str) -> None:
        if text == self.source:
            return
        self.source = text
        self.blocks = top_level_blocks(text)
        # Only the blocks still in the document are worth keeping, at any width.
        kept = set(self.blocks)
        self._cache = {key: lines for key, lines in self._cache.items() if key[0] in kept}
        self.update(_Blocks(self.blocks, self._cache))

    def rendered(self, source: str) -> Lines | None:
        """A block's lines as drawn at the current width (None: not drawn at it yet)."""
        return self._cache.get((source, self.content_region.width))
