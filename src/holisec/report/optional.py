"""Views of modules that may not be installed yet (uncertainty, holistic relations).

Each ``*_view`` returns ``{"available": bool, "message": str, ...}``: the page or report shows
the message ("not yet available ...") instead of an empty chart until the module imports.
"""
from __future__ import annotations

import importlib

NOT_YET = "not yet available: the {what} module (holisec.{module}) is not part of this installation yet"


def module(name: str):
    """``holisec.<name>`` or None if it does not import."""
    try:
        return importlib.import_module(f"holisec.{name}")
    except ImportError:
        return None


def unavailable(what: str, name: str) -> dict:
    return {"available": False, "message": NOT_YET.format(what=what, module=name)}


def uncertainty_view(result, entity: str | None = None) -> dict:
    """Rank intervals / score bands from holisec.uncertainty when it provides ``rank_intervals``."""
    mod = module("uncertainty")
    fn = getattr(mod, "rank_intervals", None) if mod else None
    if fn is None:
        return unavailable("uncertainty analysis", "uncertainty")
    try:  # pragma: no cover - depends on the uncertainty module's API
        table = fn(result)
    except Exception as err:  # noqa: BLE001 - the view says why it is missing
        return {"available": False, "message": f"uncertainty analysis failed: {err}"}
    from holisec._json import json_ready  # pragma: no cover

    if entity is not None and "entity" in getattr(table, "columns", []):  # pragma: no cover
        table = table[table["entity"] == entity]
    return {"available": True, "message": "", "table": json_ready(table)}  # pragma: no cover


def _rows_of(out, entity: str, max_rows: int = 40) -> list[dict]:
    """An entity's rows of a DataFrame / xarray Dataset / DataArray (latest periods first)."""
    import pandas as pd
    import xarray as xr

    from holisec._json import json_ready

    if isinstance(out, (xr.Dataset, xr.DataArray)):
        if "entity" in out.dims:
            out = out.sel(entity=entity)
        out = (out.to_dataframe() if isinstance(out, xr.Dataset) else out.to_dataframe(name=out.name or "value"))
        out = out.reset_index()
    if not isinstance(out, pd.DataFrame):
        raise TypeError(f"expected a table, got {type(out).__name__}")
    if "entity" in out.columns:
        out = out[out["entity"] == entity]
    if "period" in out.columns:
        out = out.sort_values("period", ascending=False, kind="stable")
    return json_ready(out.head(max_rows))


#: view -> (holisec.holistic submodule, function, variables shown, rows, sort by): the holistic
#: module's outputs (see docs/holistic.md); each is an xarray Dataset with an ``entity`` dim
HOLISTIC = {
    "balances": ("balances", "balances", ["first", "second", "diff", "log_ratio", "measurable"], 5, None),
    "coordination": ("coordination", "coordination", ["C", "T", "D", "grade", "lagging", "measurable"], 8, None),
    "obstacles": ("obstacles", "obstacle_degree", ["obstacle"], 5, "obstacle"),
}


_MEMO: list[tuple] = []  # (result, view, output): the holistic outputs cover every entity; compute once per build


def _memo(result, view: str, compute):
    for res, v, out in _MEMO:
        if res is result and v == view:
            return out
    out = compute()
    _MEMO.append((result, view, out))
    del _MEMO[:-6]
    return out


def _holistic_fn(submodule: str, fn_name: str):
    for name in (f"holistic.{submodule}", "holistic"):
        mod = module(name)
        fn = getattr(mod, fn_name, None) if mod else None
        if fn is not None:
            return fn
    return None


def holistic_view(result, entity: str, what: str, view: str, year: int | None = None) -> dict:
    """Balances / coordination / obstacles of one entity from ``holisec.holistic`` when it imports:
    rows of ``year`` (balances, obstacles: the top ones) or up to ``year`` (coordination)."""
    submodule, fn_name, keep, rows, sort = HOLISTIC[view]
    fn = _holistic_fn(submodule, fn_name)
    if fn is None:
        return unavailable(what, "holistic")
    try:
        out = _memo(result, view, lambda: fn(result))
        if hasattr(out, "data_vars"):
            out = out[[v for v in keep if v in out.data_vars]]
        if year is not None and "period" in getattr(out, "dims", {}):
            out = out.sel(period=[year] if view != "coordination" else out["period"].values[out["period"].values <= year])
        root = getattr(getattr(result, "framework", None), "root", None)
        table = [{k: v for k, v in r.items() if k != "entity"} for r in _rows_of(out, entity, max_rows=10_000)
                 if r.get("code") != root or root is None]
        if sort:
            table = sorted(table, key=lambda r: -(r.get(sort) or 0))
        table = table[:rows]
    except Exception as err:  # noqa: BLE001 - the view says why it is missing instead of a wrong chart
        return {"available": False, "message": f"{what} could not be computed: {err}"}
    return {"available": True, "message": "", "table": table}
