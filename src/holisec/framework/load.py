"""Load frameworks from YAML files, built-in names, or COINr ``iMeta`` tables."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from holisec._validation import read_mapping_file, validated
from holisec.framework.schema import Framework, FrameworkError

_BUILTIN = "holisec.framework.builtin"


def builtin_frameworks() -> list[str]:
    """Names of the frameworks shipped with holisec."""
    files = resources.files(_BUILTIN).iterdir()
    return sorted(f.name[:-5] for f in files if f.name.endswith(".yaml"))


def _item_id(raw: dict):
    """The ``(id '...')`` of the list item a problem is in, so a user finds it in a long file."""
    def hint(loc: tuple) -> str:
        if len(loc) >= 2 and isinstance(loc[1], int):
            try:
                item = raw[loc[0]][loc[1]]
            except (KeyError, IndexError, TypeError):
                return ""
            if isinstance(item, dict) and "id" in item:
                return f" (id {item['id']!r})"
        return ""
    return hint


def from_dict(raw: dict, origin: str = "<dict>") -> Framework:
    """Validate a framework given as a plain mapping (the parsed YAML)."""
    return validated(Framework, raw, origin, "framework", FrameworkError,
                     hint=_item_id(raw) if isinstance(raw, dict) else None)


def load_yaml(path: str | Path) -> Framework:
    """Read and validate a framework YAML file (safe-loaded)."""
    return from_dict(read_mapping_file(path, "framework", FrameworkError), str(path))


def load_framework(name_or_path: str | Path | Framework = "holistic") -> Framework:
    """A built-in framework by name, a YAML file, or a COINr iMeta CSV/XLSX."""
    if isinstance(name_or_path, Framework):
        return name_or_path
    text = str(name_or_path)
    if text in builtin_frameworks():
        with resources.as_file(resources.files(_BUILTIN) / f"{text}.yaml") as p:
            return load_yaml(p)
    path = Path(text)
    if path.suffix.lower() in (".csv", ".xlsx", ".xls"):
        return from_imeta(path)
    if not path.exists():
        raise FrameworkError(
            f"{text}: not a built-in framework ({', '.join(builtin_frameworks())}) and no such file"
        )
    return load_yaml(path)


_IMETA_REQUIRED = ["iCode", "iName", "Level", "Parent", "Direction", "Weight", "Type"]


def from_imeta(imeta: str | Path | pd.DataFrame, name: str = "coinr") -> Framework:
    """Build a framework from a COINr ``iMeta`` table.

    Rows of Type ``Indicator`` become indicators; ``Aggregate`` rows become groups
    (the one without a parent is the index). ``Group``, ``Denominator`` and ``Other``
    rows are not part of the tree (they are unit groupings and denominators in iData).
    """
    origin = str(imeta) if not isinstance(imeta, pd.DataFrame) else "<iMeta>"
    if isinstance(imeta, pd.DataFrame):
        df = imeta.copy()
    else:
        p = Path(imeta)
        df = pd.read_excel(p) if p.suffix.lower() in (".xlsx", ".xls") else pd.read_csv(p)
    missing = [c for c in _IMETA_REQUIRED if c not in df.columns]
    if missing:
        raise FrameworkError(f"{origin}: iMeta lacks column(s) {missing}; has {list(df.columns)}")
    dup = df["iCode"][df["iCode"].duplicated()].tolist()
    if dup:
        rows = [int(i) + 2 for i in df.index[df["iCode"].isin(dup)]]
        raise FrameworkError(f"{origin}: duplicate iCode(s) {dup} at rows {rows}")
    bad_type = df.loc[~df["Type"].isin(["Indicator", "Aggregate", "Group", "Denominator", "Other"])]
    if len(bad_type):
        r = int(bad_type.index[0])
        raise FrameworkError(f"{origin}: row {r + 2}, column Type: unknown type {bad_type['Type'].iloc[0]!r}")

    def _num(v, default):
        return default if pd.isna(v) else float(v)

    def _parent(v):
        return None if pd.isna(v) else str(v)

    indicators, groups = [], []
    for i, r in zip(df.index, df.to_dict("records")):  # plain dicts: no Series per row
        row = int(i) + 2
        if r["Type"] == "Indicator":
            gp = None
            indicators.append(dict(
                id=str(r["iCode"]), name=str(r["iName"]), parent=_parent(r["Parent"]),
                direction=int(_num(r["Direction"], 1)), weight=_num(r["Weight"], 1.0),
                unit="" if pd.isna(r.get("Unit", None)) else str(r["Unit"]),
                denominator=None if pd.isna(r.get("Denominator", None)) else str(r["Denominator"]),
                goalposts=gp, description=f"iMeta row {row}",
            ))
        elif r["Type"] == "Aggregate":
            groups.append(dict(
                id=str(r["iCode"]), name=str(r["iName"]), parent=_parent(r["Parent"]),
                weight=_num(r["Weight"], 1.0), direction=int(_num(r["Direction"], 1)),
            ))
    raw = dict(id=name, name=f"{name} (from COINr iMeta)", polarity="higher = higher index (COINr convention)",
               groups=groups, indicators=indicators)
    return from_dict(raw, origin)
