"""The notebooks' pictures read at a glance: day dates where the data has days, axis titles, and a network laid
out by blocs."""

from __future__ import annotations

import math

import matplotlib
import networkx as nx
import pandas as pd

from kg.interfaces.notebook import bloc_layout, plot_network, plot_timeline

matplotlib.use("Agg")


def _labels(ax: matplotlib.axes.Axes) -> set[str]:
    return {t.get_text() for t in ax.texts}


def test_the_timeline_shows_days_when_the_dates_have_them_and_months_otherwise() -> None:
    frame = pd.DataFrame({"name": ["Steadfast Defender", "Zapad"],
                          "start": pd.to_datetime(["2026-02-03", "2021-09-01"]),
                          "end": pd.to_datetime(["2026-02-14", "2021-10-01"])})
    ax = plot_timeline(frame)
    assert {"2026-02-03 → 2026-02-14", "2021-09 → 2021-10"} <= _labels(ax)
    assert ax.get_xlabel().startswith("date") and ax.get_ylabel() == "name"


def _two_blocs() -> pd.DataFrame:
    west = ["France", "Germany", "Poland", "Italy"]
    east = ["Russia", "Belarus", "Kazakhstan", "Armenia"]
    pairs = [(a, b) for bloc in (west, east) for i, a in enumerate(bloc) for b in bloc[i + 1:]]
    pairs.append(("Poland", "Belarus"))  # one tie across
    return pd.DataFrame(pairs, columns=["state_label", "other_label"])


def test_blocs_are_laid_out_apart() -> None:
    edges = _two_blocs()
    graph = nx.Graph(list(zip(edges.state_label, edges.other_label, strict=True)))
    position, blocs = bloc_layout(graph)
    assert sorted(map(sorted, blocs)) == [["Armenia", "Belarus", "Kazakhstan", "Russia"],
                                          ["France", "Germany", "Italy", "Poland"]]

    def centre(bloc: list[str]) -> tuple[float, float]:
        return (sum(position[n][0] for n in bloc) / len(bloc), sum(position[n][1] for n in bloc) / len(bloc))

    (ax, ay), (bx, by) = centre(blocs[0]), centre(blocs[1])
    spread = max(math.dist(position[n], centre(bloc)) for bloc in blocs for n in bloc)
    assert math.dist((ax, ay), (bx, by)) > 2 * spread


def test_the_network_colours_each_bloc_and_labels_every_state() -> None:
    ax = plot_network(_two_blocs(), source="state_label", target="other_label")
    assert {"France", "Russia", "Belarus", "Poland"} <= _labels(ax)
    colours = {tuple(c) for c in ax.collections[-1].get_facecolors()}
    assert len(colours) == 2
