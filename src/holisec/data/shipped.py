"""Load the data sets shipped with holisec (``data/shipped/manifest.yaml``) into a store.

Manifest: a list of entries (or ``{sources: [...]}``), each ``{id, file, name, citation, licence,
url, non_commercial}`` plus optional ``entity_type`` (country|region) and ``entities`` (a path).
``file`` is a long Parquet (``entity, period, indicator, value``) relative to the manifest.
Optional ``vintages``: a list of ``{vintage, file, release, indicators, [last_actual_year]}``, the
releases of that source in the order they were shipped (``file`` then names the first). They are
loaded in rounds — every source's vintage 1, then every vintage 2, ... — each file as a new
vintage in the store (an empty ``value`` withdraws a key of an earlier vintage), so ``--as-of``
the last ingest of round N gives exactly the data shipped as vintage N (:func:`vintage_ingest`).
``entities.parquet`` next to the manifest holds country attributes; one in a source's folder holds
that source's entities (e.g. GDL regions with ``entity_type="region"`` and ``parent`` ISO3).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import yaml

from holisec.data.store import IngestReport, Store

MANIFEST = Path(__file__).parent / "shipped" / "manifest.yaml"
_FIELDS = ["id", "name", "file", "citation", "licence", "url", "non_commercial"]


def _entries(manifest: str | Path | None) -> tuple[list[dict], Path]:
    path = Path(manifest) if manifest is not None else MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"{path}: no manifest of shipped data")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    entries = raw.get("sources", []) if isinstance(raw, dict) else raw
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ValueError(f"{path}: expected a list of source entries")
    for i, e in enumerate(entries):
        missing = [k for k in ("id", "file") if not e.get(k)]
        if missing:
            raise ValueError(f"{path}: entry {i} lacks {missing}")
    return entries, path.parent


def sources(manifest: str | Path | None = None) -> pd.DataFrame:
    """The shipped sources as a table (id, name, file, citation, licence, url, non_commercial, ...)."""
    entries, _ = _entries(manifest)
    df = pd.DataFrame(entries)
    for c in _FIELDS:
        if c not in df.columns:
            df[c] = False if c == "non_commercial" else ""
    df["non_commercial"] = df["non_commercial"].fillna(False).astype(bool)
    return df[_FIELDS + [c for c in df.columns if c not in _FIELDS]]


def vintages(manifest: str | Path | None = None) -> pd.DataFrame:
    """One row per shipped file in load order: source, vintage, file, release, last_actual_year."""
    rows = []
    for e in _entries(manifest)[0]:
        for v in _vintages(e):
            rows.append({"source": e["id"], "vintage": int(v.get("vintage", 1)), "file": v["file"],
                         "release": v.get("release", e.get("name", "")),
                         "last_actual_year": v.get("last_actual_year")})
    return pd.DataFrame(rows).sort_values("vintage", kind="stable").reset_index(drop=True)


def _vintages(entry: dict) -> list[dict]:
    return entry.get("vintages") or [{"vintage": 1, "file": entry["file"]}]


def vintage_note(source: str, vintage: int, release: str) -> str:
    """The ingest note of a shipped vintage (what ``holisec data vintages`` shows)."""
    return f"shipped vintage {vintage} of {source}: {release}"


def vintage_ingest(store: Store, vintage: int, manifest: str | Path | None = None) -> int:
    """The last ingest id of shipped vintage ``vintage`` in ``store`` (found by the files' sha256): ``as_of``
    it, the store holds the data shipped up to that vintage (later shipped vintages are not seen)."""
    from holisec.data.store import _sha256_file

    entries, base = _entries(manifest)
    wanted = {(e["id"], _sha256_file(base / v["file"])) for e in entries for v in _vintages(e)
              if int(v.get("vintage", 1)) == vintage}
    if not wanted:
        raise ValueError(f"no shipped vintage {vintage} in the manifest")
    ing = store.vintages()
    hit = ing[[(s, h) in wanted for s, h in zip(ing["source"], ing["sha256"])]]
    loaded = set(ing["source"])  # shipped sources never loaded into this store are not asked for
    lacking = sorted(s for s, _ in wanted if s in loaded and s not in set(hit["source"]))
    if hit.empty or lacking:
        raise ValueError(f"store {store.path} lacks the shipped vintage {vintage} file of "
                         f"{lacking or sorted(s for s, _ in wanted)}; load it with `holisec data load --shipped`")
    return int(hit["ingest_id"].max())


def _entity_type(entry: dict, entities: Path | None) -> str:
    if entry.get("entity_type"):
        return str(entry["entity_type"])
    if entities is not None:
        t = pd.read_parquet(entities, columns=None)
        if "entity_type" in t.columns and len(t) and t["entity_type"].eq("region").all():
            return "region"
    return "country"


def load_shipped(store: Store, sources: list[str] | None = None,
                 progress: Callable[[int, int, IngestReport], None] | None = None,
                 manifest: str | Path | None = None) -> list[IngestReport]:
    """Ingest every shipped source (or those in ``sources``) into ``store``.

    Unchanged files are no-ops, so running it again is cheap. ``progress(i, n, report)`` is
    called after each source.
    """
    entries, base = _entries(manifest)
    if sources is not None:
        known = {e["id"] for e in entries}
        unknown = sorted(set(sources) - known)
        if unknown:
            raise ValueError(f"unknown shipped source(s) {unknown}; available: {sorted(known)}")
        entries = [e for e in entries if e["id"] in set(sources)]
    top = base / "entities.parquet"
    if top.exists():
        store.add_entities(top)
    files = [(e, v) for e in entries for v in _vintages(e)]
    files.sort(key=lambda ev: int(ev[1].get("vintage", 1)))  # stable: manifest order within a vintage
    reports = []
    for i, (e, v) in enumerate(files, 1):
        path = base / v["file"]
        ent = base / e["entities"] if e.get("entities") else path.parent / "entities.parquet"
        ent = ent if ent.exists() and ent != top else None
        meta = {k: e.get(k) for k in ("name", "citation", "licence", "url", "non_commercial")}
        number = int(v.get("vintage", 1))
        note = ""
        if "vintages" in e:
            note = vintage_note(e["id"], number, v.get("release", ""))
            if number > 1:
                meta["name"] = f"{e.get('name')}; vintage {number}: {v.get('release', '')}"
                meta["citation"] = f"{e.get('citation')}; {v.get('citation', '')}".rstrip("; ")
        rep = store.ingest(path, e["id"], fmt="long", entity_type=_entity_type(e, ent), entities=ent,
                           source_meta=meta, file=str(Path(v["file"])), note=note)
        reports.append(rep)
        if progress is not None:
            progress(i, len(files), rep)
    return reports
