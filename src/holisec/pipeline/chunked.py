"""The default-style build on Dask, chunked over entities, for panels too large for memory.

Each step runs on ``dask.array`` blocks of entities with the same step functions as
:func:`holisec.pipeline.build`, so the scores are identical (a test checks it):

* entity-local steps map over the blocks: time imputation within each series (``linear``,
  ``locf``), the weights, and aggregation (entity-period by entity-period);
* steps with statistics over the whole panel reduce first, then map: JRC outlier treatment
  (``scope: panel``) gathers each indicator's column over all entities (one task per few
  indicators), runs the JRC rule on it and keeps per column only what the rule did: nothing,
  winsorisation (= clipping to the treated column's min and max, which is what moving the
  extremes to the next value amounts to) or ``log_ct`` with the column's min and max; min-max
  normalisation reduces the per-indicator (per-period) min and max, then rescales each block.

Steps needing all entities at once in other ways (screening, group imputation, multivariate
imputation, other normalisations, data-driven weights) are refused with the step named; run
those panels with :func:`~holisec.pipeline.build` in memory.

References
----------
Rocklin, M. (2015) Dask: parallel computation with blocked algorithms and task scheduling. *SciPy*.
OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, steps 4-6.
"""
from __future__ import annotations

from contextlib import contextmanager, nullcontext

import numpy as np
import xarray as xr

from holisec.framework import Framework, load_framework
from holisec.pipeline._panel import PipelineError, parse_memory
from holisec.pipeline.steps.aggregate import aggregate
from holisec.pipeline.steps.impute import impute
from holisec.pipeline.steps.normalise import directions
from holisec.pipeline.steps.treat import _winsorise, failing, log_ct_between
from holisec.pipeline.steps.weight import weight

#: What the chunked build can run (step -> methods).
SUPPORTED = {"impute": {"linear", "locf"}, "treat": {"jrc"}, "normalise": {"minmax"},
             "weight": {"framework", "equal"}, "aggregate": {"amean", "gmean", "hmean"}}
#: Per column of the JRC rule: untouched, clipped (winsorised), log_ct of the original / of the clipped values.
KEEP, CLIP, LOG, CLIP_LOG = 0, 1, 2, 3


@contextmanager
def client_for(scheduler: str):
    """A ``distributed.Client`` for an address, or for a new in-process LocalCluster (``"local"``)."""
    from distributed import Client, LocalCluster

    if scheduler == "local":
        with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            yield client
    else:
        with Client(scheduler) as client:
            yield client


def _panel(block: np.ndarray, periods, indicators) -> xr.DataArray:
    return xr.DataArray(block, dims=("entity", "period", "indicator"),
                        coords={"entity": np.arange(block.shape[0]), "period": periods, "indicator": indicators})


def _impute_block(block, periods, indicators, method, params):
    return impute(_panel(block, periods, indicators), method, **params)[0].values


def jrc_plan(block: np.ndarray, *, winmax: int = 5, skew_thresh: float = 2.0, kurt_thresh: float = 3.5,
             transform: str = "log_ct", combine: bool = False, scope: str = "panel") -> np.ndarray:
    """What the JRC rule does to each indicator column of ``block`` ``(E, P, I)`` (all entities):
    rows ``mode, a, b`` per column, ``mode`` one of KEEP, CLIP (to [a, b]), LOG (``log_ct`` of the
    original between a = min and b = max), CLIP_LOG (clip, then ``log_ct`` between a and b)."""
    if scope != "panel":
        raise PipelineError("chunked treat jrc: only scope 'panel' (statistics over all entity-periods)")
    if transform not in ("log_ct", "none"):
        raise PipelineError(f"treat: transform must be 'log_ct' or 'none', got {transform!r}")
    original = block.reshape(-1, block.shape[-1])
    fails = failing(original, skew_thresh, kurt_thresh)
    x, high, low = _winsorise(original.copy(), fails.copy(), [winmax], skew_thresh, kurt_thresh)[winmax]
    still = failing(x, skew_thresh, kurt_thresh) & fails & (transform == "log_ct")
    moved = (high | low).any(axis=0)
    out = np.zeros((3, original.shape[1]))
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lo_x, hi_x = np.nanmin(x, axis=0), np.nanmax(x, axis=0)
            lo_o, hi_o = np.nanmin(original, axis=0), np.nanmax(original, axis=0)
    mode = np.where(still, np.where(combine & moved, CLIP_LOG, LOG), np.where(moved, CLIP, KEEP))
    out[0] = mode
    out[1] = np.where(mode == LOG, lo_o, lo_x)
    out[2] = np.where(mode == LOG, hi_o, hi_x)
    return out


def _treat_block(block, plan):
    mode, a, b = plan
    out = block.copy()
    clip = (mode == CLIP) | (mode == CLIP_LOG)
    if clip.any():
        out[..., clip] = np.clip(block[..., clip], a[clip], b[clip])
    logged = (mode == LOG) | (mode == CLIP_LOG)
    if logged.any():
        out[..., logged] = log_ct_between(out[..., logged], a[logged], b[logged])
    return out


def _minmax_block(block, sign, low, high, lo, hi, scope):
    v = block * sign
    lo_v, hi_v = (low[None, None, :], high[None, None, :]) if scope == "panel" else (low[None], high[None])
    with np.errstate(invalid="ignore", divide="ignore"):
        return (v - lo_v) / (hi_v - lo_v) * (hi - lo) + lo


def _aggregate_block(block, periods, indicators, method, working, weights, params):
    return aggregate(_panel(block, periods, indicators), method, framework=working, weights=weights,
                     **params)[0].values


