"""Monte Carlo uncertainty analysis of the index: replications as an array dimension.

Every replication is one explicit recipe (plus its weights and, with data resampling, one
noise draw). Replications that share their discrete choices (the recipe without its weights)
form a group; a group runs through :func:`holisec.pipeline.build` once, with a
``replication`` dimension on the weights (and on the data when resampled), in chunks that fit
a memory budget; the data steps a group shares with the previous one are reused from a cache
(precompute what does not vary). The result equals running ``build()`` replication by
replication (``UncertaintyResult.rerun(i)``; a test checks it to 1e-12).

Outputs per entity and period (ranks: 1 = highest risk): nominal rank, median rank, 5-95%
rank interval, probability of a top-k rank, rank shifts against the nominal, and 5-95%
intervals of every domain score (0-100 when normalised so, higher = more risk).

References
----------
Saisana, M., Saltelli, A. & Tarantola, S. (2005) Uncertainty and sensitivity analysis techniques as
tools for the quality assessment of composite indicators. *J. R. Stat. Soc. A* 168(2), 307-323.
OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, step 7 (robustness and sensitivity).
"""
from __future__ import annotations

import json
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import xarray as xr
from scipy.stats import rankdata

from holisec.framework import Framework, load_framework
from holisec.pipeline import Recipe, build
from holisec.pipeline._panel import as_panel, parse_memory  # noqa: F401  (re-exported)
from holisec.pipeline.build import SIBLINGS, TREAT_LIMITS, _coerce_recipe
from holisec.pipeline.steps.weight import weight as weight_step
from holisec.uncertainty.spec import Plan, SpecError, UncertaintySpec, load_spec

#: Bytes of working memory per output cell (entity x period x code) of one replication in a batch
#: (aggregation keeps the stacked scores, the masked values and a result per level).
_BYTES_PER_CELL = 8 * 8
#: ... and per data cell (entity x period x indicator) when the data themselves are resampled.
_BYTES_PER_DATA_CELL = 8 * 14


def monte_carlo_design(n_inputs: int, n: int, seed: int) -> np.ndarray:
    """Plain Monte Carlo design: ``n`` rows of independent U[0, 1) under ``seed``."""
    if n < 1:
        raise SpecError(f"the number of replications must be >= 1, got {n}")
    return np.random.default_rng([seed, 0x3C]).random((n, n_inputs))


# --- the engine ------------------------------------------------------------------------------------
@dataclass
class Replications:
    """What every replication is: its design row, choices, raw weights and recipe (group)."""

    design: np.ndarray
    choices: np.ndarray
    weights: pd.DataFrame | None
    keys: list[str]          # canonical JSON of each group's recipe
    group: np.ndarray        # replication -> index into keys


def replicate(plan: Plan, design: np.ndarray) -> Replications:
    """Decode a design into replications and group them by their discrete choices."""
    choices = plan.choices(design)
    weighted = any(i.kind in ("weights", "leave_out") for i in plan.spec.inputs)
    weights = plan.weight_sets(choices) if weighted else None
    # a replication's recipe depends on its discrete choices and the design values of its continuous
    # inputs only: decode each distinct combination once
    stepped = [n for n in range(len(plan.names)) if plan.steps[n] is not None]
    signature = np.where(choices[:, stepped] >= 0, choices[:, stepped].astype("float64"), design[:, stepped] + 2.0)
    if not stepped:
        signature = np.zeros((len(choices), 1))
    distinct, first, back = np.unique(signature, axis=0, return_index=True, return_inverse=True)
    recipe_of = np.array([json.dumps(plan.recipe_dict(choices[i], design[i]), sort_keys=True) for i in first],
                         dtype=object)
    keys, inverse = np.unique(recipe_of, return_inverse=True)
    return Replications(design, choices, weights, list(keys), inverse[np.ravel(back)].astype("int64"))


