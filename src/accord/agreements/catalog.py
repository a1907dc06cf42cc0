"""Browsing the agreement set: summaries for `agreements list|show`, and the network of nations
linked by the agreements in force on a date (`agreements network`, as JSON, DOT or SVG)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

from accord.agreements.compiled import compile_agreement, effective_end
from accord.agreements.schema import Agreement


def summary(agreement: Agreement, on: dt.date) -> dict[str, object]:
    end = effective_end(agreement)
    compiled = compile_agreement(agreement)
    return {
        "id": agreement.id,
        "kind": agreement.kind,
        "parties": list(agreement.parties),
        "title": agreement.title.strip(),
        "short_title": agreement.short_title,
        "signed": agreement.signed,
        "provisionally_applied": agreement.provisionally_applied,
        "in_force": agreement.in_force,
        "ended": end,
        "notified": agreement.notified,
        "status": compiled.status(on.toordinal()),
        "implements": agreement.implements,
        "replaces": agreement.replaces,
        "uncertain": agreement.uncertain,
        "sources": [s.url for s in agreement.sources],
    }


def select(
    agreements: tuple[Agreement, ...],
    on: dt.date,
    party: str | None = None,
    kind: str | None = None,
) -> list[Agreement]:
    chosen = [
        a
        for a in agreements
        if (party is None or party in a.parties) and (kind is None or a.kind == kind)
    ]
    return sorted(chosen, key=lambda a: (a.signed or a.in_force or dt.date.max, a.id))


@dataclass(frozen=True)
class Network:
    on: dt.date
    nations: tuple[str, ...]
    links: tuple[tuple[str, str, str, str], ...]  # (nation, nation, kind, agreement id)
    # Each nation's partners under any agreement on any date: the drawing places nations by
    # them, so that a nation keeps its place from one date to the next.
    partners: dict[str, frozenset[str]]

    def as_json(self) -> dict[str, object]:
        return {
            "on": self.on.isoformat(),
            "nations": list(self.nations),
            "links": [
                {"parties": [a, b], "kind": kind, "agreement": agreement}
                for a, b, kind, agreement in self.links
            ],
        }


def network(agreements: tuple[Agreement, ...], on: dt.date) -> Network:
    """Nations and the agreements in force (or provisionally applied) between them on the date.

    Every nation that is party to a shipped agreement appears, linked or not, so that a
    missing link (JPN–KOR in 2015) is visible as such.
    """
    day = on.toordinal()
    links = []
    nations: set[str] = set()
    partners: dict[str, set[str]] = {}
    for agreement in agreements:
        nations.update(agreement.parties)
        for party in agreement.parties:
            partners.setdefault(party, set()).update(set(agreement.parties) - {party})
        if not compile_agreement(agreement).applies(day):  # in force or provisionally applied
            continue
        parties = sorted(agreement.parties)
        for i, a in enumerate(parties):
            for b in parties[i + 1 :]:
                links.append((a, b, agreement.kind, agreement.id))
    return Network(
        on,
        tuple(sorted(nations)),
        tuple(sorted(links)),
        {nation: frozenset(p) for nation, p in partners.items()},
    )


_KIND_STYLE = {
    "acsa": ("#1f6feb", "solid", "ACSA / MLSA"),
    "implementing-arrangement": ("#8250df", "dashed", "implementing arrangement"),
    "gsomia": ("#bf3989", "solid", "GSOMIA"),
    "information-sharing-arrangement": ("#d4a72c", "dotted", "information-sharing arrangement"),
}


def to_dot(net: Network) -> str:
    lines = [
        "graph accord {",
        f'  label="Agreements in force on {net.on.isoformat()}"; labelloc=t;',
        "  node [shape=circle fontname=Helvetica];",
    ]
    lines += [f'  "{n}";' for n in net.nations]
    for a, b, kind, agreement in net.links:
        color, style, _ = _KIND_STYLE[kind]
        lines.append(f'  "{a}" -- "{b}" [label="{agreement}" color="{color}" style={style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


_DASH = {"solid": "", "dashed": ' stroke-dasharray="8 4"', "dotted": ' stroke-dasharray="2 4"'}
_FOCUS = ("USA", "JPN", "KOR")  # the triangle Accord is built around, drawn in the middle


def _positions(net: Network, size: int) -> dict[str, tuple[float, float]]:
    """The triangle in the middle; every other nation on an outer circle, near the members of
    the triangle it has agreements with (so lines cross as little as a circle allows)."""
    centre = size / 2
    positions: dict[str, tuple[float, float]] = {}
    focus = [n for n in _FOCUS if n in net.nations]
    for i, nation in enumerate(focus):
        angle = -math.pi / 2 + 2 * math.pi * i / max(len(focus), 1)
        positions[nation] = (
            centre + 0.17 * size * math.cos(angle),
            centre + 0.17 * size * math.sin(angle),
        )

    def bearing(nation: str) -> float:
        anchors = [positions[p] for p in net.partners.get(nation, ()) if p in positions]
        if not anchors:
            return math.pi  # unlinked to the triangle: gathered on the far side
        x = sum(a[0] for a in anchors) / len(anchors) - centre
        y = sum(a[1] for a in anchors) / len(anchors) - centre
        return math.atan2(y, x)

    others = sorted((n for n in net.nations if n not in positions), key=lambda n: (bearing(n), n))
    start = bearing(others[0]) if others else 0.0
    for i, nation in enumerate(others):
        angle = start + 2 * math.pi * i / len(others)
        positions[nation] = (
            centre + 0.41 * size * math.cos(angle),
            centre + 0.41 * size * math.sin(angle),
        )
    return positions


def to_svg(net: Network) -> str:
    """A circle of nations with the US–Japan–Korea triangle in the middle; one line per
    agreement in force, coloured by kind; unlinked pairs of the triangle drawn as a grey
    dashed 'no agreement' line so that absence is visible."""
    size = 760
    pos = _positions(net, size)
    linked = {
        frozenset((a, b))
        for a, b, kind, _ in net.links
        if kind in ("acsa", "implementing-arrangement")
    }
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size + 70}" '
        f'viewBox="0 0 {size} {size + 70}" font-family="Helvetica, Arial, sans-serif">',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        f'<text x="{size / 2}" y="28" text-anchor="middle" font-size="20" font-weight="bold">'
        f"Agreements in force on {net.on.isoformat()}</text>",
    ]
    focus = [n for n in _FOCUS if n in pos]
    for i, a in enumerate(focus):
        for b in focus[i + 1 :]:
            if frozenset((a, b)) not in linked:
                (x1, y1), (x2, y2) = pos[a], pos[b]
                parts.append(
                    f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#999" '
                    'stroke-width="2" stroke-dasharray="3 6"><title>'
                    f"no logistics agreement between {a} and {b}</title></line>"
                )
                mx, my = (x1 + x2) / 2, (y1 + y2) / 2
                parts.append(
                    f'<text x="{mx:.1f}" y="{my - 6:.1f}" text-anchor="middle" font-size="12" '
                    f'fill="#b42318">no ACSA</text>'
                )
    pair_count: dict[frozenset[str], int] = {}
    for a, b, kind, agreement in net.links:
        color, style, _ = _KIND_STYLE[kind]
        key = frozenset((a, b))
        offset = 5 * pair_count.get(key, 0)
        pair_count[key] = pair_count.get(key, 0) + 1
        (x1, y1), (x2, y2) = pos[a], pos[b]
        dash = _DASH[style]
        parts.append(
            f'<line x1="{x1 + offset:.1f}" y1="{y1 + offset:.1f}" x2="{x2 + offset:.1f}" '
            f'y2="{y2 + offset:.1f}" stroke="{color}" stroke-width="2.5"{dash}>'
            f"<title>{escape(agreement)}</title></line>"
        )
    for nation in net.nations:
        x, y = pos[nation]
        radius = 30 if nation in _FOCUS else 22
        fill = "#0d1117" if nation in _FOCUS else "#f6f8fa"
        ink = "#ffffff" if nation in _FOCUS else "#0d1117"
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{fill}" stroke="#0d1117" '
            f'stroke-width="1.5"><title>{nation}</title></circle>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{y + 5:.1f}" text-anchor="middle" font-size="14" '
            f'font-weight="bold" fill="{ink}">{nation}</text>'
        )
    legend_y = size + 20
    for i, (color, style, label) in enumerate(_KIND_STYLE.values()):
        x, y = 40 + (i % 2) * 360, legend_y + (i // 2) * 24
        parts.append(
            f'<line x1="{x}" y1="{y}" x2="{x + 30}" y2="{y}" stroke="{color}" '
            f'stroke-width="3"{_DASH[style]}/>'
        )
        parts.append(f'<text x="{x + 38}" y="{y + 4}" font-size="13">{escape(label)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
