"""Uncertain inputs of an index build: the YAML file beside the recipe, validated against it.

Each input maps a number ``u`` in [0, 1) (one column of a Monte Carlo, Sobol' or Morris
design) to one choice, so every replication is a fully explicit recipe (plus, for data
resampling, one draw of measurement noise) that :func:`holisec.pipeline.build` can run alone.

Kinds of input (exactly one key of ``param``, ``methods``, ``switch``, ``weights``,
``leave_out``, ``resample`` per input)::

    inputs:
      - {name: winsorisation, step: treat, param: winmax, values: [1, 2, 3, 4, 5]}
      - {name: min_share, step: aggregate, param: min_share, distribution: {uniform: [0.3, 0.7]}}
      - name: normalisation
        step: normalise
        methods: [{method: minmax, params: {lo: 1, hi: 100}}, {method: zscore, params: {mean: 10, sd: 2}}]
      - {name: treatment, step: treat, switch: true}          # on / off
      - {name: pillar_weights, weights: {level: 2, noise: 0.25}}   # or dirichlet: 50
      - {name: leave_one_out, leave_out: {k: 1}}
      - {name: measurement, resample: {se: wgi_se.csv}}       # entity, period, indicator, se

``u -> choice``: ``k`` alternatives take ``floor(u k)``; ``uniform: [a, b]`` takes
``a + u (b - a)``; ``integers: [a, b]`` the ``floor(u (b - a + 1))``-th integer; weights, leave-k-out
subsets and noise draws are ``draws`` sets drawn once under the seed, ``u`` picking one
(COINr ``get_sensitivity`` does the same with its noisy weight sets).

References
----------
Saisana, M., Saltelli, A. & Tarantola, S. (2005) Uncertainty and sensitivity analysis techniques as
tools for the quality assessment of composite indicators. *J. R. Stat. Soc. A* 168(2), 307-323.
COINr ``get_sensitivity()``: https://bluefoxr.github.io/COINr/articles/sensitivity.html
"""
from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from holisec._validation import read_mapping_file, validated
from holisec.framework import Framework
from holisec.pipeline.recipe import Recipe, RecipeError

KINDS = ("param", "methods", "switch", "weights", "leave_out", "resample")


class SpecError(ValueError):
    """An uncertainty spec is invalid; the message names the file and the key path."""


