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
    time = data["Time"].astype(int) if "Time" in data.columns else pd.Series(DEFAULT_PERIOD, index=data.index)
    keys = pd.DataFrame({"uCode": data["uCode"].astype(str), "Time": time})
    dup = keys.duplicated()
    if dup.any():
        raise PipelineError(f"iData has duplicate uCode/Time rows: {keys[dup].values.tolist()[:5]}")
    codes = indicators + denominators
    long = pd.concat([keys, data[codes].apply(pd.to_numeric, errors="coerce")], axis=1)
    entities = list(dict.fromkeys(keys["uCode"]))
    periods = sorted(set(keys["Time"]))
    cube = long.set_index(["uCode", "Time"]).reindex(pd.MultiIndex.from_product([entities, periods]))
    panel = xr.DataArray(
        cube[codes].to_numpy(dtype="float64").reshape(len(entities), len(periods), len(codes)),
        dims=("entity", "period", "indicator"),
        coords={"entity": entities, "period": np.array(periods, dtype="int64"), "indicator": codes},
    )
    attrs = data.assign(uCode=data["uCode"].astype(str)).drop_duplicates("uCode", keep="last").set_index("uCode")
    groups = pd.DataFrame(index=pd.Index(entities, name="entity"))
    if "uName" in data.columns:
        groups["name"] = attrs.loc[entities, "uName"].astype(str).values
    for col in group_cols:
        groups[col] = attrs.loc[entities, col].values
    return panel, framework, groups
