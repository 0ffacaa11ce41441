"""Small helpers shared by the pipeline steps: panel checks, reductions, reports."""
from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import xarray as xr

PANEL_DIMS = ("entity", "period", "indicator")
Scope = Literal["panel", "period"]

#: Columns of the point-level reports (imputed and treated points).
POINT_COLUMNS = ["entity", "period", "indicator", "method", "before", "after"]


class PipelineError(ValueError):
    """A step cannot run on the data or parameters it was given; the message says why."""


def as_panel(data: xr.DataArray) -> xr.DataArray:
    """Check and return ``data`` as a float64 panel with dims ``(entity, period, indicator)``."""
    if not isinstance(data, xr.DataArray):
        raise PipelineError(f"expected an xarray.DataArray panel, got {type(data).__name__}")
    if set(data.dims) != set(PANEL_DIMS):
        raise PipelineError(f"panel dims must be {PANEL_DIMS}, got {data.dims}")
    for dim in PANEL_DIMS:
        index = data.indexes.get(dim)
        if index is None:
            raise PipelineError(f"panel lacks coordinate labels for dim {dim!r}")
        if index.has_duplicates:
            dup = sorted(map(str, index[index.duplicated()].unique()))
            raise PipelineError(f"duplicate {dim} code(s) in panel: {dup}")
    return data.transpose(*PANEL_DIMS).astype("float64")


def reduce_dims(scope: Scope) -> tuple[str, ...]:
    """Dims a statistic is computed over: all entity-periods (``panel``) or entities only (``period``)."""
    if scope == "panel":
        return ("entity", "period")
    if scope == "period":
        return ("entity",)
    raise PipelineError(f"scope must be 'panel' or 'period', got {scope!r}")


def to_columns(values: np.ndarray, scope: Scope) -> tuple[np.ndarray, tuple[int, ...]]:
    """Reshape an ``(E, P, I)`` array into ``(samples, columns)`` for column-wise statistics.

    ``panel``: samples are entity-periods, one column per indicator. ``period``: samples are
    entities, one column per (period, indicator). Returns the matrix and the original shape.
    """
    n_e, n_p, n_i = values.shape
    if scope == "panel":
        return values.reshape(n_e * n_p, n_i), values.shape
    reduce_dims(scope)
    return values.reshape(n_e, n_p * n_i), values.shape


def from_columns(matrix: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Inverse of :func:`to_columns` (both layouts are plain C-order reshapes)."""
    return matrix.reshape(shape)


def point_report(before: xr.DataArray, after: xr.DataArray, mask: np.ndarray, method: str | np.ndarray) -> pd.DataFrame:
    """Long table of the cells selected by ``mask`` with their value before and after a step."""
    e, p, i = np.nonzero(mask)
    methods = np.asarray(method)[e, p, i] if np.ndim(method) else np.full(len(e), method, dtype=object)
    return pd.DataFrame({
        "entity": before["entity"].values[e],
        "period": before["period"].values[p],
        "indicator": before["indicator"].values[i],
        "method": methods.astype(object),
        "before": before.values[e, p, i],
        "after": after.values[e, p, i],
    }, columns=POINT_COLUMNS)
