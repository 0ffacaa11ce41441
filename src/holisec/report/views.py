"""Views shown by the pages and reports beside the index: stored uncertainty runs and the
holistic relations (balances, coordination, obstacles).

Each ``*_view`` returns ``{"available": bool, "message": str, ...}``: where there is nothing to
show (no stored uncertainty run for the build, a year the run does not cover) the page or
report says so and how to make it, instead of an empty chart.
"""
from __future__ import annotations

#: how to store an uncertainty run of the default build (the CLI; analysts can also start one as a job)
UNCERTAINTY_COMMAND = "holisec uncertainty --save --n 1000"


def uncertainty_command(recipe_name: str | None = None, year: int | None = None) -> str:
    cmd = UNCERTAINTY_COMMAND
    if recipe_name and recipe_name != "default":
        cmd += f" --recipe {recipe_name}"
    return cmd + (f" --period {year}" if year is not None else "")


def uncertainty_view(run, entity: str | None = None, year: int | None = None, *, recipe_name: str | None = None) -> dict:
    """Rank intervals and score bands of a stored uncertainty run
    (:class:`holisec.uncertainty.stored.StoredRun`, or None when the build has none) for ``year``
    (default: the run's latest period), of one ``entity`` or all.

    ``rows``: per entity nominal rank, median rank, 5-95% rank interval (``rank_q05``,
    ``rank_q95``; rank 1 = highest risk), P(top k), and the 5-95% band of the 0-100 index score;
    ``bands`` (with ``entity``): the same band of every domain score."""
    from holisec._json import json_ready

    if run is None:
        cmd = uncertainty_command(recipe_name, year)
        return {"available": False, "command": cmd,
                "message": f"no uncertainty run is stored for this build yet: `{cmd}` stores one "
                           "(or an analyst starts one as a job: POST /api/uncertainty)"}
    y = run.periods[-1] if year is None else int(year)
    info = {k: json_ready(run.meta[k]) for k in ("n", "seed", "spec_name", "spec_hash", "created_at", "created_by",
                                                  "top_k", "vintage", "recipe_name")}
    info.update(run_id=run.run_id, periods=run.periods)
    if y not in run.periods:
        cmd = uncertainty_command(recipe_name, y)
        return {"available": False, "command": cmd, "run": info,
                "message": f"the latest stored uncertainty run ({run.run_id}) covers {run.periods}, not {y}: "
                           f"`{cmd}` stores one for {y}"}
    ranks = run.ranks[run.ranks["period"] == y]
    bands = None
    if entity is not None:
        ranks = ranks[ranks["entity"] == entity]
        if ranks.empty:
            return {"available": False, "run": info, "command": uncertainty_command(recipe_name, y),
                    "message": f"{entity} has no rank in the stored uncertainty run ({run.run_id}) for {y}"}
        sc = run.scores
        bands = json_ready(sc[(sc["period"] == y) & (sc["entity"] == entity)].drop(columns=["entity"]))
    out = {"available": True, "message": run.describe(), "run": info, "year": y,
           "rows": json_ready(ranks.drop(columns=["period"]))}
    if bands is not None:
        out["bands"] = bands
    return out


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


_MEMO: list[tuple] = []  # (result, view, output): outputs that cover every entity; computed once per build


def _memo(result, view, compute, keep: int = 6, memo: list | None = None):
    """``compute()`` once per build object and ``view`` key (the newest ``keep`` kept in ``memo``)."""
    memo = _MEMO if memo is None else memo
    for res, v, out in memo:
        if res is result and v == view:
            return out
    out = compute()
    memo.append((result, view, out))
    del memo[:-keep]
    return out


def _holistic_fn(submodule: str, fn_name: str):
    import importlib

    return getattr(importlib.import_module(f"holisec.holistic.{submodule}"), fn_name)


def holistic_view(result, entity: str, what: str, view: str, year: int | None = None) -> dict:
    """Balances / coordination / obstacles of one entity from ``holisec.holistic``: rows of
    ``year`` (balances, obstacles: the top ones) or up to ``year`` (coordination)."""
    submodule, fn_name, keep, rows, sort = HOLISTIC[view]
    fn = _holistic_fn(submodule, fn_name)
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
