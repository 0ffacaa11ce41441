"""Convert between the long table ``entity, period, indicator, value`` and the panel array."""
from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

DIMS = ("entity", "period", "indicator")
LONG_COLUMNS = [*DIMS, "value"]


def _coord(values, dtype) -> np.ndarray:
    arr = np.asarray(values)
    return arr.astype(np.int64) if dtype == "int" else arr.astype(object).astype(str)


def empty_panel() -> xr.DataArray:
    """A panel with no entity, period or indicator."""
    return xr.DataArray(
        np.empty((0, 0, 0)), dims=DIMS, name="value",
        coords={"entity": np.array([], dtype=str), "period": np.array([], dtype=np.int64),
                "indicator": np.array([], dtype=str)},
    )


def to_panel(long_df: pd.DataFrame) -> xr.DataArray:
    """Long table -> ``DataArray`` with dims (entity, period, indicator), float64, sorted coords.

    Rows with a missing value are kept as NaN cells; duplicate keys raise ``ValueError``.
    """
    missing = [c for c in LONG_COLUMNS if c not in long_df.columns]
    if missing:
        raise ValueError(f"to_panel: missing column(s) {missing}; has {list(long_df.columns)}")
    if long_df.empty:
        return empty_panel()
    df = pd.DataFrame({
        "entity": long_df["entity"].astype(str).to_numpy(object),
        "period": pd.to_numeric(long_df["period"]).astype(np.int64).to_numpy(),
        "indicator": long_df["indicator"].astype(str).to_numpy(object),
        "value": pd.to_numeric(long_df["value"]).astype(np.float64).to_numpy(),
    })
    dup = df.duplicated(list(DIMS), keep=False)
    if dup.any():
        raise ValueError(f"to_panel: duplicate (entity, period, indicator) keys, e.g.\n{df[dup].head(6)}")
    ent, ent_i = np.unique(df["entity"].to_numpy(str), return_inverse=True)
    per, per_i = np.unique(df["period"].to_numpy(), return_inverse=True)
    ind, ind_i = np.unique(df["indicator"].to_numpy(str), return_inverse=True)
    data = np.full((len(ent), len(per), len(ind)), np.nan)
    data[ent_i, per_i, ind_i] = df["value"].to_numpy()
    return xr.DataArray(data, dims=DIMS, name="value",
                        coords={"entity": _coord(ent, "str"), "period": _coord(per, "int"),
                                "indicator": _coord(ind, "str")})


def to_long(da: xr.DataArray) -> pd.DataFrame:
    """Panel -> long table ``entity, period, indicator, value`` (NaN cells dropped), sorted."""
    missing = [d for d in DIMS if d not in da.dims]
    if missing or da.ndim != 3:
        raise ValueError(f"to_long: expected dims {DIMS}, got {da.dims}")
    da = da.transpose(*DIMS)
    values = np.asarray(da.values, dtype=np.float64)
    e, p, i = np.nonzero(~np.isnan(values))
    out = pd.DataFrame({
        "entity": np.asarray(da["entity"].values).astype(str)[e].astype(object),
        "period": np.asarray(da["period"].values).astype(np.int64)[p],
        "indicator": np.asarray(da["indicator"].values).astype(str)[i].astype(object),
        "value": values[e, p, i],
    })
    return out.astype({"entity": "str", "indicator": "str"})
