"""Load the data sets shipped with holisec (``data/shipped/manifest.yaml``) into a store.

Manifest: a list of entries (or ``{sources: [...]}``), each ``{id, file, name, citation, licence,
url, non_commercial}`` plus optional ``entity_type`` (country|region) and ``entities`` (a path).
``file`` is a long Parquet (``entity, period, indicator, value``) relative to the manifest.
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
    reports = []
    for i, e in enumerate(entries, 1):
        path = base / e["file"]
        ent = base / e["entities"] if e.get("entities") else path.parent / "entities.parquet"
        ent = ent if ent.exists() and ent != top else None
        meta = {k: e.get(k) for k in ("name", "citation", "licence", "url", "non_commercial")}
        rep = store.ingest(path, e["id"], fmt="long", entity_type=_entity_type(e, ent), entities=ent,
                           source_meta=meta, file=str(Path(e["file"])))
        reports.append(rep)
        if progress is not None:
            progress(i, len(entries), rep)
    return reports
