"""Read COINr inputs (``iData``, ``iMeta``) into a holisec panel, framework and entity groups.

References
----------
Becker, W. et al. (2022) COINr: An R package for developing composite indicators. JOSS 7(78), 4567.
COINr ``new_coin()`` input format: https://bluefoxr.github.io/COINr/articles/coins.html
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from holisec.framework import Framework, from_imeta
from holisec.pipeline._panel import PipelineError

#: Period used when iData has no ``Time`` column (a single cross-section).
DEFAULT_PERIOD = 0


def _read(table: str | Path | pd.DataFrame) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame):
        return table.copy()
    path = Path(table)
    return pd.read_excel(path) if path.suffix.lower() in (".xlsx", ".xls") else pd.read_csv(path)


def _time(data: pd.DataFrame) -> np.ndarray:
    if "Time" not in data.columns:
        return np.full(len(data), DEFAULT_PERIOD, dtype="int64")
    time = pd.to_numeric(data["Time"], errors="coerce")
    bad = time.isna() | (time != np.round(time))
    if bad.any():
        r = int(np.flatnonzero(bad.to_numpy())[0])
        raise PipelineError(f"iData row {r + 2}, column Time: {data['Time'].iloc[r]!r} is not a whole year")
    return time.to_numpy(dtype="int64")


def _codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Unit codes in order of first appearance, and each row's position among them."""
    pos, uniques = pd.factorize(column.astype(str))
    return np.asarray(uniques, dtype=object), pos


def _numeric(data: pd.DataFrame, codes: list[str]) -> np.ndarray:
    """Rows x codes as float64; a non-numeric cell is an error naming its row and column."""
    block = data[codes]
    text = [c for c, dt in block.dtypes.items() if not pd.api.types.is_numeric_dtype(dt)]
    if not text:
        return block.to_numpy(dtype="float64")
    block = block.copy()
    for col in text:  # only the columns pandas did not read as numbers
        converted = pd.to_numeric(block[col], errors="coerce")
        bad = converted.isna() & block[col].notna() & (block[col].astype(str).str.strip() != "")
        if bad.any():
            r = int(np.flatnonzero(bad.to_numpy())[0])
            raise PipelineError(f"iData row {r + 2}, column {col}: {block[col].iloc[r]!r} is not a number "
                                f"(leave the cell empty for a missing value)")
        block[col] = converted
    return block.to_numpy(dtype="float64")


def read_coinr(
    idata: str | Path | pd.DataFrame, imeta: str | Path | pd.DataFrame, *, name: str = "coinr"
) -> tuple[xr.DataArray, Framework, pd.DataFrame]:
    """Convert COINr ``iData`` + ``iMeta`` tables.

    Parameters
    ----------
    idata
        ``uCode``, optional ``uName``, group columns (iMeta Type ``Group``), optional ``Time``,
        denominators (Type ``Denominator``) and indicators, one row per unit (and time).
    imeta
        COINr ``iMeta``: Indicator and Aggregate rows form the tree (:func:`holisec.framework.from_imeta`).

    Returns
    -------
    panel, framework, entity_groups
        The panel holds the indicators *and* the denominators (for a ``denominate`` step);
        ``entity_groups`` is indexed by ``uCode`` with ``uName`` (as ``name``) and the group columns.
    """
    data, meta = _read(idata), _read(imeta)
    framework = from_imeta(meta, name=name)
    if "uCode" not in data.columns:
        raise PipelineError(f"iData lacks the uCode column; has {list(data.columns)}")
    group_cols = [c for c in meta.loc[meta["Type"] == "Group", "iCode"] if c in data.columns]
    denominators = [c for c in meta.loc[meta["Type"] == "Denominator", "iCode"] if c in data.columns]
    indicators = framework.indicator_ids
    absent = [c for c in indicators if c not in data.columns]
    if absent:
        raise PipelineError(f"iData lacks indicator column(s) {absent}")
    time = _time(data)
    entity, entity_pos = _codes(data["uCode"])
    dup = pd.Series(entity_pos * (time.max() - time.min() + 1) + (time - time.min())).duplicated().to_numpy()
    if dup.any():
        rows = np.flatnonzero(dup)[:5]
        raise PipelineError(f"iData has duplicate uCode/Time rows: "
                            f"{[[str(entity[entity_pos[r]]), int(time[r])] for r in rows]} (file rows {(rows + 2).tolist()})")
    codes = indicators + denominators
    periods, period_pos = np.unique(time, return_inverse=True)
    cube = np.full((len(entity), len(periods), len(codes)), np.nan)
    cube[entity_pos, period_pos] = _numeric(data, codes)
    panel = xr.DataArray(
        cube, dims=("entity", "period", "indicator"),
        coords={"entity": entity.tolist(), "period": periods.astype("int64"), "indicator": codes},
    )
    # one row of attributes per unit: its last row in iData
    last = np.zeros(len(entity), dtype=int)
    np.maximum.at(last, entity_pos, np.arange(len(data)))
    attrs = data.iloc[last]
    groups = pd.DataFrame(index=pd.Index(entity.tolist(), name="entity"))
    if "uName" in data.columns:
        groups["name"] = attrs["uName"].astype(str).to_numpy()
    for col in group_cols:
        groups[col] = attrs[col].to_numpy()
    return panel, framework, groups
