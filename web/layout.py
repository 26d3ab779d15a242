"""Place sites and devices for the topology map: a radial tree, city in the middle.

The administrative hierarchy is the natural shape of an e-government network (city core →
county aggregation → township access), so the map draws it as rings: the top visible site at
the centre, its children on the first ring, theirs on the second. Each site gets an angular
sector in proportion to the number of leaf sites under it, so a county with many townships
gets more room. Devices of one site sit in a short row along the ray from the centre (so
neighbouring townships on a crowded ring do not collide), or on a small circle at the centre.

Positions are computed here rather than by a force layout in the browser so the map is the
same on every load, and so tests can check it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

RING = 320.0  # distance between rings
DEVICE_GAP = 52.0  # distance between two devices of one site
CENTRE_SPREAD = 60.0  # radius of the circle of the centre site's devices (grows with their number)


@dataclass(frozen=True)
class SiteNode:
    """A site as the layout needs it."""

    id: int
    parent_id: int | None
    code: str


def site_positions(sites: Sequence[SiteNode]) -> dict[int, tuple[float, float]]:
    """(x, y) of every site; sites whose parent is not in ``sites`` are roots.

    Several roots (a user scoped to nothing in particular sees a forest) share the circle.
    """
    ids = {s.id for s in sites}
    children: dict[int | None, list[SiteNode]] = {}
    for s in sorted(sites, key=lambda s: s.code):
        parent = s.parent_id if s.parent_id in ids else None
        children.setdefault(parent, []).append(s)

    leaves: dict[int, int] = {}

    def count(node: SiteNode) -> int:
        kids = children.get(node.id, [])
        leaves[node.id] = sum(count(k) for k in kids) if kids else 1
        return leaves[node.id]

    roots = children.get(None, [])
    for root in roots:
        count(root)

    pos: dict[int, tuple[float, float]] = {}

    def place(node: SiteNode, depth: int, a0: float, a1: float) -> None:
        angle = (a0 + a1) / 2
        radius = depth * RING
        pos[node.id] = (radius * math.cos(angle), radius * math.sin(angle))
        kids = children.get(node.id, [])
        total = sum(leaves[k.id] for k in kids) or 1
        start = a0
        for kid in kids:
            width = (a1 - a0) * leaves[kid.id] / total
            place(kid, depth + 1, start, start + width)
            start += width

    if len(roots) == 1:
        place(roots[0], 0, -math.pi / 2, 3 * math.pi / 2)
    else:  # a forest: the roots go on the first ring
        total = sum(leaves[r.id] for r in roots) or 1
        start = -math.pi / 2
        for root in roots:
            width = 2 * math.pi * leaves[root.id] / total
            place(root, 1, start, start + width)
            start += width
    return pos


def device_positions(site_xy: tuple[float, float], count: int) -> list[tuple[float, float]]:
    """Points for ``count`` devices of one site.

    One device sits on the site's point; several sit in a row along the ray from the centre
    through it, centred on the point, or on a circle around it when the site is the centre.
    """
    x, y = site_xy
    if count <= 1:
        return [(x, y)]
    distance = math.hypot(x, y)
    if distance < 1.0:
        radius = CENTRE_SPREAD * (1 + count / 6)
        return [(x + radius * math.cos(2 * math.pi * i / count - math.pi / 2),
                 y + radius * math.sin(2 * math.pi * i / count - math.pi / 2)) for i in range(count)]
    ux, uy = x / distance, y / distance
    offsets = [(i - (count - 1) / 2) * DEVICE_GAP for i in range(count)]
    return [(x + ux * off, y + uy * off) for off in offsets]