def _noise(plan: Plan, scales: list[xr.DataArray], draws: np.ndarray, replication: np.ndarray) -> xr.DataArray | None:
    """``sum_inputs se * z`` per replication; ``z`` of draw ``j`` of input ``n`` comes from its own
    seeded generator, so replication ``i`` alone gets the same numbers."""
    if not scales:
        return None
    total = None
    for (n, scale), column in zip(zip(plan.resample_inputs(), scales), draws.T):
        fields = np.stack([np.random.default_rng([plan.seed, n, int(j), 0xDA7A]).standard_normal(scale.shape)
                           for j in column])
        part = xr.DataArray(fields, dims=("replication", *scale.dims), coords={"replication": replication}) * scale
        total = part if total is None else total + part
    return total


def _data_for(plan: Plan, data: xr.DataArray, scales, draws: np.ndarray, replication: np.ndarray) -> xr.DataArray:
    noise = _noise(plan, scales, draws, replication)
    return data if noise is None else (data + noise.fillna(0.0)).transpose("replication", *data.dims)


def _weights_for(reps: Replications, rows: np.ndarray) -> xr.DataArray | None:
    if reps.weights is None:
        return None
    table = reps.weights.iloc[rows]
    return xr.DataArray(table.to_numpy(), dims=("replication", "code"),
                        coords={"replication": rows, "code": list(table.columns)})


