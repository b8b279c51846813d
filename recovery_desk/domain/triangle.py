"""Pestoff's welfare triangle as coordinates, shared by the app's view and the PDF report.

State at the top, market bottom-left, community bottom-right, the third sector in the
middle. Each combination of the three stored axes has a barycentric position; hybrids
sit on the edge between the sectors they mix (a public-private company, 第三セクター,
between state and market). A small deterministic offset, from the organisation's id,
keeps organisations of the same kind from hiding each other.
"""

from __future__ import annotations

import hashlib
import math

SQRT3_2 = math.sqrt(3) / 2
# Corner points in a unit triangle, y pointing up.
CORNERS = {"state": (0.5, SQRT3_2), "market": (0.0, 0.0), "community": (1.0, 0.0)}

# (ownership, profit, formality) -> weights of (state, market, community)
WEIGHTS: dict[tuple[str, str, str], tuple[float, float, float]] = {
    ("public", "nonprofit", "formal"): (0.80, 0.10, 0.10),
    ("private", "forprofit", "formal"): (0.10, 0.80, 0.10),
    ("private", "nonprofit", "informal"): (0.10, 0.10, 0.80),
    ("private", "nonprofit", "formal"): (1 / 3, 1 / 3, 1 / 3),
    ("public", "forprofit", "formal"): (0.50, 0.50, 0.00),
    ("public", "nonprofit", "informal"): (0.50, 0.00, 0.50),
    ("private", "forprofit", "informal"): (0.00, 0.50, 0.50),
    ("public", "forprofit", "informal"): (0.40, 0.40, 0.20),
}
JITTER = 0.05


def triangle_point(ownership: str, profit: str, formality: str, key: str = "") -> tuple[float, float]:
    """The organisation's point in the unit triangle (x right, y up)."""
    ws, wm, wc = WEIGHTS.get((ownership, profit, formality), (1 / 3, 1 / 3, 1 / 3))
    x = ws * CORNERS["state"][0] + wm * CORNERS["market"][0] + wc * CORNERS["community"][0]
    y = ws * CORNERS["state"][1] + wm * CORNERS["market"][1] + wc * CORNERS["community"][1]
    if key:
        digest = hashlib.sha1(key.encode()).digest()
        angle = digest[0] / 255 * 2 * math.pi
        radius = digest[1] / 255 * JITTER
        x, y = x + radius * math.cos(angle), y + radius * math.sin(angle)
    return _clamp_inside(x, y)


def _clamp_inside(x: float, y: float, margin: float = 0.02) -> tuple[float, float]:
    """Pull a point back inside the triangle (jitter must not push it over an edge)."""
    y = min(max(y, margin), SQRT3_2 - margin)
    half_width = (SQRT3_2 - y) / math.sqrt(3)  # the triangle's half width at height y
    x = min(max(x, 0.5 - half_width + margin), 0.5 + half_width - margin)
    return x, y


def bubble_radius(open_tasks: int, largest: int, min_r: float = 0.012, max_r: float = 0.07) -> float:
    """Area proportional to open tasks, so a bubble's size reads as load."""
    if largest <= 0:
        return min_r
    return min_r + (max_r - min_r) * math.sqrt(max(open_tasks, 0) / largest)
