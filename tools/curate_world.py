"""Curate the dashboard's world map geometry (run by hand; never imported at run time).

Input: Natural Earth 1:110m "admin 0 countries" (public domain) as shipped in the pyogrio
wheel's test fixtures (``pyogrio/tests/fixtures/naturalearth_lowres/naturalearth_lowres.shp``,
pyogrio 0.13.0 on PyPI). Output: ``src/holisec/app/static/world_110m.geojson`` with one
feature per country, ``id`` = ISO3 (as holisec codes countries), properties ``name``, and
coordinates rounded to 0.01 degree. Reads the shapefile and dBase table with the standard
library only (ESRI Shapefile Technical Description, 1998: polygon records, type 5).

    python tools/curate_world.py /path/to/naturalearth_lowres.shp
"""
from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/holisec/app/static/world_110m.geojson"
#: plotly.js loads ``<topojsonURL>world_110m.json`` for its geo base layers even when they are
#: hidden; the app points topojsonURL here, so it gets the same outlines and never a CDN
TOPO = OUT.parent / "topojson" / "world_110m.json"
BASE_LAYERS = ("coastlines", "land", "ocean", "lakes", "rivers", "countries", "subunits")
#: Natural Earth leaves some ISO codes as -99; holisec's codes for them
FIX = {"France": "FRA", "Norway": "NOR", "Kosovo": "XKX"}


def read_dbf(path: Path) -> list[dict]:
    data = path.read_bytes()
    n, header_len, rec_len = struct.unpack("<IHH", data[4:12])
    fields, pos = [], 32
    while data[pos] != 0x0D:
        name = data[pos:pos + 11].split(b"\0")[0].decode()
        fields.append((name, data[pos + 16]))
        pos += 32
    rows = []
    for i in range(n):
        rec = data[header_len + i * rec_len + 1: header_len + (i + 1) * rec_len]
        row, off = {}, 0
        for name, size in fields:
            row[name] = rec[off:off + size].decode("utf-8", "replace").strip()
            off += size
        rows.append(row)
    return rows


def _ring_area(ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])) / 2


def read_shp(path: Path) -> list[list[list[tuple[float, float]]]]:
    """Each record's rings (polygon type 5)."""
    data = path.read_bytes()
    pos, out = 100, []
    while pos < len(data):
        _, length = struct.unpack(">ii", data[pos:pos + 8])
        body = data[pos + 8: pos + 8 + 2 * length]
        pos += 8 + 2 * length
        shape_type = struct.unpack("<i", body[:4])[0]
        if shape_type != 5:
            raise ValueError(f"{path}: record of shape type {shape_type}, expected polygons (5)")
        n_parts, n_points = struct.unpack("<ii", body[36:44])
        parts = list(struct.unpack(f"<{n_parts}i", body[44:44 + 4 * n_parts])) + [n_points]
        pts = struct.unpack(f"<{2 * n_points}d", body[44 + 4 * n_parts: 44 + 4 * n_parts + 16 * n_points])
        xy = list(zip(pts[0::2], pts[1::2]))
        out.append([xy[a:b] for a, b in zip(parts, parts[1:])])
    return out


def to_geometry(rings) -> dict:
    """Shapefile rings (outer clockwise, holes anticlockwise) -> GeoJSON MultiPolygon, rounded.

    The shapefile winding is kept: plotly.js draws with d3-geo, which takes clockwise outer
    rings on the sphere (the reverse of RFC 7946's advice) and would otherwise fill the globe."""
    polys = []
    for ring in rings:
        r = [[round(x, 2), round(y, 2)] for x, y in ring]
        r = [p for i, p in enumerate(r) if i == 0 or p != r[i - 1]]
        if len(r) < 4:
            continue
        if _ring_area(ring) < 0:  # outer ring (clockwise)
            polys.append([r])
        elif polys:
            polys[-1].append(r)
    return {"type": "MultiPolygon", "coordinates": polys}


def main(shp: str) -> None:
    shp_path = Path(shp)
    rows, shapes = read_dbf(shp_path.with_suffix(".dbf")), read_shp(shp_path)
    feats = []
    for row, rings in zip(rows, shapes):
        iso = FIX.get(row.get("name", ""), row.get("iso_a3", ""))
        if not iso or iso == "-99" or row.get("name") == "Antarctica":
            continue
        feats.append({"type": "Feature", "id": iso, "properties": {"name": row["name"]}, "geometry": to_geometry(rings)})
    OUT.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, separators=(",", ":")))
    print(f"{len(feats)} countries -> {OUT} ({OUT.stat().st_size / 1024:.0f} KiB)")
    write_topojson(feats)


def write_topojson(feats: list[dict]) -> None:
    """The same outlines as a TopoJSON topology (one arc per ring, absolute coordinates, no
    transform: allowed by the TopoJSON spec) with the object names plotly.js looks up."""
    arcs, countries = [], []
    for f in feats:
        polys = []
        for poly in f["geometry"]["coordinates"]:
            rings = []
            for ring in poly:
                arcs.append(ring)
                rings.append([len(arcs) - 1])
            polys.append(rings)
        countries.append({"type": "MultiPolygon", "id": f["id"], "arcs": polys})
    empty = {"type": "GeometryCollection", "geometries": []}
    objects = {name: empty for name in BASE_LAYERS}
    objects["countries"] = {"type": "GeometryCollection", "geometries": countries}
    objects["land"] = {"type": "GeometryCollection", "geometries": countries}
    TOPO.parent.mkdir(exist_ok=True)
    TOPO.write_text(json.dumps({"type": "Topology", "objects": objects, "arcs": arcs}, separators=(",", ":")))
    print(f"topojson -> {TOPO} ({TOPO.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main(sys.argv[1])
