"""Write kg/data/world/countries-110m.geojson, the country shapes of the notebooks' world map (see its SOURCES.md).

The shapes are Natural Earth's 1:110m admin-0 countries (public domain) as geopandas 0.14.4 bundled them
(`geopandas/datasets/naturalearth_lowres`, ISO codes fixed by its `naturalearth_creation.py`). geopandas 1.0 no
longer ships them, so the project keeps this small copy: coordinates rounded to 0.01°, properties `name` and
`iso_a3` only. Run once by hand with pyshp installed, from the extracted wheel:

    pip download --no-deps geopandas==0.14.4 && unzip geopandas-0.14.4-py3-none-any.whl 'geopandas/datasets/*'
    pip install pyshp
    python scripts/make_world_shapes.py geopandas/datasets/naturalearth_lowres/naturalearth_lowres.shp
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "kg" / "data" / "world" / "countries-110m.geojson"


def _rounded(geometry: dict[str, Any]) -> dict[str, Any]:
    def walk(value: Any) -> Any:
        if isinstance(value, float | int):
            return round(float(value), 2)
        return [walk(v) for v in value]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def main(shapefile_path: str) -> None:
    import shapefile  # pyshp, needed only here

    reader = shapefile.Reader(shapefile_path)
    features = [{"type": "Feature", "properties": {"name": rec["name"], "iso_a3": rec["iso_a3"]},
                 "geometry": _rounded(shape.__geo_interface__)}
                for shape, rec in zip(reader.shapes(), reader.records(), strict=True)]
    features.sort(key=lambda f: f["properties"]["name"])
    TARGET.write_text(json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
                      + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
