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


def holistic_view(result, entity: str, what: str, fn_name: str) -> dict:
    """Balances / coordination / linkage of one entity from holisec.holistic when present."""
    mod = module("holistic")
    fn = getattr(mod, fn_name, None) if mod else None
    if fn is None:
        return unavailable(what, "holistic")
    try:  # pragma: no cover - depends on the holistic module's API
        from holisec._json import json_ready

        out = fn(result)
        if hasattr(out, "columns") and "entity" in out.columns:
            out = out[out["entity"] == entity]
        return {"available": True, "message": "", "table": json_ready(out)}
    except Exception as err:  # noqa: BLE001  # pragma: no cover
        return {"available": False, "message": f"{what} failed: {err}"}
