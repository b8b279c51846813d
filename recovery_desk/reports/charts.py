"""Charts for the reports, drawn with reportlab.graphics and legible in black-and-white print.

Series are told apart by grey level *and* pattern (solid dark, diagonal hatching, light
grey), every bar carries its value, and a legend shows the same patterns. The welfare
triangle uses :mod:`recovery_desk.domain.triangle`, so the report places each
organisation exactly where the app's view does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, Rect, String
from reportlab.lib import colors

from recovery_desk.domain.triangle import CORNERS, bubble_radius, triangle_point
from recovery_desk.reports.common import FONT

INK = colors.black
LABEL_SIZE = 7.5


@dataclass(frozen=True)
class Pattern:
    fill: colors.Color
    hatch: bool = False


# Distinguishable in grey print: dark solid, white with diagonal hatching, light grey.
PATTERNS = (
    Pattern(colors.Color(0.25, 0.25, 0.25)),
    Pattern(colors.white, hatch=True),
    Pattern(colors.Color(0.78, 0.78, 0.78)),
    Pattern(colors.Color(0.5, 0.5, 0.5)),
)


def _hatch_lines(x: float, y: float, w: float, h: float, step: float = 3.2) -> list[Line]:
    """45° lines clipped to the rectangle (x, y, w, h), computed exactly (no clipping path)."""
    lines = []
    c = -h
    while c < w:
        # the line x' - x = (y' - y) + c, for y' in [y, y + h], clipped to x' in [x, x + w]
        t0 = max(0.0, -c)
        t1 = min(h, w - c)
        if t1 > t0:
            lines.append(Line(x + c + t0, y + t0, x + c + t1, y + t1, strokeColor=INK, strokeWidth=0.5))
        c += step
    return lines


def _bar(group: Group, x: float, y: float, w: float, h: float, pattern: Pattern) -> None:
    if w <= 0 or h <= 0:
        return
    group.add(Rect(x, y, w, h, fillColor=pattern.fill, strokeColor=INK, strokeWidth=0.5))
    if pattern.hatch:
        for line in _hatch_lines(x, y, w, h):
            group.add(line)


def _text_width(text: str, size: float = LABEL_SIZE) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, FONT, size)


def _shorten(text: str, width: float, size: float = LABEL_SIZE) -> str:
    if _text_width(text, size) <= width:
        return text
    while text and _text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _legend(group: Group, x: float, y: float, names: Sequence[str]) -> None:
    for i, name in enumerate(names):
        _bar(group, x, y, 10, 7, PATTERNS[i % len(PATTERNS)])
        group.add(String(x + 13, y + 1, name, fontName=FONT, fontSize=LABEL_SIZE))
        x += 13 + _text_width(name) + 12


def bar_chart(labels: Sequence[str], series: Sequence[Sequence[int]], width: float,
              series_names: Sequence[str] = (), stacked: bool = False, bar_height: float = 11) -> Drawing:
    """Horizontal bars: one row per label; several series side by side or stacked.

    Each bar (or each stack) is labelled with its value, so the chart reads without colour.
    """
    n_series = len(series)
    label_w = min(max((_text_width(s) for s in labels), default=0) + 6, width * 0.45)
    value_w = 34
    plot_w = width - label_w - value_w
    row_h = bar_height if stacked or n_series == 1 else bar_height * n_series
    gap = 5
    legend_h = 14 if series_names else 0
    height = len(labels) * (row_h + gap) + legend_h + 4
    drawing = Drawing(width, height, initialFontName=FONT)
    group = Group()
    if stacked:
        largest = max((sum(s[i] for s in series) for i in range(len(labels))), default=0)
    else:
        largest = max((v for s in series for v in s), default=0)
    scale = plot_w / largest if largest > 0 else 0
    top = height - legend_h
    for i, label in enumerate(labels):
        y = top - (i + 1) * (row_h + gap) + gap / 2
        group.add(String(label_w - 5, y + row_h / 2 - 2.6, _shorten(label, label_w - 6), fontName=FONT,
                         fontSize=LABEL_SIZE, textAnchor="end"))
        if stacked:
            x = label_w
            for k, s in enumerate(series):
                w = s[i] * scale
                _bar(group, x, y, w, row_h, PATTERNS[k % len(PATTERNS)])
                x += w
            total = sum(s[i] for s in series)
            group.add(String(x + 3, y + row_h / 2 - 2.6, f"{total:,}", fontName=FONT, fontSize=LABEL_SIZE))
        else:
            h = row_h / n_series
            for k, s in enumerate(series):
                yy = y + row_h - (k + 1) * h
                w = s[i] * scale
                _bar(group, label_w, yy, w, h, PATTERNS[k % len(PATTERNS)])
                group.add(String(label_w + w + 3, yy + h / 2 - 2.6, f"{s[i]:,}", fontName=FONT,
                                 fontSize=LABEL_SIZE if n_series == 1 else 6.5))
    group.add(Line(label_w, top, label_w, top - len(labels) * (row_h + gap), strokeColor=INK, strokeWidth=0.7))
    if series_names:
        _legend(group, label_w, height - 10, series_names)
    drawing.add(group)
    return drawing


@dataclass(frozen=True)
class TriangleGroup:
    """The organisations that share one position on the triangle (one combination of the
    three axes), drawn as one bubble: many organisations at one point no longer pile up."""

    letter: str  # printed beside the bubble and in the table under the figure
    ownership: str
    profit: str
    formality: str
    organisations: int
    open_tasks: int


def welfare_triangle(groups: Sequence[TriangleGroup], corner_labels: dict[str, str], centre_label: str,
                     size: float) -> Drawing:
    """Pestoff's triangle with one bubble per position (combination of the axes): its area is
    the open tasks the organisations there lead together, its label the position's letter and
    how many organisations share it ("C · 24"); the table under the figure names them.

    Bubbles are hollow rings over a light fill, so overlapping ones stay visible in print.
    """
    margin_x, margin_top, margin_bottom = 70, 22, 22
    side = size - 2 * margin_x
    height = side * CORNERS["state"][1] + margin_top + margin_bottom
    drawing = Drawing(size, height, initialFontName=FONT)

    def at(x: float, y: float) -> tuple[float, float]:
        return margin_x + x * side, margin_bottom + y * side

    corners = [at(*CORNERS["state"]), at(*CORNERS["market"]), at(*CORNERS["community"])]
    drawing.add(Polygon([c for xy in corners for c in xy], fillColor=colors.Color(0.97, 0.97, 0.97),
                        strokeColor=INK, strokeWidth=1))
    # The dashed inner triangle joins the edges' midpoints: the hybrid zones lie between it
    # and the corners; the third sector sits in the middle.
    mids = [((corners[i][0] + corners[(i + 1) % 3][0]) / 2, (corners[i][1] + corners[(i + 1) % 3][1]) / 2)
            for i in range(3)]
    drawing.add(Polygon([c for xy in mids for c in xy], fillColor=None, strokeColor=colors.Color(0.5, 0.5, 0.5),
                        strokeWidth=0.5, strokeDashArray=[2, 2]))
    sx, sy = corners[0]
    drawing.add(String(sx, sy + 8, corner_labels["state"], fontName=FONT, fontSize=9, textAnchor="middle"))
    mx, my = corners[1]
    drawing.add(String(mx - 4, my - 4, corner_labels["market"], fontName=FONT, fontSize=9, textAnchor="end"))
    cx, cy = corners[2]
    drawing.add(String(cx + 4, cy - 4, corner_labels["community"], fontName=FONT, fontSize=9))
    # Below the centre's bubble, inside the inner triangle.
    centre = at(0.5, 0.06)
    drawing.add(String(centre[0], centre[1], centre_label, fontName=FONT, fontSize=7.5, textAnchor="middle",
                       fillColor=colors.Color(0.35, 0.35, 0.35)))
    largest = max((g.open_tasks for g in groups), default=0)
    # Largest bubbles first, so small ones are drawn on top and stay visible.
    for g in sorted(groups, key=lambda g: -g.open_tasks):
        x, y = at(*triangle_point(g.ownership, g.profit, g.formality))
        r = bubble_radius(g.open_tasks, largest, max_r=GROUP_MAX_RADIUS) * side
        drawing.add(Circle(x, y, r, fillColor=colors.Color(0.6, 0.6, 0.6, alpha=0.35), strokeColor=INK,
                           strokeWidth=0.6))
    placed: list[tuple[float, float, float, float]] = []
    for g in sorted(groups, key=lambda g: g.letter):
        x, y = at(*triangle_point(g.ownership, g.profit, g.formality))
        r = bubble_radius(g.open_tasks, largest, max_r=GROUP_MAX_RADIUS) * side
        _place_label(drawing, f"{g.letter} · {g.organisations:,}", x, y, r, placed, (size, height))
    return drawing


GROUP_MAX_RADIUS = 0.11  # of the triangle's side: at most eight bubbles, so they may be larger


def bubble_legend(values: Sequence[int], largest: int, side: float, names: Sequence[str]) -> Drawing:
    """Sample bubbles with their open-task counts, for reading sizes off the triangle."""
    radii = [bubble_radius(v, largest, max_r=GROUP_MAX_RADIUS) * side for v in values]
    height = max(radii, default=5) * 2 + 6
    x = 4.0
    width = sum(2 * r + _text_width(n) + 14 for r, n in zip(radii, names, strict=True)) + 8
    drawing = Drawing(width, height, initialFontName=FONT)
    for r, name in zip(radii, names, strict=True):
        drawing.add(Circle(x + r, height / 2, r, fillColor=colors.Color(0.6, 0.6, 0.6, alpha=0.35),
                           strokeColor=INK, strokeWidth=0.6))
        drawing.add(String(x + 2 * r + 3, height / 2 - 2.6, name, fontName=FONT, fontSize=LABEL_SIZE))
        x += 2 * r + _text_width(name) + 14
    return drawing


def _place_label(drawing: Drawing, label: str, x: float, y: float, r: float,
                 placed: list[tuple[float, float, float, float]], bounds: tuple[float, float]) -> None:
    """Put ``label`` near the bubble at (x, y) where it overlaps no label placed before.

    Candidates go round the bubble at growing distances; a leader line joins a label that
    had to move away from its bubble, so crowded clusters stay readable.
    """
    w, h = _text_width(label, 7) + 2, 8.5
    best = None
    for distance in (1.5, 7, 13, 20, 28, 37, 47):
        for step in range(12):
            angle = math.radians(35 + step * 30)
            cx = x + (r + distance + w / 2) * math.cos(angle)
            cy = y + (r + distance + h / 2) * math.sin(angle)
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            if box[0] < 0 or box[1] < 0 or box[2] > bounds[0] or box[3] > bounds[1]:
                continue
            if all(box[2] <= b[0] or box[0] >= b[2] or box[3] <= b[1] or box[1] >= b[3] for b in placed):
                best = (box, distance, angle)
                break
        if best:
            break
    if best is None:  # nowhere free: print it on the bubble
        best = ((x - w / 2, y - h / 2, x + w / 2, y + h / 2), 0.0, 0.0)
    box, distance, angle = best
    placed.append(box)
    if distance > 2:
        ex, ey = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        drawing.add(Line(x + r * math.cos(angle), y + r * math.sin(angle), ex - (w / 2) * math.cos(angle),
                         ey - (h / 2) * math.sin(angle), strokeColor=INK, strokeWidth=0.4))
    drawing.add(Rect(box[0], box[1], w, h, fillColor=colors.white, strokeColor=INK, strokeWidth=0.3))
    drawing.add(String(box[0] + 1, box[1] + 2, label, fontName=FONT, fontSize=7))
