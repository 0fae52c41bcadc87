"""The incident's chart as text for a terminal (`warroom show`, the post-mortem editor's
preview): the same series as the SVG, as sparklines on one time axis, with a row of markers."""

from __future__ import annotations

from datetime import UTC, datetime

from warroom.chart import ChartData

BLOCKS = "▁▂▃▄▅▆▇█"
MARK_LETTERS = {
    "deploy": "d",
    "action": "!",
    "detected": "D",
    "acknowledged": "A",
    "mitigated": "M",
    "resolved": "R",
}
LABEL = 10  # the width of the row names


def _spark(values: list[float | None]) -> str:
    top = max((v for v in values if v is not None), default=0.0)
    cells = []
    for value in values:
        if value is None:
            cells.append(" ")
        elif top <= 0 or value <= 0:
            cells.append(BLOCKS[0] if value is not None else " ")
        else:
            cells.append(BLOCKS[min(len(BLOCKS) - 1, int(value / top * (len(BLOCKS) - 1) + 0.5))])
    return "".join(cells)


def render_text(chart: ChartData, width: int = 60) -> list[str]:
    """Lines of plain text (no markup): latency, errors, failing health, markers, time axis,
    and the markers' legend."""
    t0 = chart.start.timestamp()
    span = max(chart.end.timestamp() - t0, 1.0)
    width = max(width, 10)

    def column(at: datetime) -> int:
        return min(width - 1, int((at.timestamp() - t0) / span * width))

    latency: list[float | None] = [None] * width
    errors: list[float | None] = [None] * width
    failed = [False] * width
    for point in chart.points:
        first = column(point.start)
        last = max(first, column(point.start + point.width) - 1)
        for n in range(first, last + 1):
            if point.p95_ms is not None:
                latency[n] = max(latency[n] or 0.0, point.p95_ms)
            rate = point.errors / max(point.width.total_seconds() / 60, 1e-9)
            errors[n] = max(errors[n] or 0.0, rate)
            failed[n] = failed[n] or point.failed
    marks = [" "] * width
    for marker in chart.markers:
        n = column(marker.at)
        letter = MARK_LETTERS.get(marker.kind, "*")
        marks[n] = letter if marks[n] == " " else "+"
    lat_top = max((v for v in latency if v is not None), default=0.0)
    err_top = max((v for v in errors if v is not None), default=0.0)
    start, end = chart.start.astimezone(UTC), chart.end.astimezone(UTC)
    axis = f"{start:%H:%M}".ljust(width - 5) + f"{end:%H:%M}"
    lines = [
        f"{'p95 ms':<{LABEL}}{_spark(latency)}  max {lat_top:.0f}",
        f"{'errors/min':<{LABEL}}{_spark(errors)}  max {err_top:.0f}",
        f"{'failing':<{LABEL}}{''.join('x' if f else '·' for f in failed)}",
        f"{'marks':<{LABEL}}{''.join(marks)}",
        f"{'UTC':<{LABEL}}{axis}",
    ]
    for marker in chart.markers:
        letter = MARK_LETTERS.get(marker.kind, "*")
        lines.append(f"{'':<{LABEL}}{letter} {marker.at.astimezone(UTC):%H:%M:%S} {marker.label}")
    return lines
