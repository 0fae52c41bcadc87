"""The incident's chart as a small SVG file of our own making: p95 latency per bucket (a line,
left axis) and ERROR lines per minute (bars, right axis) on one time axis, failing health
shaded, and a vertical marker at each deploy, mitigation run and milestone of the journal.

Byte-stable (the same journal gives the same bytes: fixed formats, no timestamps, no ids), and
readable on a light or a dark page (its colours follow `prefers-color-scheme`). A plotting
library measured 4.6 s to import and 10 s to draw a day-long incident on this box, for some
175 MB installed (matplotlib with numpy, pillow, fonttools); this draws it in milliseconds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

from warroom.chart import ChartData, Marker
from warroom.telemetry import iso

WIDTH = 860
HEIGHT = 300
LEFT, RIGHT, TOP, BOTTOM = 64, 796, 64, 250  # the plot area
MOST_POINTS = (RIGHT - LEFT) // 2  # a point per two pixels at most: downsampled beyond
LABEL_ROWS = 3  # marker labels staggered over this many rows so close ones do not overlap

STYLE = """
svg { font-family: ui-sans-serif, system-ui, sans-serif; font-size: 11px; }
.bg { fill: #ffffff; } .ink { fill: #1f2328; } .dim { fill: #656d76; }
.grid { stroke: #d0d7de; stroke-width: 1; } .axis { stroke: #656d76; stroke-width: 1; }
.fail { fill: #cf222e; fill-opacity: 0.12; } .bar { fill: #bc4c00; fill-opacity: 0.4; }
.lat { fill: none; stroke: #0969da; stroke-width: 2; stroke-linejoin: round; }
.mark { stroke-width: 1.2; stroke-dasharray: 4 3; } .deploy { stroke: #8250df; }
.action { stroke: #8250df; stroke-dasharray: 1 2; } .detected { stroke: #cf222e; }
.acknowledged { stroke: #9a6700; } .mitigated { stroke: #1a7f37; } .resolved { stroke: #1f2328; }
@media (prefers-color-scheme: dark) {
  .bg { fill: #0d1117; } .ink { fill: #e6edf3; } .dim { fill: #9198a1; }
  .grid { stroke: #30363d; } .axis { stroke: #9198a1; }
  .fail { fill: #f85149; fill-opacity: 0.18; } .bar { fill: #db6d28; fill-opacity: 0.45; }
  .lat { stroke: #4493f8; } .deploy, .action { stroke: #ab7df8; } .detected { stroke: #f85149; }
  .acknowledged { stroke: #d29922; } .mitigated { stroke: #3fb950; } .resolved { stroke: #e6edf3; }
}
"""


def _n(value: float) -> str:
    """A coordinate: one decimal, no "-0.0", so the bytes never depend on float noise."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _nice(top: float) -> float:
    """A round axis maximum at or above `top`."""
    if top <= 0:
        return 1.0
    step = 1.0
    while step * 10 < top:
        step *= 10
    for factor in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * factor >= top:
            return step * factor
    return step * 10


class _Scale:
    def __init__(self, chart: ChartData) -> None:
        self.t0 = chart.start.timestamp()
        self.span = max(chart.end.timestamp() - self.t0, 1.0)

    def x(self, at: datetime) -> float:
        return LEFT + (RIGHT - LEFT) * (at.timestamp() - self.t0) / self.span


def render_svg(chart: ChartData, title: str) -> str:
    """The chart as SVG text; the same chart always gives the same text."""
    scale = _Scale(chart)
    latencies = [p.p95_ms for p in chart.points if p.p95_ms is not None]
    lat_top = _nice(max(latencies, default=0.0))
    # Errors per minute, whatever the bucket's width (wider ones after hours, or downsampled).
    rates = [p.errors / max(p.width.total_seconds() / 60, 1e-9) for p in chart.points]
    err_top = _nice(max(rates, default=0.0))
    height = BOTTOM - TOP

    def y(value: float, top: float) -> float:
        return BOTTOM - height * min(value, top) / top

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}"'
        f' viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label={quoteattr(title)}'
        f' data-start="{iso(chart.start)}" data-end="{iso(chart.end)}"'
        f' data-x0="{LEFT}" data-x1="{RIGHT}">',
        f"<title>{escape(title)}</title>",
        f"<style>{STYLE}</style>",
        f'<rect class="bg" x="0" y="0" width="{WIDTH}" height="{HEIGHT}"/>',
        f'<text class="ink" x="{LEFT}" y="18" font-weight="bold">{escape(title)}</text>',
    ]
    # Failing health first, under everything.
    for point in chart.points:
        if point.failed:
            x0, x1 = scale.x(point.start), scale.x(point.start + point.width)
            out.append(
                f'<rect class="fail" x="{_n(x0)}" y="{TOP}" width="{_n(max(x1 - x0, 1.0))}"'
                f' height="{height}"/>'
            )
    for n in range(5):  # horizontal grid, with both axes' values
        gy = BOTTOM - height * n / 4
        out.append(f'<line class="grid" x1="{LEFT}" y1="{_n(gy)}" x2="{RIGHT}" y2="{_n(gy)}"/>')
        out.append(
            f'<text class="dim" x="{LEFT - 6}" y="{_n(gy + 4)}" text-anchor="end">'
            f"{lat_top * n / 4:g}</text>"
        )
        out.append(f'<text class="dim" x="{RIGHT + 6}" y="{_n(gy + 4)}">{err_top * n / 4:g}</text>')
    clock = "%H:%M:%S" if chart.tick_step() < 60 else "%H:%M"
    for tick in chart.ticks():
        tx = scale.x(tick)
        out.append(
            f'<line class="axis" x1="{_n(tx)}" y1="{BOTTOM}" x2="{_n(tx)}" y2="{BOTTOM + 4}"/>'
        )
        out.append(
            f'<text class="dim" x="{_n(tx)}" y="{BOTTOM + 16}" text-anchor="middle">'
            f"{tick.astimezone(UTC).strftime(clock)}</text>"
        )
    for point, rate in zip(chart.points, rates, strict=True):
        if rate > 0:
            x0, x1 = scale.x(point.start), scale.x(point.start + point.width)
            top = y(rate, err_top)
            out.append(
                f'<rect class="bar" x="{_n(x0)}" y="{_n(top)}"'
                f' width="{_n(max(x1 - x0 - 1, 1.0))}" height="{_n(BOTTOM - top)}"/>'
            )
    out.extend(_latency_lines(chart, scale, lambda v: y(v, lat_top)))
    out.extend(_markers(chart.markers, scale))
    out += [
        f'<line class="axis" x1="{LEFT}" y1="{BOTTOM}" x2="{RIGHT}" y2="{BOTTOM}"/>',
        f'<text class="dim" x="{LEFT}" y="{HEIGHT - 12}">'
        "p95 latency, ms (line, left) · ERROR lines per minute (bars, right)"
        " · failing health shaded · times UTC</text>",
        "</svg>",
        "",
    ]
    return "\n".join(out)


def _latency_lines(chart: ChartData, scale: _Scale, y: Callable[[float], float]) -> list[str]:
    """One polyline per run of buckets with a latency (a gap where no check was timed)."""
    runs: list[list[str]] = [[]]
    for point in chart.points:
        if point.p95_ms is None:
            if runs[-1]:
                runs.append([])
            continue
        mid = point.start + point.width / 2
        runs[-1].append(f"{_n(scale.x(mid))},{_n(y(point.p95_ms))}")
    return [f'<polyline class="lat" points="{" ".join(run)}"/>' for run in runs if run]


def _markers(markers: tuple[Marker, ...], scale: _Scale) -> list[str]:
    out = []
    for n, marker in enumerate(markers):
        mx = _n(scale.x(marker.at))
        row = n % LABEL_ROWS
        label = marker.label if marker.kind not in ("deploy", "action") else marker.kind
        lift = 12 * (LABEL_ROWS - 1 - row)
        out.append(
            f'<line class="mark {marker.kind}" x1="{mx}" y1="{TOP - 4 - lift}"'
            f' x2="{mx}" y2="{BOTTOM}" data-at="{iso(marker.at)}">'
            f"<title>{escape(f'{marker.at.astimezone(UTC):%H:%M:%S} {marker.label}')}</title>"
            "</line>"
        )
        out.append(
            f'<text class="ink" x="{mx}" y="{TOP - 8 - lift}"'
            f' text-anchor="middle">{escape(label)}</text>'
        )
    return out
