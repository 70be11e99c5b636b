"""A world map of the graph, drawn offline: exercises (hosts and participants) and arms flows (supplier → recipient).

Shapes are Natural Earth's 1:110m countries shipped in `kg/data/world/` (public domain; see its SOURCES.md), so no
tile or shape is fetched. A state is placed by its ISO 3166 alpha-3 code from the Wikidata layer (`wdt:P298`,
from the shipped snapshot or an online build) at the centre of its largest Natural Earth polygon; states without a
code or a shape are left off the map and counted in its caption. Matplotlib only (the `notebooks` extras).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from kg.interfaces.api import KnowledgeGraph

__all__ = ["MapData", "country_shapes", "map_data", "plot_world_map", "state_point"]

Ring = list[tuple[float, float]]

#: Exercise hosts and participants, and arms deals' parties, with the states' ISO alpha-3 codes.
_EXERCISES = """
PREFIX kg: <https://w3id.org/kg-news/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
SELECT DISTINCT ?exercise ?name ?role ?iso3 WHERE {
  ?exercise a kg:MilitaryExercise .
  OPTIONAL { ?exercise kg:name ?name }
  { ?exercise kg:host ?state BIND("host" AS ?role) }
  UNION { ?exercise kg:participant ?state BIND("participant" AS ?role) }
  OPTIONAL { ?state kg:wikidata/wdt:P298 ?iso3 }
}"""
_DEALS = """
PREFIX kg: <https://w3id.org/kg-news/ontology#>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
SELECT DISTINCT ?deal ?supplier ?recipient WHERE {
  ?deal a kg:ArmsDeal .
  OPTIONAL { ?deal kg:supplier/kg:wikidata/wdt:P298 ?supplier }
  OPTIONAL { ?deal kg:recipient/kg:wikidata/wdt:P298 ?recipient }
}"""


@cache
def country_shapes() -> dict[str, tuple[str, tuple[Ring, ...]]]:
    """Natural Earth's countries by ISO alpha-3 code: (name, outer rings as (longitude, latitude) points)."""
    text = files("kg").joinpath("data/world/countries-110m.geojson").read_text(encoding="utf-8")
    shapes: dict[str, tuple[str, tuple[Ring, ...]]] = {}
    for feature in json.loads(text)["features"]:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        rings = tuple([(float(x), float(y)) for x, y in polygon[0]] for polygon in polygons)
        code = feature["properties"]["iso_a3"]
        shapes[code if code != "-99" else feature["properties"]["name"]] = (feature["properties"]["name"], rings)
    return shapes


