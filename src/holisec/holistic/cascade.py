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
inherits every caveat of the links (predictive, not causal) and ignores shocks' uncertainty.
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
    b = links.reindex(index=doms, columns=doms).fillna(0.0).to_numpy(dtype=float)
    p = np.array([float((persistence or {}).get(d, 0.0)) for d in doms])
    m = b + np.diag(p)
    base = domain_scores(result).sel(entity=entity, period=period).values
    if np.isnan(base).any():
        raise HolisticError(f"cascade: {entity} {period} lacks domain scores for "
                            f"{[d for d, v in zip(doms, base) if np.isnan(v)]}")
    delta = np.zeros(len(doms))
    if domain is not None:
        if domain not in doms:
            raise HolisticError(f"cascade: unknown domain {domain!r}; domains are {doms}")
        delta[doms.index(domain)] = shock
    else:
        if indicator not in result.framework.indicator_ids:
            raise HolisticError(f"cascade: unknown indicator {indicator!r}")
        from holisec.holistic.obstacles import effective_weights

        f = effective_weights(result).sel(entity=entity, period=period)
        parent = result.framework.domain_of(indicator)
        if parent not in doms or float(f.sel(code=parent)) == 0:
            raise HolisticError(f"cascade: indicator {indicator!r} has no weight in {entity} {period}")
        delta[doms.index(parent)] = shock * float(f.sel(code=indicator)) / float(f.sel(code=parent))
    path = [delta]
    for _ in range(steps):
        path.append(path[-1] @ m)
    levels = np.clip(base[None, :] + np.array(path), 0.0, 100.0)
    index = _root(result, levels, doms)
    baseline = float(_root(result, base[None, :], doms)[0])
    out = pd.DataFrame(levels, columns=doms)
    out.insert(0, "step", np.arange(steps + 1))
    out["index"] = index
    out["index_change"] = index - baseline
    out.attrs.update(entity=entity, period=int(period), shock=shock, target=domain or indicator,
                     scale="0-100, higher = more risk")
    return out


def _root(result, levels: np.ndarray, doms: list[str]) -> np.ndarray:
    from holisec.pipeline.steps.aggregate import METHODS

    step = next(s for s in result.recipe.steps if s.step == "aggregate")
    if step.method not in _LINEAR_ROOT:
        raise HolisticError(f"cascade: the index aggregation {step.method!r} compares entities; "
                            f"recompute needs one of {sorted(_LINEAR_ROOT)}")
    w = result.weights.reindex(doms).fillna(0.0).to_numpy(dtype=float)[:, None]
    values = levels[:, None, :].transpose(1, 0, 2)  # (1 entity, steps, domains)
    return METHODS[step.method](values, ~np.isnan(values), w)[0, :, 0]
