"""Who appears with whom, drawn at build time: an actor's own graph and the whole network.

Both are made from the library's co-mentions (``library.related.co_mentions``: for each
actor, the actors named in the same records most often, with how often). Templates get
plain shapes (nodes with a position, a size and a link; edges with two ends and a width)
and write them as inline SVG, so a page shows the graph without JavaScript; each page also
lists the same facts as a table or list, for screen readers and print.

An actor's graph puts the actor in the middle and its companions around it, strongest at
the top, going clockwise: a fixed layout that reads the same on every build. The whole
network is laid out by networkx's spring layout (Fruchterman-Reingold) with a fixed seed,
its coordinates rounded, over the strongest links only: a graph of hundreds of actors
drawn whole is a blot, and the layout's cost grows with the square of its nodes.
"""

from __future__ import annotations

import math
from typing import Any

from briefing.render.views import ACTOR_GROUPS, Views

EGO_SIZE = (420, 340)  # the viewBox of an actor's graph
NETWORK_SIZE = (1000, 720)  # and of the whole network
NETWORK_LINKS = 150  # the most links the network's drawing shows: the strongest
NETWORK_NODES = 80  # and the most actors
LAYOUT_SEED = 22  # the spring layout's seed: the same drawing on every build
LABEL_CHARS = 15  # a label's line, in characters; longer names wrap


def label_lines(name: str, width: int = LABEL_CHARS, lines: int = 3) -> list[str]:
    """A name broken into at most ``lines`` lines of about ``width`` characters (the last takes
    what is left). Never cut short: a label is its link's name for screen readers, so it says
    the whole name."""
    out: list[str] = []
    for word in name.split():
        if out and len(out[-1]) + 1 + len(word) <= width:
            out[-1] += " " + word
        else:
            out.append(word)
    return [*out[: lines - 1], " ".join(out[lines - 1 :])] if len(out) > lines else out


def _node(v: Views, rid: str, at: tuple[float, float], r: float, count: int, **more: Any) -> dict[str, Any]:
    ref, (x, y) = v.ref(rid), at
    return {
        "id": rid,
        "url": ref["url"],
        "title": ref["title"],
        "kind": ref["subkind"],
        "x": round(x, 1),
        "y": round(y, 1),
        "r": round(r, 1),
        "count": count,
        "lines": label_lines(ref["title"]),
        **more,
    }


def placed(node: dict[str, Any]) -> dict[str, Any]:
    """``node`` with where its label's first line goes: above the node or below it."""
    lines = len(node["lines"])
    node["label_y"] = round(
        node["y"] - node["r"] - 6 - 14 * (lines - 1) if node["above"] else node["y"] + node["r"] + 14, 1
    )
    return node


def _edge(a: dict[str, Any], b: dict[str, Any], count: int, strongest: int) -> dict[str, Any]:
    return {
        "a": a["id"],
        "b": b["id"],
        "a_kind": a["kind"],
        "b_kind": b["kind"],
        "x1": a["x"],
        "y1": a["y"],
        "x2": b["x"],
        "y2": b["y"],
        "width": round(1 + 4 * count / strongest, 1),
        "count": count,
    }


def ego(v: Views, rid: str) -> dict[str, Any] | None:
    """An actor's graph: the actor, the actors it appears with most often, and the links
    among them; None when it appears with nobody."""
    around = v.lib.co_mentions.get(rid, [])  # type: ignore[call-overload]
    if not around:
        return None
    (width, height), strongest = EGO_SIZE, max(n for _, n in around)
    cx, cy = width / 2, height / 2
    centre = placed(_node(v, rid, (cx, cy), 14, 0, centre=True, above=False))
    nodes = {rid: centre}
    for i, (other, count) in enumerate(around):
        angle = -math.pi / 2 + 2 * math.pi * i / len(around)
        x, y = cx + 140 * math.cos(angle), cy + 118 * math.sin(angle)
        size = 5 + 6 * math.sqrt(count / strongest)
        nodes[other] = placed(_node(v, other, (x, y), size, count, centre=False, above=math.sin(angle) < -0.3))
    edges = [_edge(centre, nodes[other], count, strongest) for other, count in around]
    shown = [other for other, _ in around]
    among: dict[str, list[dict[str, Any]]] = {other: [] for other in shown}
    for i, a in enumerate(shown):  # the links among the companions, each pair once
        for b, count in v.lib.co_mentions.get(a, []):  # type: ignore[call-overload]
            if b in among and shown.index(b) > i:
                edges.append(_edge(nodes[a], nodes[b], count, strongest))
                among[a].append(nodes[b])
                among[b].append(nodes[a])
    rows = [{**nodes[other], "with": among[other]} for other in shown]
    return {
        "width": width,
        "height": height,
        "nodes": list(nodes.values()),
        "edges": edges,
        "rows": rows,
        "name": centre["title"],
    }