@dataclass
class UncertaintyResult:
    """Scores of every replication and the statistics of the ranks (see module docstring).

    ``scores``: ``(replication, entity, period, code)`` for the index and every aggregate;
    ``ranks``: ``(replication, entity, period)`` of the index, 1 = highest risk.
    """

    spec: UncertaintySpec
    plan: Plan
    reps: Replications
    scores: xr.DataArray
    ranks: xr.DataArray
    nominal: object  # the nominal Result
    nominal_ranks: xr.DataArray
    data: xr.DataArray
    periods: list[int]
    seed: int
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.scores.sizes["replication"])

    @property
    def root(self) -> str:
        return self.nominal.framework.root

    # -- per entity ----------------------------------------------------------------------------------
    def summary(self, period: int | None = None) -> pd.DataFrame:
        """Per entity: nominal and median rank, 5-95% rank interval, P(top k), mean |rank shift|,
        nominal score and its 5-95% interval; sorted by median rank."""
        period = self.periods[-1] if period is None else period
        r = self.ranks.sel(period=period).transpose("replication", "entity").values
        nominal = self.nominal_ranks.sel(period=period).values
        s = self.scores.sel(period=period, code=self.root).transpose("replication", "entity").values
        ranked = ~np.isnan(r)
        k = self.spec.top_k
        with np.errstate(invalid="ignore"):
            q05, median, q95 = np.nanquantile(r, [0.05, 0.5, 0.95], axis=0) if r.size else (np.nan,) * 3
            s05, s50, s95 = np.nanquantile(s, [0.05, 0.5, 0.95], axis=0)
            table = pd.DataFrame({
                "entity": self.ranks["entity"].values,
                "nominal_rank": nominal,
                "median_rank": median,
                "rank_q05": q05,
                "rank_q95": q95,
                "interval_width": q95 - q05,
                f"p_top_{k}": (np.where(ranked, r <= k, False).sum(axis=0) / np.maximum(ranked.sum(axis=0), 1)),
                "mean_abs_shift": np.nanmean(np.abs(r - nominal), axis=0),
                "nominal_score": self.nominal.scores.sel(period=period, code=self.root)
                .reindex(entity=self.ranks["entity"].values).values,
                "score_q05": s05, "score_median": s50, "score_q95": s95,
                "share_ranked": ranked.mean(axis=0),
            })
        table.insert(1, "period", period)
        return table.sort_values(["median_rank", "nominal_rank"], kind="stable").reset_index(drop=True)

    def domain_intervals(self, period: int | None = None) -> pd.DataFrame:
        """Per entity and aggregate code: nominal score, median and 5-95% interval over replications."""
        period = self.periods[-1] if period is None else period
        s = self.scores.sel(period=period)
        with warnings.catch_warnings():  # a code no replication scores (too little data) has no interval: NaN
            warnings.filterwarnings("ignore", "All-NaN slice encountered", RuntimeWarning)
            q = s.quantile([0.05, 0.5, 0.95], dim="replication", skipna=True)
        nominal = self.nominal.scores.sel(period=period).reindex(entity=s["entity"].values, code=s["code"].values)
        table = pd.DataFrame({
            "entity": np.repeat(s["entity"].values, s.sizes["code"]),
            "code": np.tile(s["code"].values, s.sizes["entity"]),
            "nominal": nominal.transpose("entity", "code").values.ravel(),
            "q05": q.sel(quantile=0.05).transpose("entity", "code").values.ravel(),
            "median": q.sel(quantile=0.5).transpose("entity", "code").values.ravel(),
            "q95": q.sel(quantile=0.95).transpose("entity", "code").values.ravel(),
        })
        table.insert(1, "period", period)
        return table

    def rank_shifts(self, period: int | None = None) -> pd.DataFrame:
        """Distribution of ``rank - nominal rank`` per entity: quantiles and share unchanged."""
        period = self.periods[-1] if period is None else period
        shift = (self.ranks.sel(period=period) - self.nominal_ranks.sel(period=period)).transpose("replication", "entity").values
        with np.errstate(invalid="ignore"):
            qs = np.nanquantile(shift, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
            table = pd.DataFrame({"entity": self.ranks["entity"].values, "period": period,
                                  "shift_q05": qs[0], "shift_q25": qs[1], "shift_median": qs[2],
                                  "shift_q75": qs[3], "shift_q95": qs[4],
                                  "share_unchanged": np.nanmean(np.where(np.isnan(shift), np.nan, shift == 0), axis=0),
                                  "max_abs_shift": np.nanmax(np.abs(shift), axis=0)})
        return table

    # -- per replication -------------------------------------------------------------------------------
    def replications(self) -> pd.DataFrame:
        """One row per replication: each input's choice, its design value, and summary statistics
        (mean and max |rank shift| over entities, Spearman correlation with the nominal ranks)."""
        plan, reps = self.plan, self.reps
        table = pd.DataFrame({"replication": np.arange(self.n), "group": reps.group})
        for n, name in enumerate(plan.names):
            table[name] = [plan.label(n, int(j), float(u)) for j, u in zip(reps.choices[:, n], reps.design[:, n])]
            table[f"u_{name}"] = reps.design[:, n]
        for period in self.periods:
            r = self.ranks.sel(period=period).transpose("replication", "entity").values
            nominal = self.nominal_ranks.sel(period=period).values
            shift = np.abs(r - nominal)
            suffix = "" if len(self.periods) == 1 else f"_{period}"
            with np.errstate(invalid="ignore"):
                table[f"mean_abs_shift{suffix}"] = np.nanmean(shift, axis=1)
                table[f"max_abs_shift{suffix}"] = np.nanmax(shift, axis=1)
                table[f"spearman{suffix}"] = _spearman(r, nominal)
        return table

    def mean_abs_shift(self, period: int | None = None) -> np.ndarray:
        period = self.periods[-1] if period is None else period
        r = self.ranks.sel(period=period).transpose("replication", "entity").values
        with np.errstate(invalid="ignore"):
            return np.nanmean(np.abs(r - self.nominal_ranks.sel(period=period).values), axis=1)

    # -- one replication alone ---------------------------------------------------------------------------
    def recipe_for(self, i: int) -> Recipe:
        """Replication ``i`` as a plain recipe (its weights written out), for ``build()``."""
        raw = json.loads(self.reps.keys[self.reps.group[i]])
        if self.reps.weights is not None:
            present = set(self.extra["codes"][int(self.reps.group[i])])
            row = self.reps.weights.iloc[i]
            given = {c: float(v) for c, v in row.items() if c in present}
            step = {"step": "weight", "method": "framework", "params": {"weights": given}}
            at = [k for k, s in enumerate(raw["steps"]) if s["step"] == "weight"]
            if at:
                raw["steps"][at[0]] = step
            else:
                agg = next(k for k, s in enumerate(raw["steps"]) if s["step"] == "aggregate")
                raw["steps"].insert(agg, step)
        raw["name"] = f"{raw['name']} (replication {i})"
        return Recipe.from_dict(raw, f"replication {i}")

    def data_for(self, i: int) -> xr.DataArray:
        """The data of replication ``i`` (resampled if the spec resamples them)."""
        draws = self.reps.choices[[i]][:, self.plan.resample_inputs()]
        scales = self.extra["scales"]
        out = _data_for(self.plan, self.data, scales, draws, np.array([i]))
        return out.isel(replication=0, drop=True) if "replication" in out.dims else out

    def rerun(self, i: int):
        """Build replication ``i`` alone with :func:`holisec.pipeline.build` (the check of the engine)."""
        n = self.nominal
        return build(self.recipe_for(i), self.data_for(i), n.framework, entity_groups=n.entity_groups,
                     vintage=n.vintage)

    # -- files -----------------------------------------------------------------------------------------
    def meta(self) -> dict:
        return {"replications": self.n, "seed": self.seed, "periods": self.periods, "top_k": self.spec.top_k,
                "groups": len(self.reps.keys), "seconds": round(self.seconds, 3),
                "recipe": self.nominal.recipe.name, "recipe_hash": self.nominal.recipe.hash,
                "framework": self.nominal.framework.id, "vintage": self.nominal.vintage,
                "version": self.nominal.version,
                "scale": "index and domain scores as normalised (default 0-100), higher = more risk; rank 1 = highest risk",
                "inputs": [i.model_dump(exclude_none=True) for i in self.spec.inputs]}

    def tables(self) -> dict[str, pd.DataFrame]:
        frames = {"summary": pd.concat([self.summary(p) for p in self.periods], ignore_index=True),
                  "domains": pd.concat([self.domain_intervals(p) for p in self.periods], ignore_index=True),
                  "rank_shifts": pd.concat([self.rank_shifts(p) for p in self.periods], ignore_index=True),
                  "replications": self.replications()}
        if self.reps.weights is not None:
            frames["weights"] = self.reps.weights.rename_axis("replication").reset_index()
        frames["ranks"] = self.ranks.to_series().rename("rank").reset_index()
        return frames

    def save(self, path: str | Path) -> Path:
        """``.xlsx`` (one sheet per table + meta), ``.json`` (tables as records) or ``.nc`` (arrays)."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".nc":
            ds = xr.Dataset({"score": self.scores, "rank": self.ranks, "nominal_rank": self.nominal_ranks})
            ds.attrs["meta"] = json.dumps(self.meta(), default=str)
            ds.to_netcdf(path)
            return path
        frames = self.tables()
        if suffix == ".xlsx":
            from holisec.pipeline.result import _write_xlsx

            meta = pd.DataFrame([(k, json.dumps(v, default=str) if not isinstance(v, str) else v)
                                 for k, v in self.meta().items()], columns=["key", "value"])
            _write_xlsx(path, {"meta": meta, **frames})
        elif suffix == ".json":
            from holisec._json import json_ready

            payload = {"meta": self.meta(), **{k: v.to_dict(orient="records") for k, v in frames.items()}}
            path.write_text(json.dumps(json_ready(payload)) + "\n", encoding="utf-8")
        else:
            raise SpecError(f"{path}: unsupported format {suffix!r}; use .xlsx, .json or .nc")
        return path


def _spearman(r: np.ndarray, nominal: np.ndarray) -> np.ndarray:
    """Spearman correlation of each replication's ranks with the nominal ones (entities ranked in both)."""
    ok = ~np.isnan(r) & ~np.isnan(nominal)
    a = np.where(ok, r, np.nan)
    b = np.where(ok, nominal, np.nan)
    a = rankdata(a, axis=1, nan_policy="omit")
    b = rankdata(b, axis=1, nan_policy="omit")
    with np.errstate(invalid="ignore", divide="ignore"):
        a, b = a - np.nanmean(a, axis=1, keepdims=True), b - np.nanmean(b, axis=1, keepdims=True)
        return np.nansum(a * b, axis=1) / np.sqrt(np.nansum(a * a, axis=1) * np.nansum(b * b, axis=1))


def risk_ranks(scores: xr.DataArray) -> xr.DataArray:
    """Ranks over entities, 1 = highest score (risk), ties share the best rank, missing stays missing
    (as :meth:`holisec.pipeline.Result.rank`)."""
    axis = scores.get_axis_num("entity")
    values = rankdata(-scores.values, method="min", axis=axis, nan_policy="omit") if scores.size else scores.values
    return scores.copy(data=np.where(np.isnan(scores.values), np.nan, values))


def latest_period(result) -> int:
    """The latest well-observed period of a build (where its scores rest on observed data)."""
    from holisec.index import well_observed_periods

    periods = well_observed_periods(result)
    return int(periods[-1]) if periods else int(result.scores["period"].values.max())


def run(
    spec: UncertaintySpec | dict | str | Path,
    recipe: Recipe | dict | str | Path,
    data: xr.DataArray,
    framework: Framework | str | Path,
    *,
    entity_groups: pd.DataFrame | None = None,
    n: int = 1000,
    seed: int = 0,
    design: np.ndarray | None = None,
    periods: list[int] | None = None,
    memory: str | int = "1GB",
    vintage: str = "",
    progress: Callable[[int, int], None] | None = None,
    scheduler: str | None = None,
) -> UncertaintyResult:
    """Run the Monte Carlo (or any given design, e.g. Sobol') of ``spec`` around ``recipe``.

    Parameters
    ----------
    spec
        :class:`UncertaintySpec`, its dict form, a YAML file or a built-in name (``default``).
    design
        Rows of U[0, 1) per input (``replications x inputs``); default: ``n`` Monte Carlo rows
        under ``seed``.
    periods
        Periods reported (default: the spec's, else the latest well-observed period).
    memory
        Working-memory budget of a batch (``"1GB"``); replications are chunked to fit it.
    progress
        Called with (replications done, total).
    scheduler
        A Dask scheduler address (``"tcp://..."``) or ``"local"``: groups run as Dask tasks
        (see :mod:`holisec.uncertainty.distributed`).
    """
    started = time.perf_counter()
    spec = load_spec(spec)
    recipe, framework = _coerce_recipe(recipe), load_framework(framework)
    data = as_panel(data)
    nominal = build(recipe, data, framework, entity_groups=entity_groups, vintage=vintage)
    periods = list(periods or spec.periods or [latest_period(nominal)])
    missing = [p for p in periods if p not in nominal.scores["period"].values]
    if missing:
        raise SpecError(f"periods {missing} are not in the index ({nominal.scores['period'].values.min()}-"
                        f"{nominal.scores['period'].values.max()})")
    nominal_weights = _nominal_weights(recipe, framework)
    plan = Plan(spec, recipe, framework, seed=seed, nominal_weights=nominal_weights, data=data)
    design = monte_carlo_design(len(plan.names), n, seed) if design is None else np.asarray(design, dtype="float64")
    reps = replicate(plan, design)
    tree = framework.tree
    codes = [c for c in tree.index if tree.at[c, "type"] == "Aggregate"]
    entities = nominal.scores["entity"].values
    scales = plan.noise_scale(data)
    runner = _run_groups
    if scheduler:
        from holisec.uncertainty.distributed import run_groups_dask as runner
    scores, group_codes = runner(plan, reps, recipe, data, framework, entity_groups, periods, codes, entities,
                                 scales, parse_memory(memory), progress, scheduler)
    ranks = risk_ranks(scores.sel(code=nominal.root, drop=True))
    nominal_ranks = risk_ranks(nominal.scores.sel(code=nominal.root, period=periods, drop=True)
                               .reindex(entity=entities))
    return UncertaintyResult(spec=spec, plan=plan, reps=reps, scores=scores, ranks=ranks, nominal=nominal,
                             nominal_ranks=nominal_ranks, data=data, periods=periods, seed=seed,
                             seconds=time.perf_counter() - started,
                             extra={"codes": group_codes, "scales": scales})


def _nominal_weights(recipe: Recipe, framework: Framework) -> pd.Series:
    """Raw nominal weights of every code: the recipe's framework/equal weights over the full tree."""
    step = next((s for s in recipe.steps if s.step == "weight"), None)
    method = step.method if step is not None else "framework"
    if method not in ("framework", "equal"):
        return pd.Series(framework.tree["weight"].astype(float))
    weights, _ = weight_step(framework, method, **(dict(step.params) if step is not None else {}))
    return weights


def chunk_size(reps: Replications, data: xr.DataArray, n_periods: int, n_codes: int, budget: int,
               resampled: bool) -> int:
    per = data.sizes["entity"] * n_periods * (data.sizes["indicator"] + n_codes) * _BYTES_PER_CELL
    if resampled:
        per += data.sizes["entity"] * data.sizes["period"] * data.sizes["indicator"] * _BYTES_PER_DATA_CELL
    return max(1, int(budget // per))


def run_group(plan: Plan, reps: Replications, g: int, rows: np.ndarray, data: xr.DataArray, framework: Framework,
              entity_groups, periods: list[int], codes: list[str], entities, scales, cache: dict | None):
    """Scores ``(replication, entity, period, code)`` of the replications ``rows`` of group ``g``,
    and the codes its build kept."""
    recipe = Recipe.from_dict(json.loads(reps.keys[g]), f"group {g}")
    draws = reps.choices[rows][:, plan.resample_inputs()]
    batch = _data_for(plan, data, scales, draws, rows)
    weights = _weights_for(reps, rows)
    if weights is None and "replication" not in batch.dims:
        # nothing varies within the group: one build serves all its replications
        result = build(recipe, batch, framework, entity_groups=entity_groups, periods=periods, cache=cache)
        out = result.scores.expand_dims(replication=rows)
    else:
        result = build(recipe, batch, framework, entity_groups=entity_groups, weights=weights, periods=periods,
                       cache=None if "replication" in batch.dims else cache)
        out = result.scores
        if "replication" not in out.dims:
            out = out.expand_dims(replication=rows)
    kept = list(out["code"].values)
    out = out.reindex(entity=entities, code=codes).transpose("replication", "entity", "period", "code")
    return out.values, kept


def _run_groups(plan, reps, recipe, data, framework, entity_groups, periods, codes, entities, scales, budget,
                progress, scheduler=None):
    total = len(reps.group)
    scores = np.full((total, len(entities), len(periods), len(codes)), np.nan)
    group_codes: dict[int, list[str]] = {}
    cache: dict = {TREAT_LIMITS: _treat_limits(reps)}
    size = chunk_size(reps, data, len(periods), len(codes), budget, bool(scales))
    done = 0
    for g in np.argsort(reps.keys, kind="stable"):  # sorted recipes: shared prefixes follow each other
        rows_all = np.flatnonzero(reps.group == g)
        if not len(rows_all):
            continue
        _trim(cache, reps.keys[g])
        for start in range(0, len(rows_all), size):
            rows = rows_all[start:start + size]
            values, kept = run_group(plan, reps, int(g), rows, data, framework, entity_groups, periods, codes,
                                     entities, scales, cache)
            scores[rows] = values
            group_codes[int(g)] = kept
            done += len(rows)
            if progress is not None:
                progress(done, total)
    coords = {"replication": np.arange(total), "entity": entities, "period": periods, "code": codes}
    return xr.DataArray(scores, dims=("replication", "entity", "period", "code"), coords=coords), group_codes


def _treat_limits(reps: Replications) -> list[int]:
    """The JRC ``winmax`` limits the groups use (one treat pass computes them all, see ``build``)."""
    limits = {s["params"]["winmax"] for key in reps.keys for s in json.loads(key)["steps"]
              if s["step"] == "treat" and s["method"] == "jrc" and "winmax" in s["params"]}
    return sorted(int(v) for v in limits)


def _trim(cache: dict, key: str) -> None:
    """Keep only cached prefixes of the group about to run, and the other-limit siblings of its
    treat step (memory stays at one branch)."""
    steps = json.dumps(json.loads(key)["steps"], sort_keys=True)
    siblings = cache.setdefault(SIBLINGS, {})
    for k in [k for k in cache if k.startswith("[")]:
        if steps.startswith(k[:-1]):
            continue
        if k in siblings and steps.startswith(siblings[k][:-1]):
            continue
        del cache[k]
        siblings.pop(k, None)
