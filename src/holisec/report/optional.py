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


def holistic_view(result, entity: str, what: str, fn_name: str) -> dict:
    """Balances / coordination of one entity from ``holisec.holistic.<fn_name>(result)`` when that
    module imports (a DataFrame with an ``entity`` column, or an xarray object with an ``entity`` dim)."""
    mod = module("holistic")
    fn = getattr(mod, fn_name, None) if mod else None
    if fn is None:
        return unavailable(what, "holistic")
    try:
        rows = _rows_of(fn(result), entity)
    except Exception as err:  # noqa: BLE001 - the view says why it is missing instead of a wrong chart
        return {"available": False, "message": f"{what} could not be computed: {err}"}
    return {"available": True, "message": "", "table": rows}
