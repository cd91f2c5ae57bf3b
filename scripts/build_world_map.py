"""Build src/cahtracker/data/world_map.json from Natural Earth shapes (the npm `world-atlas`).

Run once by a developer, when the shapes or data/un_member_states.csv change; the output is
committed and ships in the wheel. Get the shapes into a scratch folder outside the repository:

    mkdir -p /tmp/wm && cd /tmp/wm && npm install world-atlas@2.0.2
    python scripts/build_world_map.py /tmp/wm/node_modules/world-atlas

`--check` rebuilds in memory and exits 1 when the committed file differs. What it does, step
by step (data/SOURCES.md repeats this with the figures of the committed build):

1. decode the TopoJSON arcs of countries-50m.json (quantized, delta-encoded) to degrees;
2. project them with the Equal Earth projection (Šavrič, Patterson, Jenny 2018), north up,
   fitted to a frame WIDTH units wide; Antarctica (010) is left out;
3. simplify each arc once (Douglas-Peucker, tolerance TOLERANCE units), so that neighbours
   share the same simplified border and no gap opens between them;
4. join arcs into rings per feature; drop rings smaller than MIN_RING_AREA square units, but
   always keep a state's largest ring;
5. per UN member or observer state (data/un_member_states.csv, matched on m49 = the feature id):
   an SVG path (relative commands, 0.1-unit precision), its area and a dot position (the
   area centroid of its largest ring), both measured on the projected rings before step 3;
6. a state that has no feature at 1:50m (Tuvalu) gets its dot from the centroid of its largest
   ring in countries-10m.json of the same package, and no path;
7. every other feature (territories that are not UN member or observer states) is merged into
   one path of background land, without names.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATES_CSV = ROOT / "data" / "un_member_states.csv"
OUT = ROOT / "src" / "cahtracker" / "data" / "world_map.json"

SHAPES_FILE = "countries-50m.json"
FALLBACK_FILE = "countries-10m.json"  # only for states missing at 1:50m
LEFT_OUT = {"010"}  # Antarctica: no state, and it would take a fifth of the height
WIDTH = 1000.0
MARGIN = 4.0
TOLERANCE = 0.3
MIN_RING_AREA = 0.6

# Equal Earth constants (Šavrič, Patterson & Jenny 2018, "The Equal Earth map projection").
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, -y  # SVG's y grows downwards


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """TopoJSON arcs in degrees: undo the delta encoding and the quantization transform."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        points, x, y = [], 0, 0
        for position in arc:
            if transform:
                x, y = x + position[0], y + position[1]
                (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
                points.append((x * sx + tx, y * sy + ty))
            else:
                points.append((position[0], position[1]))
        arcs.append(points)
    return arcs


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker, iterative; the first and last points always stay."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        norm = math.hypot(dx, dy)
        worst, index = -1.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if norm == 0:
                distance = math.hypot(px - ax, py - ay)
            else:
                distance = abs(dy * (px - ax) - dx * (py - ay)) / norm
            if distance > worst:
                worst, index = distance, i
        if worst > tolerance:
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    return [p for p, k in zip(points, keep, strict=True) if k]


def split_at_antimeridian(arc: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """Cut an arc where it crosses longitude 180, ending and starting the pieces on it."""
    pieces, current = [], [arc[0]]
    for (lon0, lat0), (lon1, lat1) in itertools.pairwise(arc):
        if abs(lon1 - lon0) > 180:
            edge = 180.0 if lon0 > 0 else -180.0
            unwrapped = lon1 + (360 if lon0 > 0 else -360)
            t = (edge - lon0) / (unwrapped - lon0) if unwrapped != lon0 else 0.0
            lat = lat0 + t * (lat1 - lat0)
            if current[-1] != (edge, lat):
                current.append((edge, lat))
            pieces.append(current)
            current = [(-edge, lat)] if (lon1, lat1) != (-edge, lat) else []
        current.append((lon1, lat1))
    pieces.append(current)
    return pieces


class Arcs:
    """A topology's arcs, cut at the antimeridian and projected; full and simplified."""

    def __init__(self, topology: dict, fit) -> None:
        self.pieces: list[list[int]] = []  # original arc index -> its pieces
        self.full: list[list[tuple[float, float]]] = []
        for arc in decode_arcs(topology):
            indices = []
            for piece in split_at_antimeridian(arc):
                indices.append(len(self.full))
                self.full.append([fit(equal_earth(*p)) for p in piece])
            self.pieces.append(indices)
        self.simple = [simplify(points, TOLERANCE) for points in self.full]

    def rings(self, ring: list[int], simplified: bool) -> list[list[tuple[float, float]]]:
        """One ring of arc references as planar rings: two when it crosses the antimeridian."""
        arcs = self.simple if simplified else self.full
        chains: list[list[tuple[float, float]]] = []
        for index in ring:
            refs = self.pieces[index] if index >= 0 else self.pieces[~index][::-1]
            for ref in refs:
                points = arcs[ref] if index >= 0 else arcs[ref][::-1]
                if chains and chains[-1][-1] == points[0]:
                    chains[-1].extend(points[1:])
                else:
                    chains.append(list(points))
        if len(chains) > 1 and chains[-1][-1] == chains[0][0]:
            chains[0] = chains.pop() + chains[0][1:]
        if len(chains) > 2:
            raise SystemExit(
                f"a ring crosses the antimeridian {len(chains)} times; only 0 or 2 handled"
            )
        return chains


def polygons_of(geometry: dict) -> list[list[list[int]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["arcs"]]
    if geometry.get("type") == "MultiPolygon":
        return geometry["arcs"]
    return []


def area_and_centroid(points: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Shoelace area (absolute) and area centroid of one closed ring."""
    twice, cx, cy = 0.0, 0.0, 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        twice += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if twice == 0:
        xs, ys = zip(*points, strict=True)
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(twice) / 2, cx / (3 * twice), cy / (3 * twice)


def _number(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        return "0"
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def _pair(dx: float, dy: float) -> str:
    x, y = _number(dx), _number(dy)
    return x + ("" if y.startswith("-") else ",") + y


def path_data(rings: list[list[tuple[float, float]]]) -> str:
    """Relative SVG path commands at 0.1 precision, deltas taken between rounded points."""
    parts = []
    cursor = (0.0, 0.0)
    for ring in rings:
        rounded = [(round(x, 1), round(y, 1)) for x, y in ring]
        deduped = [p for i, p in enumerate(rounded) if i == 0 or p != rounded[i - 1]]
        if deduped[-1] == deduped[0]:
            deduped.pop()
        if len(deduped) < 3:
            continue
        (x0, y0) = deduped[0]
        parts.append("m" + _pair(x0 - cursor[0], y0 - cursor[1]))
        steps = [_pair(x1 - xa, y1 - ya) for (xa, ya), (x1, y1) in itertools.pairwise(deduped)]
        parts.append("l" + " ".join(steps) + "z")
        cursor = (x0, y0)  # after z, the current point is the ring's start
    return "".join(parts).replace(" -", "-")


def fallback_dot(path: Path, m49: str, fit) -> tuple[float, float] | None:
    """The area centroid of a state's largest ring in another file of the package."""
    topology = json.loads(path.read_text(encoding="utf-8"))
    arcs = Arcs(topology, fit)
    best = None
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("id") != m49:
            continue
        for polygon in polygons_of(geometry):
            for outer in arcs.rings(polygon[0], simplified=False):
                area, cx, cy = area_and_centroid(outer)
                if best is None or area > best[0]:
                    best = (area, cx, cy)
    return None if best is None else (best[1], best[2])


def _without(topology: dict, ids: set[str]) -> dict:
    """The topology with only the arcs that features outside `ids` use."""
    used = {
        i if i >= 0 else ~i
        for g in topology["objects"]["countries"]["geometries"]
        if g.get("id") not in ids
        for polygon in polygons_of(g)
        for ring in polygon
        for i in ring
    }
    return {**topology, "arcs": [a for i, a in enumerate(topology["arcs"]) if i in used]}


def build(atlas: Path, states_csv: Path = STATES_CSV) -> dict:
    package = json.loads((atlas / "package.json").read_text(encoding="utf-8"))
    shapes_path = atlas / SHAPES_FILE
    topology = json.loads(shapes_path.read_text(encoding="utf-8"))
    states = list(csv.DictReader(states_csv.open(encoding="utf-8")))
    by_m49 = {row["m49"]: row for row in states}
    geometries = [
        g for g in topology["objects"]["countries"]["geometries"] if g.get("id") not in LEFT_OUT
    ]

    # Frame: the projection's full width; the height of the land drawn (Antarctica left out).
    x_min, x_max = equal_earth(-180, 0)[0], equal_earth(180, 0)[0]
    lats = [lat for arc in decode_arcs(_without(topology, LEFT_OUT)) for _, lat in arc]
    north, south = max(lats), min(lats)
    y_top, y_bottom = equal_earth(0, north)[1], equal_earth(0, south)[1]
    scale = (WIDTH - 2 * MARGIN) / (x_max - x_min)
    height = round((y_bottom - y_top) * scale + 2 * MARGIN, 1)

    def fit(point: tuple[float, float]) -> tuple[float, float]:
        return (point[0] - x_min) * scale + MARGIN, (point[1] - y_top) * scale + MARGIN

    arcs = Arcs(topology, fit)
    shapes: dict[str, dict] = {}
    other_rings: list[list[tuple[float, float]]] = []
    for geometry in geometries:
        rings = []
        for polygon in polygons_of(geometry):
            for k, ring in enumerate(polygon):
                simple = arcs.rings(ring, simplified=True)
                for full, points in zip(arcs.rings(ring, simplified=False), simple, strict=True):
                    area, cx, cy = area_and_centroid(full)  # measured before simplifying
                    rings.append({"points": points, "area": area, "c": (cx, cy), "outer": k == 0})
        if not rings:
            continue
        row = by_m49.get(geometry.get("id"))
        largest = max((r for r in rings if r["outer"]), key=lambda r: r["area"])
        kept = [r for r in rings if r is largest or r["area"] >= MIN_RING_AREA]
        if row is None:
            other_rings.extend(r["points"] for r in kept)
            continue
        entry = shapes.setdefault(row["iso3"], {"rings": [], "largest": largest})
        entry["rings"].extend(kept)
        if largest["area"] > entry["largest"]["area"]:
            entry["largest"] = largest

    out_states: dict[str, dict] = {}
    for row in sorted(states, key=lambda r: r["iso3"]):
        iso3 = row["iso3"]
        if iso3 in shapes:
            entry = shapes[iso3]
            area = sum(r["area"] if r["outer"] else -r["area"] for r in entry["rings"])
            dot = entry["largest"]["c"]
            out_states[iso3] = {
                "name": row["name"],
                "d": path_data([r["points"] for r in entry["rings"]]),
                "area": round(max(area, 0.0), 2),
                "dot": [round(dot[0], 1), round(dot[1], 1)],
                "dot_from": f"centroid of the largest ring in {SHAPES_FILE}",
            }
            continue
        dot = fallback_dot(atlas / FALLBACK_FILE, row["m49"], fit)
        if dot is None:
            raise SystemExit(
                f"{iso3} (m49 {row['m49']}) is in neither {SHAPES_FILE} nor {FALLBACK_FILE}"
            )
        out_states[iso3] = {
            "name": row["name"],
            "d": "",
            "area": 0.0,
            "dot": [round(dot[0], 1), round(dot[1], 1)],
            "dot_from": f"centroid of the largest ring in {FALLBACK_FILE} (not in {SHAPES_FILE})",
        }

    return {
        "about": "UN member and observer states drawn from Natural Earth via world-atlas; "
        "built by scripts/build_world_map.py; provenance in data/SOURCES.md",
        "source": {
            "package": f"{package['name']}@{package['version']}",
            "licence": "Natural Earth data: public domain; world-atlas: ISC",
            "file": SHAPES_FILE,
            "sha256": hashlib.sha256(shapes_path.read_bytes()).hexdigest(),
            "fallback_file": FALLBACK_FILE,
            "fallback_sha256": hashlib.sha256((atlas / FALLBACK_FILE).read_bytes()).hexdigest(),
        },
        "projection": "Equal Earth, central meridian 0, north up",
        "simplification": f"Douglas-Peucker per arc, tolerance {TOLERANCE} units; "
        f"rings under {MIN_RING_AREA} square units dropped except each state's largest",
        "left_out": "Antarctica (010)",
        "width": WIDTH,
        "height": height,
        "frame": {"margin": MARGIN, "north": round(north, 6), "south": round(south, 6)},
        "states": out_states,
        "other_land": path_data(other_rings),
    }


def render(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "atlas", type=Path, help="the world-atlas package folder (node_modules/world-atlas)"
    )
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="exit 1 when --out is stale")
    args = parser.parse_args(argv)
    if not (args.atlas / SHAPES_FILE).is_file():
        print(
            f"{args.atlas / SHAPES_FILE} not found: pass the folder of the npm package world-atlas",
            file=sys.stderr,
        )
        return 2
    text = render(build(args.atlas))
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(
                f"{args.out} is stale: run python scripts/build_world_map.py {args.atlas}",
                file=sys.stderr,
            )
            return 1
        print(f"{args.out} is up to date")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(
        f"wrote {args.out} ({len(text.encode('utf-8')):,} bytes, {len(json.loads(text)['states'])} states)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