def _area_and_centre(ring: Ring) -> tuple[float, tuple[float, float]]:
    """The area and the centroid of a polygon ring (shoelace formula, in degrees: good enough to place a dot)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-12:
        return 0.0, ring[0]
    return abs(area) / 2, (cx / (3 * area), cy / (3 * area))


def state_point(iso3: str) -> tuple[float, float] | None:
    """Where a state is drawn: the centre of its largest Natural Earth polygon, or None when it has no shape.

    >>> state_point("PAK")
    (69.41, 29.97)
    """
    shape = country_shapes().get(iso3)
    if shape is None:
        return None
    _, (x, y) = max((_area_and_centre(ring) for ring in shape[1]), key=lambda pair: pair[0])
    return round(x, 2), round(y, 2)


@dataclass(frozen=True)
class MapData:
    """What the map shows: per exercise its name, host and participants; arms flows with their number of deals."""

    exercises: tuple[tuple[str, str | None, tuple[str, ...]], ...]  # (name, host ISO3, participant ISO3s)
    flows: tuple[tuple[str, str, int], ...]  # (supplier ISO3, recipient ISO3, deals)
    unplaced_exercises: int  # exercises with no placeable host or participant
    unplaced_deals: int  # deals whose supplier or recipient is unknown or has no shape


def map_data(kb: KnowledgeGraph) -> MapData:
    """The exercises and arms flows of a graph (`kg.open`), with states as ISO codes that have a shape."""
    shapes = country_shapes()
    by_exercise: dict[str, dict[str, Any]] = {}
    for row in kb.rows(_EXERCISES)[1]:
        entry = by_exercise.setdefault(str(row["exercise"]), {"name": row["name"], "host": None, "states": set()})
        entry["name"] = entry["name"] or row["name"]
        if row["iso3"] in shapes:
            entry["states"].add(row["iso3"])
            if row["role"] == "host":
                entry["host"] = row["iso3"]
    exercises = tuple(sorted((e["name"] or iri.rsplit("/", 1)[-1], e["host"], tuple(sorted(e["states"] - {e["host"]})))
                             for iri, e in by_exercise.items() if e["states"]))
    deals = kb.rows(_DEALS)[1]
    placed = Counter((d["supplier"], d["recipient"]) for d in deals
                     if d["supplier"] in shapes and d["recipient"] in shapes and d["supplier"] != d["recipient"])
    flows = tuple(sorted((s, r, n) for (s, r), n in placed.items()))
    return MapData(exercises, flows, len(by_exercise) - len(exercises), len(deals) - sum(placed.values()))


def plot_world_map(kb: KnowledgeGraph, *, ax: Axes | None = None, title: str | None = "Exercises and arms flows",
                   extent: Sequence[float] = (-180, 180, -58, 84)) -> Axes:
    """Draw the world with the graph's exercises (hosts, participants) and arms flows (arcs, width by deals).

    `extent` is (west, east, south, north) in degrees. Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import FancyArrowPatch

    data = map_data(kb)
    hosts = {host for _, host, _ in data.exercises if host}
    participants = {s for _, _, states in data.exercises for s in states} - hosts
    parties = {s for s, _, _ in data.flows} | {r for _, r, _ in data.flows}
    if ax is None:
        _, ax = plt.subplots(figsize=(12, 6.2))
    colours = {"host": "#d95f02", "participant": "#fdb863", "party": "#b2abd2", "other": "#e8e8e8"}
    shapes = country_shapes()
    for code, (_, rings) in shapes.items():
        kind = "host" if code in hosts else "participant" if code in participants else "party" if code in parties \
            else "other"
        ax.add_collection(PolyCollection(rings, facecolors=colours[kind], edgecolors="white", linewidths=0.4,
                                         zorder=1))
    for supplier, recipient, deals in data.flows:
        start, end = state_point(supplier), state_point(recipient)
        assert start is not None and end is not None
        ax.add_patch(FancyArrowPatch(start, end, connectionstyle="arc3,rad=0.25", arrowstyle="-|>",
                                     mutation_scale=14, linewidth=1 + 1.5 * deals, color="#5e3c99", alpha=0.85,
                                     zorder=3))
    for code in sorted(hosts | participants | parties):
        point = state_point(code)
        assert point is not None
        ax.plot(*point, "o", color="#333333", markersize=3, zorder=4)
        ax.annotate(shapes[code][0], point, xytext=(4, 3), textcoords="offset points", fontsize=8, zorder=5)
    for name, host, _ in data.exercises:
        if host:
            point = state_point(host)
            assert point is not None
            ax.annotate(name, point, xytext=(4, -12), textcoords="offset points", fontsize=8, style="italic",
                        color="#7f2704", zorder=5, bbox={"boxstyle": "round,pad=0.2", "fc": "white", "alpha": 0.8,
                                                         "linewidth": 0})
    west, east, south, north = extent
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect("equal")
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")
    handles = [plt.Line2D([], [], marker="s", linestyle="", markersize=9, color=colours[k], label=label)
               for k, label in (("host", "exercise host"), ("participant", "exercise participant"),
                                ("party", "arms deal party"))]
    handles.append(plt.Line2D([], [], color="#5e3c99", linewidth=2.5, label="arms flow (width: deals)"))
    ax.legend(handles=handles, loc="lower left", fontsize=8, framealpha=0.9)
    left_off = [f"{n} exercise(s)" for n in [data.unplaced_exercises] if n] + \
        [f"{n} deal(s)" for n in [data.unplaced_deals] if n]
    caption = f"Not on the map (a party unknown or without a shape): {', '.join(left_off)}." if left_off else ""
    if caption:
        ax.text(0.99, 0.01, caption, transform=ax.transAxes, ha="right", va="bottom", fontsize=8, color="#555555")
    if title:
        ax.set_title(title)
    figure = ax.get_figure(root=True)
    if figure is not None:
        figure.tight_layout()
    return ax
