"""Small helpers shared by the pipeline steps: panel checks, reductions, reports."""
from __future__ import annotations

import re
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
    """Check and return ``data`` as a float64 panel with dims ``(..., entity, period, indicator)``.

    Extra dims (e.g. ``replication`` in a Monte Carlo run) come first and broadcast through
    every step: each slice along them is an independent panel.
    """
    if not isinstance(data, xr.DataArray):
        raise PipelineError(f"expected an xarray.DataArray panel, got {type(data).__name__}")
    if not set(PANEL_DIMS) <= set(data.dims):
        raise PipelineError(f"panel dims must be {PANEL_DIMS} (plus optional extra dims first), got {data.dims}")
    for dim in PANEL_DIMS:
        index = data.indexes.get(dim)
        if index is None:
            raise PipelineError(f"panel lacks coordinate labels for dim {dim!r}")
        if index.has_duplicates:
            dup = sorted(map(str, index[index.duplicated()].unique()))
            raise PipelineError(f"duplicate {dim} code(s) in panel: {dup}")
    return data.transpose(..., *PANEL_DIMS).astype("float64")


def extra_dims(data: xr.DataArray) -> tuple[str, ...]:
    """The dims of a panel besides ``(entity, period, indicator)``, in order (they come first)."""
    return tuple(d for d in data.dims if d not in PANEL_DIMS)


def reduce_dims(scope: Scope) -> tuple[str, ...]:
    """Dims a statistic is computed over: all entity-periods (``panel``) or entities only (``period``)."""
    if scope == "panel":
        return ("entity", "period")
    if scope == "period":
        return ("entity",)
    raise PipelineError(f"scope must be 'panel' or 'period', got {scope!r}")


def to_columns(values: np.ndarray, scope: Scope) -> tuple[np.ndarray, tuple[int, ...]]:
    """Reshape an ``(..., E, P, I)`` array into ``(samples, columns)`` for column-wise statistics.

    ``panel``: samples are entity-periods, one column per (extra..., indicator). ``period``:
    samples are entities, one column per (period, extra..., indicator). Extra leading dims
    (``replication``) thus become more columns. Returns the matrix and the original shape.
    """
    reduce_dims(scope)
    *extra, n_e, n_p, n_i = values.shape
    k = len(extra)
    moved = np.moveaxis(values, (k, k + 1), (0, 1)) if k else values  # (E, P, ..., I)
    rows = n_e * n_p if scope == "panel" else n_e
    return moved.reshape(rows, -1), values.shape


def from_columns(matrix: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Inverse of :func:`to_columns`."""
    *extra, n_e, n_p, n_i = shape
    k = len(extra)
    cube = matrix.reshape((n_e, n_p, *extra, n_i))
    return np.moveaxis(cube, (0, 1), (k, k + 1)) if k else cube


def column_labels(data: xr.DataArray, scope: Scope) -> dict[str, np.ndarray]:
    """Label of each column of :func:`to_columns` per dim (``period`` only with ``scope="period"``)."""
    dims = (("period",) if scope == "period" else ()) + extra_dims(data) + ("indicator",)
    grids = np.meshgrid(*[np.arange(data.sizes[d]) for d in dims], indexing="ij")
    return {d: _labels(data, d)[g.ravel()] for d, g in zip(dims, grids)}


def _labels(data: xr.DataArray, dim: str) -> np.ndarray:
    return data[dim].values if dim in data.coords else np.arange(data.sizes[dim])


def point_report(before: xr.DataArray, after: xr.DataArray, mask: np.ndarray, method: str | np.ndarray) -> pd.DataFrame:
    """Long table of the cells selected by ``mask`` with their value before and after a step
    (extra dims such as ``replication`` get a column each, first)."""
    where = np.nonzero(mask)
    methods = np.asarray(method)[where] if np.ndim(method) else np.full(len(where[0]), method, dtype=object)
    extras = extra_dims(before)
    table = {d: _labels(before, d)[i] for d, i in zip(before.dims, where)}
    table.update({"method": methods.astype(object), "before": before.values[where], "after": after.values[where]})
    return pd.DataFrame(table, columns=[*extras, *POINT_COLUMNS])


def parse_memory(budget: str | int | float) -> int:
    """``"2GB"``, ``"500MB"``, ``"1.5G"`` or a number of bytes -> bytes."""
    if isinstance(budget, (int, float)):
        return int(budget)
    m = re.fullmatch(r"\s*([0-9.]+)\s*([kKmMgGtT]?)i?[bB]?\s*", str(budget))
    if not m:
        raise PipelineError(f"--memory {budget!r}: give a size such as 500MB or 2GB")
    scale = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}[m.group(2).lower()]
    return int(float(m.group(1)) * scale)
