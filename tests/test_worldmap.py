"""The world map is drawn offline from shipped Natural Earth shapes; the flow plot draws no "nan" and clips no name."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

import kg
from kg.interfaces.notebook import plot_flows
from kg.interfaces.worldmap import country_shapes, map_data, plot_world_map, state_point

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a network connection fails the test."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the map tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_the_shipped_shapes_are_natural_earths_countries_with_their_source_recorded() -> None:
    shapes = country_shapes()
    assert len(shapes) == 177 and shapes["IND"][0] == "India" and shapes["FRA"][0] == "France"
    sources = (ROOT / "kg" / "data" / "world" / "SOURCES.md").read_text(encoding="utf-8")
    assert "Natural Earth" in sources and "public domain" in sources
    assert json.loads((ROOT / "kg" / "data" / "world" / "countries-110m.geojson").read_text())["type"] == \
        "FeatureCollection"


def test_states_sit_inside_their_own_country() -> None:
    for code, (lon, lat) in {"PAK": (69, 30), "RUS": (99, 62), "IND": (79, 22), "USA": (-99, 39)}.items():
        x, y = state_point(code) or (0, 0)
        assert abs(x - lon) < 6 and abs(y - lat) < 6, code
    assert state_point("XXX") is None


def test_the_sample_maps_its_exercises_and_its_arms_flow(seed_build: Path) -> None:
    data = map_data(kg.open(seed_build))
    names = {name: (host, states) for name, host, states in data.exercises}
    assert names["Mission de paix 2018"][0] == "RUS" and {"CHN", "IND", "PAK"} <= set(names["Mission de paix 2018"][1])
    assert ("RUS", "PAK", 1) in data.flows and data.unplaced_deals == 0


def test_the_map_is_drawn_offline_with_labels_legend_and_arcs(seed_build: Path, offline: None,
                                                              tmp_path: Path) -> None:
    ax = plot_world_map(kg.open(seed_build))
    texts = {t.get_text() for t in ax.texts}
    assert {"Russia", "Pakistan", "India", "China", "Mission de paix 2018"} <= texts
    assert not any(t.lower() == "nan" for t in texts)
    assert len(ax.patches) == 1  # one arc: Russia → Pakistan
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_legend() is not None
    ax.figure.savefig(tmp_path / "map.png")
    assert (tmp_path / "map.png").stat().st_size > 10_000


def test_the_flow_plot_leaves_out_unknown_parties_and_says_how_many() -> None:
    deals = pd.DataFrame({"supplier_label": ["Russia", "France", None],
                          "recipient_label": ["Pakistan", np.nan, "India"], "items": ["JF-17", "Rafale", "Su-30"]})
    ax = plot_flows(deals)
    texts = [t.get_text() for t in ax.texts]
    assert "nan" not in texts and "None" not in texts
    assert "2 deal(s) with an unknown supplier or recipient left out" in texts
    assert {"Russia", "Pakistan"} <= set(texts)


def test_the_flow_plot_never_clips_a_name() -> None:
    deals = pd.DataFrame({"supplier_label": ["United States of America"], "recipient_label": ["United Arab Emirates"],
                          "items": ["F-35"]})
    ax = plot_flows(deals)
    names = [t for t in ax.texts if t.get_text() in ("United States of America", "United Arab Emirates")]
    assert len(names) == 2 and not any(t.get_clip_on() for t in names)
    ax.figure.canvas.draw()
    figure_box = ax.figure.bbox
    for text in names:
        box = text.get_window_extent()
        assert figure_box.x0 <= box.x0 and box.x1 <= figure_box.x1, text.get_text()
