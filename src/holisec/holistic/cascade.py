"""Cascade stress test: shock a domain or an indicator and propagate it through the links.

With ``B`` the ``source x target`` matrix of links (the significant panel Granger
coefficients, or an expert matrix such as DEMATEL's normalised ``N``) and ``p`` the domains'
persistence (own-lag coefficients; 0 for expert links), a shock ``s`` (index points on the
0-100 scale) at ``t0`` moves the domains by

    delta_0 = s,     delta_h = delta_{h-1} (B + diag(p))     (h = 1 .. k periods)

and each period's domains are ``baseline(t0) + delta_h`` (clipped to 0-100); the index is
recomputed from them with the recipe's own aggregation and domain weights. An indicator shock
of ``s`` normalised points enters its domain as ``s x`` its weight in the domain (exact for
arithmetic means). The path is a linear what-if around the baseline, not a forecast: it
inherits every caveat of the links (predictive, not causal).

**Intervals** (:func:`cascade_band`): the same path for ``R`` draws at once, each with its own
links ``B_r = B + Z_r * SE`` and persistence ``p_r = p + z_r * se_p`` (independent normal draws
around the estimates, on the significant links only: the sampling error of the estimated links),
and, when an uncertainty run is given, the baseline domain levels of its replication ``r``
(the index choices' uncertainty, see docs/uncertainty.md). The band is the 5-95 % range of the
index change over the draws; links that were not significant stay at 0 (the band is conditional
on the selected links).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from holisec.holistic._common import HolisticError, domain_scores, domains

_LINEAR_ROOT = {"amean", "gmean", "hmean"}


def expert_links(dematel_result) -> pd.DataFrame:
    """Per-period propagation matrix of an expert DEMATEL analysis: its normalised ``N``."""
    return dematel_result.normalised.rename_axis(index="source", columns="target")


def cascade(result, links: pd.DataFrame, *, entity: str, period: int, shock: float, domain: str | None = None,
            indicator: str | None = None, steps: int = 3, persistence: dict[str, float] | None = None) -> pd.DataFrame:
    """Path of the domains and the index after a shock, one row per step ``h = 0 .. steps``.

    Columns: ``step``, one per domain (score), ``index``, ``index_change`` (vs the baseline of
    ``period``). Exactly one of ``domain`` or ``indicator`` is shocked.
    """
    doms = _check(result, links, entity=entity, period=period, domain=domain, indicator=indicator, steps=steps)
    m = _matrix(links, doms) + np.diag(_vector(persistence, doms))
    base = _baseline(result, entity, period, doms)
    delta = _shock(result, doms, entity, period, shock, domain, indicator)
    levels = _propagate(base, m, delta, steps)
    index = _root(result, levels, doms)
    baseline = float(_root(result, base[None, :], doms)[0])
    out = pd.DataFrame(levels, columns=doms)
    out.insert(0, "step", np.arange(steps + 1))
    out["index"] = index
    out["index_change"] = index - baseline
    out.attrs.update(entity=entity, period=int(period), shock=shock, target=domain or indicator,
                     scale="0-100, higher = more risk")
    return out


def _check(result, links: pd.DataFrame, *, entity, period, domain, indicator, steps) -> list[str]:
    doms = domains(result)
    if (domain is None) == (indicator is None):
        raise HolisticError("cascade: shock exactly one of a domain or an indicator")
    if steps < 0:
        raise HolisticError(f"cascade: steps must be >= 0, got {steps}")
    if entity not in result.scores["entity"].values:
        raise HolisticError(f"cascade: unknown entity {entity!r}")
    if period not in result.scores["period"].values:
        raise HolisticError(f"cascade: no period {period} in the index")
    unknown = [c for c in [*links.index, *links.columns] if c not in doms]
    if unknown:
        raise HolisticError(f"cascade: the link matrix names unknown domain(s) {sorted(set(unknown))}; domains are {doms}")
    return doms


def _matrix(links: pd.DataFrame, doms: list[str]) -> np.ndarray:
    return links.reindex(index=doms, columns=doms).fillna(0.0).to_numpy(dtype=float)


def _vector(values: dict[str, float] | None, doms: list[str]) -> np.ndarray:
    return np.array([float((values or {}).get(d, 0.0)) for d in doms])


def _baseline(result, entity: str, period: int, doms: list[str]) -> np.ndarray:
    base = domain_scores(result).sel(entity=entity, period=period).values
    if np.isnan(base).any():
        raise HolisticError(f"cascade: {entity} {period} lacks domain scores for "
                            f"{[d for d, v in zip(doms, base) if np.isnan(v)]}")
    return base


def _shock(result, doms, entity, period, shock, domain, indicator) -> np.ndarray:
    """The shock as domain points: ``s`` on the domain, or ``s x`` the indicator's weight in its domain."""
    delta = np.zeros(len(doms))
    if domain is not None:
        if domain not in doms:
            raise HolisticError(f"cascade: unknown domain {domain!r}; domains are {doms}")
        delta[doms.index(domain)] = shock
        return delta
    if indicator not in result.framework.indicator_ids:
        raise HolisticError(f"cascade: unknown indicator {indicator!r}")
    from holisec.holistic.obstacles import effective_weights

    f = effective_weights(result).sel(entity=entity, period=period)
    parent = result.framework.domain_of(indicator)
    if parent not in doms or float(f.sel(code=parent)) == 0:
        raise HolisticError(f"cascade: indicator {indicator!r} has no weight in {entity} {period}")
    delta[doms.index(parent)] = shock * float(f.sel(code=indicator)) / float(f.sel(code=parent))
    return delta