class MethodAlt(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    method: str
    params: dict[str, Any] = Field(default_factory=dict)


class WeightNoise(BaseModel):
    """Noise on the weights of the codes at ``level`` (1 = indicators; a list for several levels
    drawn together, as COINr's noisy weight sets), around their nominal value."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    level: int | list[int]

    @property
    def levels(self) -> list[int]:
        return [self.level] if isinstance(self.level, int) else list(self.level)
    noise: float | None = Field(None, gt=0, lt=1, description="uniform factor: w (1 + U(-noise, noise))")
    dirichlet: float | None = Field(None, gt=0, description="concentration: shares ~ Dirichlet(c x nominal)")
    draws: int = Field(1000, ge=2)

    @model_validator(mode="after")
    def _one(self) -> WeightNoise:
        if (self.noise is None) == (self.dirichlet is None):
            raise ValueError("give exactly one of 'noise' (uniform +/- share) or 'dirichlet' (concentration)")
        return self


class LeaveOut(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    k: int = Field(1, ge=1)
    indicators: list[str] | None = None
    include_none: bool = True
    draws: int = Field(1000, ge=2)


class Resample(BaseModel):
    """Observed values resampled as ``x + se z``, ``z ~ N(0, 1)``, from a table of standard errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    se: str
    draws: int = Field(1000, ge=2)


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    step: int | str | None = None
    param: str | None = None
    values: list[Any] | None = None
    distribution: dict[str, list[float]] | None = None
    methods: list[MethodAlt] | None = None
    switch: bool | None = None
    weights: WeightNoise | None = None
    leave_out: LeaveOut | None = None
    resample: Resample | None = None

    @property
    def kind(self) -> str:
        return next(k for k in KINDS if getattr(self, k) is not None)

    @model_validator(mode="after")
    def _shape(self) -> Input:
        given = [k for k in KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {list(KINDS)}, got {given or 'none'}")
        kind = given[0]
        if kind in ("param", "methods", "switch") and self.step is None:
            raise ValueError(f"a {kind!r} input needs 'step' (a step name or index of the recipe)")
        if kind == "param":
            if (self.values is None) == (self.distribution is None):
                raise ValueError("a 'param' input needs exactly one of 'values' (alternatives) or 'distribution'")
            if self.values is not None and len(self.values) < 2:
                raise ValueError("'values' needs at least 2 alternatives")
            if self.distribution is not None:
                if len(self.distribution) != 1 or next(iter(self.distribution)) not in ("uniform", "integers"):
                    raise ValueError("'distribution' is one of {uniform: [low, high]} or {integers: [low, high]}")
                low, high = next(iter(self.distribution.values()))
                if not low < high:
                    raise ValueError(f"distribution bounds must satisfy low < high, got [{low}, {high}]")
        elif self.values is not None or self.distribution is not None:
            raise ValueError("'values'/'distribution' belong to a 'param' input")
        if kind == "methods" and len(self.methods) < 2:
            raise ValueError("'methods' needs at least 2 alternatives")
        if kind == "switch" and self.switch is not True:
            raise ValueError("'switch: true' makes a step optional (on / off)")
        return self


class UncertaintySpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    inputs: list[Input]
    periods: list[int] | None = None
    top_k: int = Field(10, ge=1)

    @model_validator(mode="after")
    def _names(self) -> UncertaintySpec:
        if not self.inputs:
            raise ValueError("inputs: give at least one uncertain input")
        names = [i.name for i in self.inputs]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"inputs: duplicate name(s) {dup}")
        return self

    @classmethod
    def from_dict(cls, raw: Any, origin: str = "<dict>") -> UncertaintySpec:
        return validated(cls, raw, origin, "uncertainty spec", SpecError)

    @classmethod
    def load(cls, path: str | Path) -> UncertaintySpec:
        path = Path(path)
        raw = read_mapping_file(path, "uncertainty spec", SpecError)
        spec = cls.from_dict(raw, str(path))
        return spec.model_copy(update={"inputs": [_relative(i, path.parent) for i in spec.inputs]})


def _relative(item: Input, folder: Path) -> Input:
    if item.resample is None or Path(item.resample.se).is_absolute():
        return item
    return item.model_copy(update={"resample": item.resample.model_copy(update={"se": str(folder / item.resample.se)})})


# --- compiled inputs ---------------------------------------------------------------------------
class Plan:
    """A spec checked against a recipe and a framework, ready to turn a design into replications.

    ``choices(design)`` gives one row per replication: the index of each input's choice.
    ``apply(row)`` gives that replication's recipe dict (weights left to the caller),
    ``weight_sets(rows)`` the raw weights ``(replication, code)``.
    """

    def __init__(self, spec: UncertaintySpec, recipe: Recipe, framework: Framework, *, seed: int = 0,
                 origin: str = "spec", nominal_weights: pd.Series | None = None, data=None):
        self.spec, self.recipe, self.framework, self.seed, self.origin = spec, recipe, framework, seed, origin
        self.names = [i.name for i in spec.inputs]
        self._drawn: dict = {}  # drawn weight sets and leave-out subsets, per input
        self.steps = [self._step_index(i, n) if i.kind in ("param", "methods", "switch") else None
                      for n, i in enumerate(spec.inputs)]
        self.levels = [self._levels(i, n) for n, i in enumerate(spec.inputs)]
        self._check_weight_step()
        self._check_combinations()
        self.nominal_weights = nominal_weights
        self.se = [self._read_se(i, n, data) if i.kind == "resample" else None for n, i in enumerate(spec.inputs)]

    # -- validation ------------------------------------------------------------------------------
    def _where(self, n: int, key: str = "") -> str:
        return f"{self.origin}: inputs[{n}] ({self.spec.inputs[n].name}){'.' + key if key else ''}"

    def _step_index(self, item: Input, n: int) -> int:
        steps = self.recipe.steps
        if isinstance(item.step, int):
            if not 0 <= item.step < len(steps):
                raise SpecError(f"{self._where(n, 'step')}: recipe {self.recipe.name!r} has no step {item.step} "
                                f"(it has {len(steps)})")
            return item.step
        hits = [k for k, s in enumerate(steps) if s.step == item.step]
        if len(hits) != 1:
            have = [f"{k}: {s.step} {s.method}" for k, s in enumerate(steps)]
            what = "no" if not hits else f"{len(hits)}"
            raise SpecError(f"{self._where(n, 'step')}: recipe {self.recipe.name!r} has {what} {item.step!r} "
                            f"step(s); give the step index (steps: {have})")
        return hits[0]

    def _levels(self, item: Input, n: int) -> int:
        if item.kind == "switch":
            kind = self.recipe.steps[self.steps[n]].step
            if kind in ("normalise", "aggregate"):
                raise SpecError(f"{self._where(n, 'switch')}: the {kind!r} step is required; it cannot be switched off")
            return 2
        if item.kind == "param":
            if item.values is not None:
                return len(item.values)
            kind, (low, high) = next(iter(item.distribution.items()))
            return int(high - low + 1) if kind == "integers" else 0  # 0: continuous
        if item.kind == "methods":
            return len(item.methods)
        if item.kind == "weights":
            levels = sorted(self.framework.tree["level"].unique())
            tree = self.framework.tree
            codes = tree.index[tree["level"].isin(item.weights.levels) & tree["parent"].notna()]
            if not len(codes) or not set(item.weights.levels) <= set(tree["level"]):
                raise SpecError(f"{self._where(n, 'weights.level')}: framework {self.framework.id!r} has no weighted "
                                f"codes at level {item.weights.level} (levels {levels}; the root has no weight)")
            return item.weights.draws
        if item.kind == "leave_out":
            return len(self._subsets(item, n)) if self._enumerable(item, n) else item.leave_out.draws
        return item.resample.draws

    def _candidates(self, item: Input, n: int) -> list[str]:
        known = self.framework.indicator_ids
        given = item.leave_out.indicators
        if given is not None:
            unknown = [c for c in given if c not in known]
            if unknown:
                raise SpecError(f"{self._where(n, 'leave_out.indicators')}: {unknown} are not indicators of "
                                f"framework {self.framework.id!r}")
        tree = self.framework.tree
        sizes = tree["parent"].value_counts()
        lone = [c for c in (given or known) if sizes.get(tree.at[c, "parent"], 0) <= item.leave_out.k]
        if given is not None and lone:
            raise SpecError(f"{self._where(n, 'leave_out.indicators')}: leaving out {lone} could empty their group "
                            f"(it has at most k={item.leave_out.k} indicators); drop them from the list")
        pool = [c for c in (given or known) if c not in lone]
        if len(pool) < item.leave_out.k:
            raise SpecError(f"{self._where(n, 'leave_out.k')}: only {len(pool)} indicator(s) can be left out")
        return pool

    def _enumerable(self, item: Input, n: int) -> bool:
        key = ("enumerable", n)
        if key not in self._drawn:
            self._drawn[key] = math.comb(len(self._candidates(item, n)), item.leave_out.k) <= 10_000
        return self._drawn[key]

    def _subsets(self, item: Input, n: int) -> list[tuple[str, ...]]:
        key = ("subsets", n)
        if key not in self._drawn:
            pool = self._candidates(item, n)
            subsets = list(itertools.combinations(pool, item.leave_out.k))
            self._drawn[key] = ([()] if item.leave_out.include_none else []) + subsets
        return self._drawn[key]

    def _check_weight_step(self) -> None:
        if not any(i.kind in ("weights", "leave_out") for i in self.spec.inputs):
            return
        for k, s in enumerate(self.recipe.steps):
            if s.step == "weight" and s.method not in ("framework", "equal"):
                n = next(n for n, i in enumerate(self.spec.inputs) if i.kind in ("weights", "leave_out"))
                raise SpecError(f"{self._where(n)}: weight noise and leave-k-out act on 'framework' or 'equal' "
                                f"weights; recipe step {k} uses {s.method!r}")

    def _check_combinations(self) -> None:
        """Every alternative of every input must give a valid recipe, also combined with the
        other inputs on the same step (a parameter must exist in every alternative method)."""
        by_step: dict[int, list[int]] = {}
        for n, k in enumerate(self.steps):
            if k is not None:
                by_step.setdefault(k, []).append(n)
        for k, members in by_step.items():
            options = [[(n, pick) for pick in self._checked_picks(n)] for n in members]
            for combo in itertools.product(*options):
                try:
                    Recipe.from_dict(self._edit(self.recipe.canonical(), dict(combo)), self.recipe.name)
                except (RecipeError, ValueError) as err:
                    labels = ", ".join(f"inputs[{n}] ({self.names[n]}) = {self.label(n, *pick)}" for n, pick in combo)
                    detail = str(err).split("\n", 1)[-1].strip()
                    raise SpecError(f"{self.origin}: {labels}: not a valid recipe step {k}: {detail}") from None

    def _checked_picks(self, n: int) -> list[tuple[int, float]]:
        levels = self.levels[n]
        return [(j, 0.0) for j in range(levels)] if levels else [(-1, 0.0), (-1, 1.0)]  # continuous: both bounds

    # -- decoding --------------------------------------------------------------------------------
    def choices(self, design: np.ndarray) -> np.ndarray:
        """Design ``(replications, inputs)`` in [0, 1) -> choice index per input (continuous: -1)."""
        design = np.asarray(design, dtype="float64")
        if design.ndim != 2 or design.shape[1] != len(self.names):
            raise SpecError(f"design must be (replications, {len(self.names)}), got {design.shape}")
        out = np.full(design.shape, -1, dtype="int64")
        for n, levels in enumerate(self.levels):
            if levels:
                out[:, n] = np.minimum(np.floor(design[:, n] * levels).astype("int64"), levels - 1)
        return out

    def value(self, n: int, u: float, j: int) -> Any:
        """The parameter value of a ``param`` input: alternative ``j``, or ``u`` mapped onto a
        continuous distribution."""
        item = self.spec.inputs[n]
        if item.values is not None:
            return item.values[j]
        kind, (low, high) = next(iter(item.distribution.items()))
        return int(low) + j if kind == "integers" else float(low + u * (high - low))

    def label(self, n: int, j: int, u: float = 0.0) -> str:
        """A readable name of choice ``j`` (or design value ``u`` if continuous) of input ``n``."""
        item = self.spec.inputs[n]
        if item.kind == "param":
            return str(self.value(n, u, j))
        if item.kind == "methods":
            alt = item.methods[j]
            params = ",".join(f"{k}={v}" for k, v in sorted(alt.params.items()))
            return f"{alt.method}({params})" if params else alt.method
        if item.kind == "switch":
            return ("on", "off")[j]
        if item.kind == "leave_out":
            subset = self.left_out(n, j)
            return "none" if not subset else "-" + "-".join(subset)
        return f"draw {j}"

    def _edit(self, raw: dict, picks: dict[int, tuple[int, float]]) -> dict:
        """Apply choices (input -> (choice index, design value)) to a canonical recipe dict."""
        steps = [dict(s, params=dict(s["params"])) for s in raw["steps"]]
        off = set()
        for n in sorted(picks, key=lambda m: self.spec.inputs[m].kind != "methods"):  # methods first
            item, k, (j, u) = self.spec.inputs[n], self.steps[n], picks[n]
            if item.kind == "methods":
                alt = item.methods[j]
                steps[k] = {"step": steps[k]["step"], "method": alt.method, "params": dict(alt.params)}
            elif item.kind == "param":
                steps[k]["params"][item.param] = self.value(n, u, j)
            elif item.kind == "switch" and j == 1:
                off.add(k)
        return {**raw, "steps": [s for k, s in enumerate(steps) if k not in off]}

    def recipe_dict(self, choice: np.ndarray, design: np.ndarray) -> dict:
        """The recipe (canonical dict) of one replication, weights aside."""
        picks = {n: (int(choice[n]), float(design[n])) for n in range(len(self.names)) if self.steps[n] is not None}
        return self._edit(self.recipe.canonical(), picks)

    # -- drawn sets --------------------------------------------------------------------------------
    def _rng(self, n: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, n, 0x5EC])

    def weight_factors(self, n: int) -> pd.DataFrame:
        """Input ``n``'s ``draws`` weight sets for the codes at its level: nominal -> noisy (raw)."""
        if n not in self._drawn:
            item, tree = self.spec.inputs[n].weights, self.framework.tree
            codes = tree.index[tree["level"].isin(item.levels) & tree["parent"].notna()]
            nominal = self.nominal_weights.reindex(codes).to_numpy(dtype="float64")
            rng = self._rng(n)
            if item.noise is not None:
                sets = nominal * rng.uniform(1 - item.noise, 1 + item.noise, size=(item.draws, len(codes)))
            else:
                sets = np.empty((item.draws, len(codes)))
                parents = tree.loc[codes, "parent"].to_numpy()
                for parent in dict.fromkeys(parents):  # one Dirichlet per group (a handful)
                    cols = np.flatnonzero(parents == parent)
                    shares = nominal[cols] / nominal[cols].sum()
                    sets[:, cols] = rng.dirichlet(item.dirichlet * shares * len(cols), size=item.draws) * nominal[cols].sum()
            self._drawn[n] = pd.DataFrame(sets, columns=codes)
        return self._drawn[n]

    def left_out(self, n: int, j: int) -> tuple[str, ...]:
        item = self.spec.inputs[n]
        if self._enumerable(item, n):
            return self._subsets(item, n)[j]
        if n not in self._drawn:
            pool = self._candidates(item, n)
            rng = self._rng(n)
            self._drawn[n] = [tuple(sorted(rng.choice(pool, size=item.leave_out.k, replace=False)))
                              for _ in range(item.leave_out.draws)]
        return self._drawn[n][j]

    def weight_sets(self, choices: np.ndarray) -> pd.DataFrame:
        """Raw weights ``(replication, code)`` of every code: nominal, noisy, zero when left out."""
        base = np.tile(self.nominal_weights.to_numpy(dtype="float64"), (len(choices), 1))
        table = pd.DataFrame(base, columns=self.nominal_weights.index)
        for n, item in enumerate(self.spec.inputs):
            if item.kind == "weights":
                sets = self.weight_factors(n)
                table[list(sets.columns)] = sets.to_numpy()[choices[:, n]]
        for n, item in enumerate(self.spec.inputs):
            if item.kind == "leave_out":
                for j in np.unique(choices[:, n]):
                    rows = choices[:, n] == j
                    for code in self.left_out(n, int(j)):
                        table.loc[rows, code] = 0.0
        return table

    # -- data noise -----------------------------------------------------------------------------------
    def _read_se(self, item: Input, n: int, data) -> pd.DataFrame:
        path = Path(item.resample.se)
        where = self._where(n, "resample.se")
        if not path.exists():
            raise SpecError(f"{where}: {path}: file not found")
        table = pd.read_csv(path) if path.suffix.lower() != ".parquet" else pd.read_parquet(path)
        need = ["entity", "period", "indicator", "se"]
        missing = [c for c in need if c not in table.columns]
        if missing:
            raise SpecError(f"{where}: {path} lacks column(s) {missing}; need {need}")
        se = pd.to_numeric(table["se"], errors="coerce")
        bad = np.flatnonzero(~(se >= 0))
        if len(bad):
            raise SpecError(f"{where}: {path} row {int(bad[0]) + 2}: se must be a number >= 0, got {table['se'].iloc[bad[0]]!r}")
        if data is not None:
            unknown = sorted(set(table["indicator"].astype(str)) - set(map(str, data["indicator"].values)))
            if unknown:
                raise SpecError(f"{where}: {path}: indicator(s) {unknown} are not in the data")
        return table.assign(se=se)

    def noise_scale(self, data) -> Any:
        """Standard error of every cell of ``data`` (0 where none is given), per resample input."""
        import xarray as xr

        scales = []
        for table in self.se:
            if table is None:
                continue
            grid = xr.zeros_like(data)
            series = table.set_index(["entity", "period", "indicator"])["se"]
            known = series[series.index.get_level_values("entity").isin(data["entity"].values)
                           & series.index.get_level_values("indicator").isin(data["indicator"].values)
                           & series.index.get_level_values("period").isin(data["period"].values)]
            cube = known.to_xarray().reindex_like(data).fillna(0.0).transpose(*data.dims)
            scales.append(grid + cube)
        return scales

    def resample_inputs(self) -> list[int]:
        return [n for n, i in enumerate(self.spec.inputs) if i.kind == "resample"]


def builtin_spec(name: str = "default") -> UncertaintySpec:
    """An uncertainty spec shipped with holisec (``uncertainty/builtin/<name>.yaml``)."""
    from importlib import resources

    files = resources.files("holisec.uncertainty.builtin")
    have = sorted(f.name[:-5] for f in files.iterdir() if f.name.endswith(".yaml"))
    if name not in have:
        raise SpecError(f"{name!r}: not a built-in uncertainty spec; expected one of {have}")
    with resources.as_file(files / f"{name}.yaml") as p:
        return UncertaintySpec.load(p)


def load_spec(spec) -> UncertaintySpec:
    """A spec from an :class:`UncertaintySpec`, a dict, a YAML path or a built-in name."""
    if isinstance(spec, UncertaintySpec):
        return spec
    if isinstance(spec, dict):
        return UncertaintySpec.from_dict(spec)
    path = Path(str(spec))
    return UncertaintySpec.load(path) if path.suffix else builtin_spec(str(spec))
