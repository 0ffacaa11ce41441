"""What-if scenarios: change indicator values, weights or recipe choices and recompute.

A scenario is a YAML file (validated like a recipe; unknown keys, entities, indicators,
domains or codes are errors naming the key path)::

    name: fiscal squeeze in Nigeria
    years: [2019]                 # years reported (default: the latest well-observed year)
    entities: [NGA]               # entities reported (default: those changed, else all)
    changes:                      # on the raw data, before imputation and normalisation
      - indicator: gov_debt
        entities: [NGA]           # default: every entity
        years: [2018, 2019]       # default: every year
        pct: 25                   # or  add: 10  (absolute)  or  set: 80  (absolute)
    weights: {economic: 2}        # raw weights of codes within their parent
    recipe:                       # replace a step's method and/or parameters (Recipe.replace)
      - step: aggregate
        method: gmean

The scenario is rebuilt from the same raw data with the same recipe apart from its changes,
then compared with the baseline: every domain, the index and the rank (1 = highest risk) per
entity and year, and the alerts whose level changes (green/amber/red, convergent rule, shipped
thresholds; without trend-break triggers).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from holisec._validation import read_mapping_file, validated
from holisec.holistic._common import HolisticError, domains


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Change(_Model):
    """One change of raw indicator values: exactly one of ``set``, ``add``, ``pct``."""

    indicator: str
    entities: list[str] | None = None
    years: list[int] | None = None
    set: float | None = None
    add: float | None = None
    pct: float | None = None

    @model_validator(mode="after")
    def _one_operation(self) -> Change:
        given = [k for k in ("set", "add", "pct") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of set, add, pct (got {given or 'none'})")
        return self


class RecipeChange(_Model):
    step: str
    method: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)


class Scenario(_Model):
    name: str
    description: str = ""
    years: list[int] | None = None
    entities: list[str] | None = None
    changes: list[Change] = Field(default_factory=list)
    weights: dict[str, float] = Field(default_factory=dict)
    recipe: list[RecipeChange] = Field(default_factory=list)

    @model_validator(mode="after")
    def _something(self) -> Scenario:
        if not (self.changes or self.weights or self.recipe):
            raise ValueError("a scenario needs at least one of changes, weights, recipe")
        return self

    @classmethod
    def from_dict(cls, raw: Any, origin: str = "<dict>") -> Scenario:
        return validated(cls, raw, origin, "scenario", HolisticError)

    @classmethod
    def load(cls, path: str | Path) -> Scenario:
        return cls.from_dict(read_mapping_file(path, "scenario", HolisticError), str(path))

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(yaml.safe_dump(self.model_dump(exclude_none=True, exclude_defaults=True), sort_keys=False),
                        encoding="utf-8")
        return path


def _check_names(sc: Scenario, result, origin: str) -> None:
    """Every entity, indicator and code the scenario names must exist (key path in the error)."""
    raw = result.datasets["raw"]
    ents = set(map(str, raw["entity"].values))
    years = set(int(p) for p in raw["period"].values)
    fw = result.framework
    inds = set(fw.indicator_ids)
    codes = set(fw.tree.index)

    def fail(where: str, what: str, bad: list, hint: str) -> None:
        raise HolisticError(f"{origin}: {where}: unknown {what} {bad}; {hint}")

    for key, values in (("entities", sc.entities),):
        bad = [e for e in values or [] if e not in ents]
        if bad:
            fail(key, "entity", bad, "use ISO3 codes of entities in the data")
    bad = [y for y in sc.years or [] if y not in years]
    if bad:
        fail("years", "year", bad, f"the data cover {min(years)}-{max(years)}")
    for i, ch in enumerate(sc.changes):
        if ch.indicator not in inds:
            fail(f"changes[{i}].indicator", "indicator", [ch.indicator], f"framework {fw.id!r} has {sorted(inds)[:8]}...")
        bad = [e for e in ch.entities or [] if e not in ents]
        if bad:
            fail(f"changes[{i}].entities", "entity", bad, "use ISO3 codes of entities in the data")
        bad = [y for y in ch.years or [] if y not in years]
        if bad:
            fail(f"changes[{i}].years", "year", bad, f"the data cover {min(years)}-{max(years)}")
    bad = [c for c in sc.weights if c not in codes]
    if bad:
        fail("weights", "domain or indicator", bad, f"domains are {domains(result)}")
    steps = [s.step for s in result.recipe.steps]
    for i, rc in enumerate(sc.recipe):
        if steps.count(rc.step) != 1:
            raise HolisticError(f"{origin}: recipe[{i}].step: the recipe has {steps.count(rc.step)} {rc.step!r} "
                                f"steps (steps: {steps})")


def apply_changes(raw, changes: list[Change], origin: str = "<scenario>"):
    """The raw panel with the changes applied (a copy); a change that alters nothing is an error."""
    out = raw.copy()
    for i, ch in enumerate(changes):
        sel = {"indicator": ch.indicator}
        if ch.entities is not None:
            sel["entity"] = ch.entities
        if ch.years is not None:
            sel["period"] = ch.years
        cur = out.loc[sel]
        if ch.set is not None:
            new = cur.copy(data=np.full(cur.shape, ch.set))
        elif ch.add is not None:
            new = cur + ch.add
        else:
            new = cur * (1 + ch.pct / 100)
        touched = int(new.notnull().sum())
        if touched == 0:
            raise HolisticError(f"{origin}: changes[{i}]: {ch.indicator} has no observed value for the chosen "
                                "entities and years (add and pct change observed values; use set to add one)")
        out.loc[sel] = new
    return out


def _recipe(result, sc: Scenario):
    recipe = result.recipe
    for rc in sc.recipe:
        recipe = recipe.replace(rc.step, rc.method, **rc.params)
    if sc.weights:
        idx = next(i for i, s in enumerate(recipe.steps) if s.step == "weight") if any(
            s.step == "weight" for s in recipe.steps) else None
        if idx is None or recipe.steps[idx].method == "equal":
            # equal weights = 1 for every code the baseline scored (not those its screening dropped)
            scored = set(map(str, result.scores["code"].values))
            base = {c: 1.0 for c in result.framework.tree.index if c in scored}
            params = {"weights": {**base, **sc.weights}}
            if idx is None:
                raise HolisticError("scenario weights: the recipe has no weight step; add one (method framework)")
            recipe = recipe.replace(idx, "framework", **params)
        else:
            step = recipe.steps[idx]
            merged = {**step.params.get("weights", {}), **sc.weights}
            recipe = recipe.replace(idx, **{"weights": merged})
    return recipe


def run(result, scenario: Scenario | dict | str | Path, *, alerts: bool = True) -> dict[str, pd.DataFrame]:
    """Run a scenario against a built baseline; tables ``domains``, ``index``, ``alerts``, ``summary``."""
    origin = str(scenario) if isinstance(scenario, (str, Path)) else "<scenario>"
    sc = scenario if isinstance(scenario, Scenario) else (
        Scenario.from_dict(scenario, origin) if isinstance(scenario, dict) else Scenario.load(scenario))
    _check_names(sc, result, origin)
    raw = apply_changes(result.datasets["raw"], sc.changes, origin)
    from holisec.pipeline import build

    alt = build(_recipe(result, sc), raw, result.framework, entity_groups=result.entity_groups, vintage=result.vintage)
    from holisec.index import well_observed_periods

    years = sc.years or [max(well_observed_periods(result))]
    changed = sorted({e for ch in sc.changes for e in (ch.entities or [])})
    ents = sc.entities or changed or [str(e) for e in result.scores["entity"].values]
    codes = [*domains(result), result.root]

    def table(res):
        return res.scores.sel(code=codes, period=years).to_series().rename("score")

    before, after = table(result), table(alt)
    frame = pd.concat([before.rename("before"), after.rename("after")], axis=1)
    frame["change"] = frame["after"] - frame["before"]
    frame = frame.reset_index()
    ranks = []
    for res, name in ((result, "rank_before"), (alt, "rank_after")):
        s = res.scores.sel(code=result.root, period=years).to_series()
        ranks.append(s.groupby(level="period").rank(ascending=False, method="min").astype("Int64").rename(name))
    rank = pd.concat(ranks, axis=1).reset_index()
    index = frame[frame["code"] == result.root].drop(columns="code").merge(rank, on=["entity", "period"])
    index["rank_change"] = index["rank_after"] - index["rank_before"]
    keep = frame["entity"].isin(ents)
    out = {"domains": frame[keep & (frame["code"] != result.root)].reset_index(drop=True),
           "index": index[index["entity"].isin(ents)].reset_index(drop=True)}
    out["alerts"] = _alert_changes(result, alt, years, ents) if alerts else pd.DataFrame()
    out["summary"] = pd.DataFrame([{
        "scenario": sc.name, "years": ",".join(map(str, years)), "entities": len(ents),
        "changes": len(sc.changes), "recipe_hash_before": result.recipe.hash, "recipe_hash_after": alt.recipe.hash,
        "max_abs_index_change": float(np.nanmax(np.abs(out["index"]["change"]))) if len(out["index"]) else np.nan,
        "alerts_changed": len(out["alerts"]), "scale": "0-100, higher = more risk; rank 1 = highest risk"}])
    return out


def _alert_changes(base, alt, years, ents) -> pd.DataFrame:
    """Alerts whose level differs between baseline and scenario (level and change triggers with
    the shipped thresholds and peer groups; trend-break triggers are left out of both, since
    re-detecting breaks takes about a minute and the scenario changes chosen years only)."""
    from holisec.warning.alerts import alert_register, code_kinds

    cols = ["entity", "period", "code", "kind", "level"]
    kinds = code_kinds(base.framework)

    def register(res):
        scores = res.scores.sel(period=res.scores["period"] <= max(years))
        reg = alert_register(scores, None, year=list(years), kinds=kinds)
        return reg[reg["entity"].isin(ents)][cols]

    m = register(base).merge(register(alt), on=["entity", "period", "code", "kind"], how="outer",
                             suffixes=("_before", "_after"))
    m[["level_before", "level_after"]] = m[["level_before", "level_after"]].fillna("green")
    return m[m["level_before"] != m["level_after"]].sort_values(["entity", "period", "code"]).reset_index(drop=True)


#: the Python API name (``hs.run_scenario``)
run_scenario = run
