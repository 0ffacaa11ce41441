"""Run a recipe on a panel: every step in order, keeping every intermediate panel and report.

References
----------
OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, the ten-step checklist.
COINr: ``new_coin()`` then ``Denominate()``, ``Impute()``, ``Treat()``, ``Normalise()``,
``Aggregate()`` (https://bluefoxr.github.io/COINr/).
"""
from __future__ import annotations

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
from holisec.pipeline.steps.treat import treat
from holisec.pipeline.steps.weight import weight
from holisec.pipeline.steps.weight import NEEDS_SCORES

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


def build(
    recipe: Recipe | dict | str | Path,
    data: xr.DataArray,
    framework: Framework | str | Path,
    *,
    entity_groups: pd.DataFrame | None = None,
    vintage: str = "",
) -> Result:
    """Build the index: run ``recipe`` on ``data`` with ``framework``.

    Parameters
    ----------
    recipe
        A :class:`Recipe`, its dict form, a recipe file, or a built-in recipe name.
    data
        Panel ``(entity, period, indicator)``; may hold extra codes such as denominators.
    framework
        A :class:`~holisec.framework.Framework` or anything ``load_framework`` accepts.
    entity_groups
        Table indexed by entity with one column per attribute (``region``, ``income`` ...);
        a step parameter ``by: region`` selects a column.
    vintage
        Label of the data vintage, carried into the saved outputs.

    Returns
    -------
    Result
    """
    recipe = _coerce_recipe(recipe)
    framework = load_framework(framework)
    raw = as_panel(data)
    datasets: dict[str, xr.DataArray] = {"raw": raw}
    reports: dict[str, list[pd.DataFrame]] = {k: [] for k in ("exclusions", "imputed")}
    panel, working, weights, scores = raw, framework, None, None
    restricted = False

    def store(name: str, array: xr.DataArray) -> None:
        key, n = name, 2
        while key in datasets:
            key, n = f"{name}_{n}", n + 1
        datasets[key] = array

    for index, step in enumerate(recipe.steps):
        try:
            params = dict(step.params)
            if step.step != "denominate" and not restricted:
                panel, working = _keep_indicators(panel, framework, reports)
                restricted = True
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
                    continue
            elif step.step == "treat":
                panel, report = treat(panel, step.method, **params)
            elif step.step == "normalise":
                panel, report = normalise(panel, step.method, framework=working, **params)
            elif step.step == "weight":
                if step.method in NEEDS_SCORES:
                    agg = next(s for s in recipe.steps if s.step == "aggregate")
                    params["scores"], _ = aggregate(panel, agg.method, framework=working, weights=weights, **agg.params)
                weights, report = weight(working, step.method, **params)
            else:  # aggregate
                if weights is None:  # no weight step: the framework's weights
                    weights, report = weight(working, "framework")
                    reports.setdefault("weights", []).append(report)
                scores, report = aggregate(panel, step.method, framework=working, weights=weights, **params)
            if step.step in DATASET:
                store(DATASET[step.step], panel)
            reports.setdefault(REPORT.get(step.step, step.step), []).append(report)
        except PipelineError as err:
            if str(err).startswith("recipe "):
                raise
            raise PipelineError(f"recipe {recipe.name!r} steps[{index}] ({step.step} {step.method}): {err}") from None

    merged = {k: _concat(v) for k, v in reports.items()}
    scores = _from_start(scores, score_starts(merged["exclusions"]))
    scores.attrs["polarity"] = framework.polarity
    return Result(
        datasets=datasets, scores=scores, weights=weights, framework=framework, recipe=recipe,
        vintage=vintage, version=holisec.__version__, reports=merged, entity_groups=entity_groups,
    )
