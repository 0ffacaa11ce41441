"""Run a recipe on a panel: every step in order, keeping every intermediate panel and report.

References
----------
OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, the ten-step checklist.
COINr: ``new_coin()`` then ``Denominate()``, ``Impute()``, ``Treat()``, ``Normalise()``,
``Aggregate()`` (https://bluefoxr.github.io/COINr/).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

import holisec
from holisec.framework import Framework, load_framework
from holisec.pipeline._panel import PipelineError, as_panel
from holisec.pipeline.recipe import Recipe
from holisec.pipeline.result import Result
from holisec.pipeline.steps.aggregate import aggregate
from holisec.pipeline.steps.denominate import denominate
from holisec.pipeline.steps.impute import impute, score_starts
from holisec.pipeline.steps.normalise import normalise
from holisec.pipeline.steps.treat import jrc_limits, treat
from holisec.pipeline.steps.weight import weight
from holisec.pipeline.steps.weight import NEEDS_SCORES, within_parent_array

#: Name of the intermediate dataset each step produces.
DATASET = {"denominate": "denominated", "impute": "imputed", "treat": "treated", "normalise": "normalised"}
#: Name of the report each step contributes to.
REPORT = {
    "denominate": "denominated", "impute": "imputed", "treat": "treated", "normalise": "normalisation",
    "weight": "weights", "aggregate": "aggregation",
}


def _coerce_recipe(recipe: Recipe | dict | str | Path) -> Recipe:
    if isinstance(recipe, Recipe):
        return recipe
    if isinstance(recipe, dict):
        return Recipe.from_dict(recipe)
    path = Path(str(recipe))
    return Recipe.load(path) if path.suffix else Recipe.builtin(str(recipe))


def _resolve_groups(params: dict, entity_groups: pd.DataFrame | None, index: int) -> dict:
    if "by" not in params:
        return params
    column = params["by"]
    if entity_groups is None or column not in entity_groups.columns:
        have = [] if entity_groups is None else list(entity_groups.columns)
        raise PipelineError(
            f"recipe steps[{index}] needs entity group {column!r}: pass entity_groups with that column "
            f"(have {have})"
        )
    return {**params, "by": entity_groups[column]}


def _keep_indicators(panel: xr.DataArray, framework: Framework, reports: dict[str, list]) -> tuple:
    """Restrict panel and framework to the framework indicators that are in the panel."""
    have = set(panel["indicator"].values)
    absent = [c for c in framework.indicator_ids if c not in have]
    if absent:
        reports["exclusions"].append(pd.DataFrame(
            {"code": absent, "kind": "indicator", "share": 0.0, "threshold": float("nan"), "reason": "not in data"}
        ))
    keep = [c for c in framework.indicator_ids if c in have]
    if not keep:
        raise PipelineError(f"none of framework {framework.id!r}'s indicators are in the data")
    working = framework if not absent else framework.with_indicators(keep)
    return panel.sel(indicator=keep), working


def _from_start(scores: xr.DataArray, starts: pd.Series) -> xr.DataArray:
    """Scores of each entity from its first scored period on (screen ``min_start_share``)."""
    if not len(starts):
        return scores
    first = starts.reindex(scores["entity"].values).astype("float64").fillna(-np.inf).to_numpy()
    keep = scores["period"] >= xr.DataArray(first, dims="entity", coords={"entity": scores["entity"]})
    return scores.where(keep)


def _concat(tables: list[pd.DataFrame]) -> pd.DataFrame:
    filled = [t for t in tables if len(t)]
    if not filled:
        return tables[0] if tables else pd.DataFrame()
    return pd.concat(filled, ignore_index=True)


#: Step kinds whose outputs a build may cache for the next build on the same data (``cache=``).
CACHEABLE = {"denominate", "impute", "treat", "normalise"}


def _prefix_key(recipe: Recipe, index: int) -> str:
    return json.dumps(recipe.canonical()["steps"][: index + 1], sort_keys=True)


def build(
    recipe: Recipe | dict | str | Path,
    data: xr.DataArray,
    framework: Framework | str | Path,
    *,
    entity_groups: pd.DataFrame | None = None,
    vintage: str = "",
    weights: xr.DataArray | None = None,
    periods: list | None = None,
    cache: dict | None = None,
) -> Result:
    """Build the index: run ``recipe`` on ``data`` with ``framework``.

    Parameters
    ----------
    recipe
        A :class:`Recipe`, its dict form, a recipe file, or a built-in recipe name.
    data
        Panel ``(entity, period, indicator)``; may hold extra codes such as denominators, and
        extra leading dims (``replication``) that broadcast through every step.
    framework
        A :class:`~holisec.framework.Framework` or anything ``load_framework`` accepts.
    entity_groups
        Table indexed by entity with one column per attribute (``region``, ``income`` ...);
        a step parameter ``by: region`` selects a column.
    vintage
        Label of the data vintage, carried into the saved outputs.
    weights
        Raw weights ``(..., code)`` used instead of the recipe's ``framework``/``equal`` weight
        step, one weight set per index of the extra dims (Monte Carlo replications), normalised
        within each parent; codes not given keep the framework's weight.
    periods
        Aggregate only these periods (the scores of the others are left out); equal to the
        full build's scores there, since aggregation works entity-period by entity-period.
    cache
        A dict shared by builds on the same ``data``: the outputs of the data steps
        (denominate, impute, treat, normalise) are kept under their recipe prefix and reused.

    Returns
    -------
    Result
    """
    recipe = _coerce_recipe(recipe)
    framework = load_framework(framework)
    raw = as_panel(data)
    state = {"panel": raw, "working": framework, "restricted": False, "datasets": {"raw": raw},
             "reports": {k: [] for k in ("exclusions", "imputed")}}
    weights_used, scores = None, None

    def store(name: str, array: xr.DataArray) -> None:
        datasets = state["datasets"]
        key, n = name, 2
        while key in datasets:
            key, n = f"{name}_{n}", n + 1
        datasets[key] = array

    for index, step in enumerate(recipe.steps):
        key = _prefix_key(recipe, index) if cache is not None and step.step in CACHEABLE else None
        if key is not None and key in cache:
            state = _restore(cache[key])
            continue
        try:
            params = dict(step.params)
            if step.step != "denominate" and not state["restricted"]:
                state["panel"], state["working"] = _keep_indicators(state["panel"], framework, state["reports"])
                state["restricted"] = True
            panel, working, reports = state["panel"], state["working"], state["reports"]
            report, screened = None, False
            if step.step == "denominate":
                panel, report = denominate(panel, step.method, framework=framework, **params)
            elif step.step == "impute":
                panel, report = impute(panel, step.method, **_resolve_groups(params, entity_groups, index))
                if step.method == "screen":
                    report = report.assign(reason="screen")
                    reports["exclusions"].append(report)
                    dropped = set(report.loc[report["kind"] == "indicator", "code"])
                    if dropped:
                        working = working.with_indicators([c for c in working.indicator_ids if c not in dropped])
                    if 0 in (panel.sizes["entity"], panel.sizes["indicator"]):
                        kinds = report["kind"].value_counts().to_dict()
                        raise PipelineError(
                            f"recipe steps[{index}] (impute screen {params}) left no data: dropped "
                            f"{kinds.get('indicator', 0)} indicator(s) and {kinds.get('entity', 0)} entity(ies) of "
                            f"{raw.sizes['entity']} x {raw.sizes['period']} x {raw.sizes['indicator']}; lower the thresholds"
                        )
                    store("screened", panel)
                    report, screened = None, True
            elif step.step == "treat":
                limits = _sibling_limits(cache, step)
                if limits:  # the other winsorisation limits wanted later come from the same pass
                    variants = jrc_limits(panel, limits, **{k: v for k, v in params.items() if k != "winmax"})
                    for limit, (other, other_report) in variants.items():
                        if limit != params["winmax"]:
                            _cache_sibling(cache, recipe, index, limit, state, other, other_report)
                    panel, report = variants[params["winmax"]]
                else:
                    panel, report = treat(panel, step.method, **params)
            elif step.step == "normalise":
                panel, report = normalise(panel, step.method, framework=working, **params)
            elif step.step == "weight":
                if weights is not None:
                    weights_used, report = _override(weights, working, step.method, index)
                else:
                    if step.method in NEEDS_SCORES:
                        agg = next(s for s in recipe.steps if s.step == "aggregate")
                        params["scores"], _ = aggregate(panel, agg.method, framework=working, weights=weights_used,
                                                        **agg.params)
                    weights_used, report = weight(working, step.method, **params)
            else:  # aggregate
                if weights_used is None:
                    if weights is not None:
                        weights_used, wreport = _override(weights, working, "framework", index)
                    else:
                        weights_used, wreport = weight(working, "framework")
                    reports.setdefault("weights", []).append(wreport)
                scores, report = aggregate(_aggregated_periods(panel, periods, step, index), step.method,
                                           framework=working, weights=weights_used, **params)
            state["panel"], state["working"] = panel, working
            if step.step in DATASET and not screened:
                store(DATASET[step.step], panel)
            if report is not None:
                reports.setdefault(REPORT.get(step.step, step.step), []).append(report)
            if key is not None:
                cache[key] = _snapshot(state)
        except PipelineError as err:
            if str(err).startswith("recipe "):
                raise
            raise PipelineError(f"recipe {recipe.name!r} steps[{index}] ({step.step} {step.method}): {err}") from None

    merged = {k: _concat(v) for k, v in state["reports"].items()}
    scores = _from_start(scores, score_starts(merged["exclusions"]))
    scores.attrs["polarity"] = framework.polarity
    if isinstance(weights_used, xr.DataArray) and weights_used.ndim == 1:
        weights_used = weights_used.to_series()
    return Result(
        datasets=state["datasets"], scores=scores, weights=weights_used, framework=framework, recipe=recipe,
        vintage=vintage, version=holisec.__version__, reports=merged, entity_groups=entity_groups,
    )


#: Key of ``cache`` under which a caller lists the JRC ``winmax`` limits its later builds will
#: ask for (a Monte Carlo over the winsorisation limit): the first build treats once for all.
TREAT_LIMITS = "treat_winmax"
#: Key of ``cache`` mapping each sibling entry (another limit) to the prefix it branches from.
SIBLINGS = "siblings"


def _sibling_limits(cache: dict | None, step) -> list[int]:
    if cache is None or step.method != "jrc" or "winmax" not in step.params:
        return []
    limits = sorted(set(cache.get(TREAT_LIMITS, ())) | {int(step.params["winmax"])})
    return limits if len(limits) > 1 else []


def _cache_sibling(cache: dict, recipe: Recipe, index: int, limit: int, state: dict, panel, report) -> None:
    """Cache the build state after treat step ``index`` run with ``winmax=limit`` instead (the
    state a build of that recipe would reach: same datasets and reports up to that step)."""
    steps = recipe.canonical()["steps"][: index + 1]
    steps[-1] = {**steps[-1], "params": {**steps[-1]["params"], "winmax": limit}}
    key = json.dumps(steps, sort_keys=True)
    if key in cache:
        return
    sibling = _snapshot(state)
    sibling["panel"] = panel
    datasets = sibling["datasets"]
    name, n = DATASET["treat"], 2
    while name in datasets:
        name, n = f"{DATASET['treat']}_{n}", n + 1
    datasets[name] = panel
    sibling["reports"].setdefault(REPORT["treat"], []).append(report)
    cache[key] = sibling
    cache.setdefault(SIBLINGS, {})[key] = json.dumps(steps[:-1], sort_keys=True)


def _snapshot(state: dict) -> dict:
    """A copy of the build state that later steps cannot alter (arrays are never mutated)."""
    return {**state, "datasets": dict(state["datasets"]),
            "reports": {k: list(v) for k, v in state["reports"].items()}}


_restore = _snapshot


def _override(weights: xr.DataArray, working: Framework, method: str, index: int):
    """Weight sets given to :func:`build` in place of the recipe's weight step."""
    if method not in ("framework", "equal"):
        raise PipelineError(f"recipe steps[{index}]: weights can be given in place of the 'framework' or "
                            f"'equal' weight step only, not {method!r}")
    codes = list(working.tree.index)
    base = working.tree["weight"].astype(float) if method == "framework" else pd.Series(1.0, index=codes)
    given = weights.reindex(code=codes)
    full = given.fillna(xr.DataArray(base.to_numpy(), dims="code", coords={"code": codes}))
    out = within_parent_array(full, working)
    report = pd.DataFrame({"code": codes, "parent": working.tree["parent"].values, "method": "given",
                           "weight": out.mean([d for d in out.dims if d != "code"]).values if out.ndim > 1 else out.values,
                           "statistic": np.nan, "target": np.nan})
    return out, report


def _aggregated_periods(panel: xr.DataArray, periods, step, index: int) -> xr.DataArray:
    if periods is None:
        return panel
    if step.method == "mpi" and step.params.get("scope", "period") == "panel":
        raise PipelineError(f"recipe steps[{index}] (aggregate mpi, scope panel) standardises over all periods; "
                            "it cannot aggregate a subset of periods")
    missing = [p for p in periods if p not in panel["period"].values]
    if missing:
        raise PipelineError(f"periods {missing} are not in the panel ({panel['period'].values.min()}-"
                            f"{panel['period'].values.max()})")
    return panel.sel(period=list(periods))