def _check(recipe) -> None:
    for k, step in enumerate(recipe.steps):
        if step.method not in SUPPORTED.get(step.step, set()):
            raise PipelineError(
                f"recipe {recipe.name!r} steps[{k}] ({step.step} {step.method}): not available chunked over "
                f"entities (it needs all entities at once); chunked steps: "
                f"{ {s: sorted(m) for s, m in SUPPORTED.items()} }; run this recipe with build() in memory")
        if step.step == "impute" and "by" in step.params:
            raise PipelineError(f"recipe steps[{k}]: group imputation is not available chunked over entities")


def build_chunked(recipe, data: xr.DataArray, framework: Framework | str, *, chunk: int = 10_000,
                  codes: list[str] | str | None = None, indicator_block: int = 4,
                  scheduler: str | None = None, memory: int | float | str = "2GB") -> xr.DataArray:
    """Scores ``(entity, period, code)`` of ``recipe`` on ``data``, computed on Dask in blocks of
    ``chunk`` entities; equal to ``build(recipe, data, framework).scores`` (same codes and order).

    Parameters
    ----------
    data
        Panel ``(entity, period, indicator)``, numpy- or dask-backed (a dask-backed panel is
        never loaded whole: a synthetic or on-disk panel can exceed memory).
    codes
        Codes to return (default all; ``"aggregates"``: the groups and the index only, which is
        what keeps a 250,000-entity result small).
    indicator_block
        Indicators per JRC task (each task holds ``entities x periods x indicator_block`` values).
    scheduler
        ``None``: Dask's threaded scheduler in this process; ``"local"``: a LocalCluster;
        otherwise a scheduler address ``tcp://host:8786``.
    memory
        Budget for holding the panel in memory between the passes over all entities (``"2GB"``,
        bytes): a panel within it is kept (persisted) once; a larger one is recomputed block by
        block for each pass (more time, memory bounded by the blocks). The scores are the same.
    """
    import dask
    import dask.array as da

    from holisec.pipeline.build import _coerce_recipe

    recipe = _coerce_recipe(recipe)
    framework = load_framework(framework)
    _check(recipe)
    if set(data.dims) != {"entity", "period", "indicator"}:
        raise PipelineError(f"chunked build: panel dims must be (entity, period, indicator), got {data.dims}")
    data = data.transpose("entity", "period", "indicator")
    have = set(map(str, data["indicator"].values))
    keep = [c for c in framework.indicator_ids if c in have]
    if not keep:
        raise PipelineError(f"none of framework {framework.id!r}'s indicators are in the data")
    working = framework if len(keep) == len(framework.indicator_ids) else framework.with_indicators(keep)
    panel = data.sel(indicator=keep)
    periods, entities = panel["period"].values, panel["entity"].values
    x = panel.data if isinstance(panel.data, da.Array) else da.from_array(panel.values, chunks=(chunk, -1, -1))
    x = x.astype("float64").rechunk((chunk, -1, -1))
    weights_used, scores = None, None
    # The first whole-panel step holds its input in memory (every indicator task reads every entity
    # block); later whole-panel reductions stream from that one copy instead of persisting a second
    # (two live copies made 250k entities x 100 x 12 peak at 5.4 GB).
    budget = parse_memory(memory)
    persisted = False
    context = client_for(scheduler) if scheduler else nullcontext()
    with context:
        for step in recipe.steps:
            params = dict(step.params)
            if step.step == "impute":
                x = x.map_blocks(_impute_block, periods, keep, step.method, params, dtype="float64")
            elif step.step == "treat":
                if not persisted and x.nbytes <= budget:
                    x, persisted = x.persist(), True  # every indicator task reads all entity blocks
                blocks = [x[:, :, s:s + indicator_block] for s in range(0, len(keep), indicator_block)]
                plans = dask.compute(*[dask.delayed(jrc_plan)(b, **params) for b in blocks])
                x = x.map_blocks(_treat_block, np.concatenate(plans, axis=1), dtype="float64")
            elif step.step == "normalise":
                scope, lo, hi = params.get("scope", "panel"), params.get("lo", 0.0), params.get("hi", 100.0)
                if scope not in ("panel", "period"):
                    raise PipelineError(f"normalise: scope must be 'panel' or 'period', got {scope!r}")
                sign = directions(working, keep).values
                if not persisted and x.nbytes <= budget:
                    x, persisted = x.persist(), True
                signed = x * sign
                axes = (0, 1) if scope == "panel" else (0,)
                low, high = dask.compute(da.nanmin(signed, axis=axes), da.nanmax(signed, axis=axes))
                x = x.map_blocks(_minmax_block, sign, low, high, lo, hi, scope, dtype="float64")
            elif step.step == "weight":
                weights_used, _ = weight(working, step.method, **params)
            else:  # aggregate
                if weights_used is None:
                    weights_used, _ = weight(working, "framework")
                probe = aggregate(_panel(np.ones((1, len(periods), len(keep))), periods, keep), step.method,
                                  framework=working, weights=weights_used, **params)[0]
                out_codes = list(probe["code"].values)
                y = x.map_blocks(_aggregate_block, periods, keep, step.method, working, weights_used, params,
                                 dtype="float64", chunks=(x.chunks[0], (len(periods),), (len(out_codes),)))
                want = out_codes
                if codes == "aggregates":
                    want = [c for c in out_codes if working.tree.at[c, "type"] == "Aggregate"]
                elif codes is not None:
                    want = list(codes)
                index = [out_codes.index(c) for c in want]
                values = y[:, :, index].compute()
                scores = xr.DataArray(values, dims=("entity", "period", "code"), coords={
                    "entity": entities, "period": periods, "code": want,
                    "level": ("code", probe["level"].values[index])})
    if scores is None:
        raise PipelineError(f"recipe {recipe.name!r} has no aggregate step")
    scores.attrs["polarity"] = framework.polarity
    return scores
