"""Charts drawn on the server as accessible SVG: a pure function of the figures, no script.

A chart is one ``<figure>``: an SVG with ``role="img"``, a ``<title>`` and a ``<desc>`` it is
labelled by (``aria-labelledby``), each bar carrying its figure (``data-series``,
``data-label``, ``data-value``, and a ``<title>`` a pointer shows), then the same figures as an
HTML table for screen readers (visually hidden), so no one depends on reading the drawing.
"""

import html
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 16, 40  # room for the axis figures and the labels
# The largest size admin.css draws the axis figures at (on a phone, where the drawing shrinks to
# half): the value axis is as wide as its widest figure needs at that size.
LARGEST_TICK = 22
# Colours with at least 3:1 contrast against white, told apart by more than hue.
COLOURS = ("#1f5fa8", "#b3541e", "#5b3f99", "#2f7d32")


@dataclass(frozen=True)
class Series:
    """One named row of figures, one per label."""

    name: str
    values: Sequence[int]


def bar_chart(*, chart_id: str, title: str, description: str, labels: Sequence[str], series: Sequence[Series],
              label_heading: str, tick_every: int = 1) -> str:
    """The HTML of a bar chart (bars grouped by label, one colour per series) and its table.

    ``chart_id`` prefixes the ids inside (one per page); ``tick_every`` labels every n-th group
    on the axis (the table has them all). Every series has one value per label."""
    if any(len(s.values) != len(labels) for s in series):
        raise ValueError("every series needs one value per label")
    e = html.escape
    top = _nice_top(max((v for s in series for v in s.values), default=0))
    left = max(LEFT, 10 + round(len(f"{top:,}") * LARGEST_TICK * 0.6))  # a digit is about 0.6 em wide
    plot_w, plot_h = WIDTH - left - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(1, len(labels))
    bar_w = max(1.0, group_w * 0.8 / max(1, len(series)))
    parts = [
        f'<svg class="chart-svg" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{e(title)}</title><desc id="{chart_id}-desc">{e(description)}</desc>',
    ]
    for step in range(5):  # horizontal guides at 0, 1/4 ... of the top figure
        value = top * step // 4
        y = TOP + plot_h - plot_h * value / top
        parts.append(f'<line x1="{left}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="guide"/>'
                     f'<text x="{left - 6}" y="{y:.1f}" text-anchor="end" dominant-baseline="middle" '
                     f'class="tick">{value:,}</text>')
    for index, label in enumerate(labels):
        x0 = left + index * group_w + group_w * 0.1
        for number, row in enumerate(series):
            value = row.values[index]
            h = plot_h * value / top
            parts.append(
                f'<rect x="{x0 + number * bar_w:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{COLOURS[number % len(COLOURS)]}" data-series="{e(row.name)}" '
                f'data-label="{e(label)}" data-value="{value}"><title>{e(label)}, {e(row.name)}: {value:,}</title></rect>')
        if index % tick_every == 0:
            parts.append(f'<text x="{x0 + bar_w * len(series) / 2:.1f}" y="{HEIGHT - BOTTOM + 6}" '
                         f'text-anchor="middle" dominant-baseline="hanging" class="tick">{e(label)}</text>')
    parts.append(f'<line x1="{left}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" class="axis"/>')
    parts.append("</svg>")
    legend = "".join(f'<li><span class="swatch" style="background:{COLOURS[n % len(COLOURS)]}"></span>{e(s.name)}</li>'
                     for n, s in enumerate(series))
    heads = "".join(f'<th scope="col" class="num">{e(s.name)}</th>' for s in series)
    rows = "".join(
        f'<tr><th scope="row">{e(label)}</th>' + "".join(f'<td class="num">{s.values[i]}</td>' for s in series) + "</tr>"
        for i, label in enumerate(labels))
    return (f'<figure class="chart" id="{chart_id}">' + "".join(parts)
            + (f'<ul class="legend" aria-hidden="true">{legend}</ul>' if len(series) > 1 else "")
            # In a hidden box, not hidden itself: a table grows to its content whatever its width.
            + f'<div class="visually-hidden"><table class="chart-table" id="{chart_id}-table"><caption>{e(title)}'
            f'</caption><thead><tr><th scope="col">{e(label_heading)}</th>{heads}</tr></thead><tbody>{rows}</tbody>'
            "</table></div></figure>")


def _nice_top(largest: int) -> int:
    """The top of the value axis: at least ``largest``, a multiple of 4 so the guides are whole."""
    top = max(4, largest)
    return top + (-top % 4)


def clicks_chart(by_hour: Sequence[int]) -> str:
    """The chart of a send's human clicks in each hour after it started (ClickReport.by_hour)."""
    total = sum(by_hour)
    return bar_chart(
        chart_id="clicks-chart", title="Human clicks, hour by hour, over the first 72 hours",
        description=f"{total:,} human clicks in {len(by_hour)} hours after the send started; "
                    f"the most in one hour: {max(by_hour, default=0):,}.",
        labels=[f"{hour}h" for hour in range(len(by_hour))], series=[Series("Human clicks", by_hour)],
        label_heading="Hours after the start", tick_every=12)