def _propagate(base: np.ndarray, m: np.ndarray, delta: np.ndarray, steps: int) -> np.ndarray:
    """Levels ``(..., step, domain)`` = ``clip(base + delta_h)``, ``delta_h = delta_{h-1} M``;
    leading axes (draws) broadcast through ``base (..., d)``, ``m (..., d, d)``."""
    lead = np.broadcast_shapes(base.shape[:-1], m.shape[:-2])
    path = [np.broadcast_to(delta, (*lead, delta.shape[-1]))]
    for _ in range(steps):
        path.append(np.einsum("...i,...ij->...j", path[-1], m))
    return np.clip(base[..., None, :] + np.stack(path, axis=-2), 0.0, 100.0)


def cascade_band(result, links: pd.DataFrame, se: pd.DataFrame, *, entity: str, period: int, shock: float,
                 domain: str | None = None, indicator: str | None = None, steps: int = 3,
                 persistence: dict[str, float] | None = None, persistence_se: dict[str, float] | None = None,
                 draws: int = 1000, seed: int = 0, uncertainty=None, level: float = 0.90) -> pd.DataFrame:
    """The cascade path of :func:`cascade` with a ``level`` band over ``draws`` draws of the links
    (and of the baseline, from an :class:`~holisec.uncertainty.UncertaintyResult` of the same build).

    Columns: ``step``, ``index_change`` (nominal path), ``index_change_median``, ``index_change_lo``,
    ``index_change_hi`` (the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles over draws),
    ``p_increase`` (share of draws in which the index rises), ``draws``.
    """
    doms = _check(result, links, entity=entity, period=period, domain=domain, indicator=indicator, steps=steps)
    if draws < 2:
        raise HolisticError(f"cascade: draws must be >= 2, got {draws}")
    if not 0 < level < 1:
        raise HolisticError(f"cascade: level must be in (0, 1), got {level}")
    b, s = _matrix(links, doms), _matrix(se, doms)
    if np.isnan(s).any() or (s < 0).any():
        raise HolisticError("cascade: link standard errors must be finite and >= 0")
    p, sp = _vector(persistence, doms), _vector(persistence_se, doms)
    base = _baseline(result, entity, period, doms)
    if uncertainty is not None:
        rep = uncertainty.scores.sel(entity=entity, period=period, code=doms).transpose("replication", "code").values
        if np.isnan(rep).any():
            raise HolisticError(f"cascade: the uncertainty run lacks domain scores of {entity} {period} in some replications")
        draws = rep.shape[0]
    rng = np.random.default_rng(seed)
    own = p + rng.standard_normal((draws, len(doms))) * sp  # (draws, d) persistence on the diagonal
    m = b + rng.standard_normal((draws, *b.shape)) * s + own[:, :, None] * np.eye(len(doms))
    delta = _shock(result, doms, entity, period, shock, domain, indicator)
    levels = _propagate(rep if uncertainty is not None else base, m, delta, steps)
    start = base if uncertainty is None else rep
    change = _root(result, levels, doms) - _root(result, start[..., None, :], doms)[..., :1]
    nominal = _propagate(base, b + np.diag(p), delta, steps)
    nominal_change = _root(result, nominal, doms) - _root(result, base[None, :], doms)[0]
    lo, med, hi = np.quantile(change, [(1 - level) / 2, 0.5, (1 + level) / 2], axis=0)
    out = pd.DataFrame({"step": np.arange(steps + 1), "index_change": nominal_change, "index_change_median": med,
                        "index_change_lo": lo, "index_change_hi": hi, "p_increase": (change > 0).mean(axis=0),
                        "draws": draws})
    out.attrs.update(entity=entity, period=int(period), shock=shock, target=domain or indicator, level=level,
                     seed=seed, baseline="uncertainty run" if uncertainty is not None else "nominal build",
                     scale="index points (0-100, higher = more risk)")
    return out


def _root(result, levels: np.ndarray, doms: list[str]) -> np.ndarray:
    from holisec.pipeline.steps.aggregate import METHODS

    step = next(s for s in result.recipe.steps if s.step == "aggregate")
    if step.method not in _LINEAR_ROOT:
        raise HolisticError(f"cascade: the index aggregation {step.method!r} compares entities; "
                            f"recompute needs one of {sorted(_LINEAR_ROOT)}")
    w = result.weights.reindex(doms).fillna(0.0).to_numpy(dtype=float)[:, None]
    return METHODS[step.method](levels, ~np.isnan(levels), w)[..., 0]  # (..., steps, domains) -> (..., steps)