def all_links(v: Views) -> tuple[dict[tuple[str, str], int], list[str]]:
    """Every pair of actors the co-mentions name, with its count, and the actors named."""
    pairs: dict[tuple[str, str], int] = {}
    for a, around in v.lib.co_mentions.items():
        for b, count in around:
            key = (a, b) if a < b else (b, a)
            pairs[key] = max(pairs.get(key, 0), count)
    return pairs, sorted({a for pair in pairs for a in pair})


def strongest(pairs: dict[tuple[str, str], int], v: Views) -> list[tuple[str, str, int]]:
    """The links the drawing shows: the strongest, between at most ``NETWORK_NODES`` actors."""
    title = {a: v.ref(a)["title"].casefold() for pair in pairs for a in pair}
    ranked = sorted(pairs.items(), key=lambda kv: (-kv[1], title[kv[0][0]], title[kv[0][1]], kv[0]))
    chosen: list[tuple[str, str, int]] = []
    actors: set[str] = set()
    for (a, b), count in ranked:
        if len(chosen) == NETWORK_LINKS:
            break
        if len(actors | {a, b}) <= NETWORK_NODES:
            chosen.append((a, b, count))
            actors |= {a, b}
    return chosen


def layout(links: list[tuple[str, str, int]]) -> dict[str, tuple[float, float]]:
    """Positions in [-1, 1] from networkx's spring layout, with a fixed seed. networkx (and
    numpy) are imported here: only the network's page pays for them."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(sorted({a for a, b, _ in links} | {b for a, b, _ in links}))
    top = max((n for _, _, n in links), default=1)
    graph.add_weighted_edges_from((a, b, 0.2 + n / top) for a, b, n in sorted(links))
    # a wider spacing than networkx's default (1/sqrt(n)) leaves room for the labels
    spacing = 2 / math.sqrt(max(len(graph), 1))
    found = nx.spring_layout(graph, k=spacing, seed=LAYOUT_SEED, weight="weight", iterations=200)
    return _fill({str(k): (float(p[0]), float(p[1])) for k, p in found.items()})


def _fill(pos: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """Positions stretched to fill [-1, 1] on each axis, rounded so that the last bits of
    floating-point arithmetic cannot move a node from one machine to another."""
    if not pos:
        return {}
    out = {}
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    (x0, x1), (y0, y1) = (min(xs), max(xs)), (min(ys), max(ys))
    for k, (x, y) in pos.items():
        sx = 2 * (x - x0) / (x1 - x0) - 1 if x1 > x0 else 0.0
        sy = 2 * (y - y0) / (y1 - y0) - 1 if y1 > y0 else 0.0
        out[k] = (round(sx, 3), round(sy, 3))
    return out


def network(v: Views) -> dict[str, Any]:
    """The network's page: the strongest links drawn, and every actor's links listed by kind."""
    pairs, actors = all_links(v)
    links = strongest(pairs, v)
    width, height = NETWORK_SIZE
    margin = 70
    top = max((n for _, _, n in links), default=1)
    weight: dict[str, int] = {}
    for a, b, n in links:
        weight[a], weight[b] = weight.get(a, 0) + n, weight.get(b, 0) + n
    heaviest = max(weight.values(), default=1)
    nodes = {}
    for rid, (x, y) in sorted(layout(links).items()) if links else []:
        px, py = margin + (x + 1) / 2 * (width - 2 * margin), margin + (y + 1) / 2 * (height - 2 * margin)
        size = 4 + 8 * math.sqrt(weight[rid] / heaviest)
        node = _node(v, rid, (px, py), size, weight[rid], centre=False, above=False)
        node["lines"] = label_lines(node["title"], 18, 2)
        nodes[rid] = placed(node)
    edges = [_edge(nodes[a], nodes[b], n, top) for a, b, n in links]
    groups: dict[str, list[dict[str, Any]]] = {}
    for rid in sorted(actors, key=lambda a: (v.ref(a)["title"].casefold(), a)):
        ref = v.ref(rid)
        around = [{**v.ref(b), "count": n} for b, n in v.lib.co_mentions.get(rid, [])]  # type: ignore[call-overload]
        groups.setdefault(ref["subkind"], []).append({**ref, "with": around})
    return {
        "graph": {"width": width, "height": height, "nodes": list(nodes.values()), "edges": edges},
        "shown": len(links),
        "links": len(pairs),
        "left_out": len(pairs) - len(links),
        "actors": len(actors),
        "drawn": len(nodes),
        "alone": len(v.lib.by_kind["actor"]) - len(actors),
        "groups": [
            {"kind": k, "label": ACTOR_GROUPS.get(k, k.capitalize()), "items": items}
            for k, items in sorted(groups.items())
        ],
    }
