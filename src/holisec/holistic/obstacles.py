"""Obstacle degree: each indicator's and domain's share in a country's gap to the ideal.

For entity ``e`` and period ``t``, indicator ``j`` with risk score ``r_j`` on 0-100:

* factor contribution ``F_j`` = the indicator's effective weight in the index, the product
  of its within-parent weights down the tree, renormalised over the children present (as
  the aggregation does);
* deviation ``I_j = r_j / 100``: distance from the ideal of no risk (the obstacle-degree
  literature's ``1 - x'_j`` with ``x'`` the standardised security level);
* obstacle degree ``O_j = F_j I_j / sum_k F_k I_k`` (in %), and a domain's ``O_d`` is the
  sum over its indicators.

With arithmetic-mean aggregation ``O_j`` is exactly indicator ``j``'s share of the index.
An entity-period whose gap is zero (no risk anywhere) has no obstacle: not measurable.

References
----------
Yang, Q., Ding, Y.-Y., de Vries, B., Han, Q. & Ma, H.-M. (2014) Assessing regional
sustainability using a model of coordinated development index: a case study of mainland
China. *Sustainability* 6(12), 9282-9304 (obstacle degree model ``O = F I / sum F I``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from holisec.holistic._common import HolisticError


def effective_weights(result) -> xr.DataArray:
    """``F`` per ``(entity, period, code)`` for every scored code: product of the within-parent
    weights from the root down, renormalised over the siblings present."""
    scores = result.scores
    tree = result.framework.tree
    codes = [c for c in scores["code"].values]
    present = scores.notnull()
    weight = result.weights.reindex(codes).fillna(tree["weight"].reindex(codes)).astype(float)
    out = {result.root: present.sel(code=result.root).astype(float)}
    order = tree.loc[codes].sort_values("level", ascending=False).index
    for group in order:
        kids = [c for c in result.framework.children(group) if c in weight.index]
        if group not in out or not kids:
            continue
        w = present.sel(code=kids) * xr.DataArray(weight[kids].to_numpy(), dims="code", coords={"code": kids})
        total = w.sum("code")
        share = (w / total.where(total > 0)).fillna(0.0)
        for kid in kids:
            out[kid] = share.sel(code=kid, drop=True) * out[group]
    stacked = xr.concat([out[c].drop_vars("code", errors="ignore") for c in codes], dim="code")
    return stacked.assign_coords(code=codes).transpose("entity", "period", "code")


def obstacle_degree(result, scale: float = 100.0) -> xr.Dataset:
    """Obstacle degree (%) of every indicator and of every group, ``(entity, period, code)``.

    Returns a Dataset with ``obstacle`` (%), ``contribution`` (``F``), ``deviation`` (``I``)
    and ``measurable`` (``(entity, period)``: the gap to the ideal is positive).
    """
    tree = result.framework.tree
    f = effective_weights(result)
    scores = result.scores.drop_vars("level", errors="ignore")
    indicators = [c for c in scores["code"].values if tree.at[c, "type"] == "Indicator"]
    values = scores.values[~np.isnan(scores.values)]
    if values.size and (values.min() < -1e-9 or values.max() > scale + 1e-9):
        raise HolisticError(
            f"obstacles: scores span {values.min():.3g}..{values.max():.3g}, outside 0..{scale:g}; the deviation "
            "from the ideal needs the 0-100 risk scale (normalise minmax lo=0 hi=100)")
    deviation = (scores / scale).clip(0, None)
    part = (f * deviation).sel(code=indicators).fillna(0.0)
    gap = part.sum("code")
    measurable = gap > 0
    share = 100 * part / gap.where(measurable)
    leaves = {c: [k for k in result.framework.leaves(c) if k in indicators] for c in scores["code"].values}
    groups = [c for c in scores["code"].values if c not in indicators]
    by_group = [share.sel(code=leaves[g]).sum("code").where(measurable) for g in groups]
    full = xr.concat([share, *[b.expand_dims(code=[g]) for g, b in zip(groups, by_group)]], dim="code")
    full = full.sel(code=list(scores["code"].values)).transpose("entity", "period", "code")
    return xr.Dataset({"obstacle": full, "contribution": f, "deviation": deviation, "measurable": measurable})


def obstacle_table(result, entity: str, period: int | None = None, *, level: str = "indicator") -> pd.DataFrame:
    """Ranked obstacles of one entity (default: its latest period with scores).

    ``level``: ``"indicator"`` or ``"domain"``. Columns: ``code, name, domain, score``
    (0-100, higher = more risk), ``contribution``, ``obstacle`` (% of the gap), ``rank``.
    """
    ents = list(result.scores["entity"].values)
    if entity not in ents:
        raise HolisticError(f"obstacles: unknown entity {entity!r}; the index has {len(ents)} entities (ISO3 codes)")
    if level not in ("indicator", "domain"):
        raise HolisticError(f"obstacles: level must be 'indicator' or 'domain', got {level!r}")
    root_scores = result.scores.sel(entity=entity, code=result.root)
    scored = [int(p) for p in root_scores["period"].values[root_scores.notnull().values]]
    if not scored:
        raise HolisticError(f"obstacles: entity {entity!r} has no index score in any period")
    if period is None:
        period = scored[-1]
    elif period not in scored:
        raise HolisticError(f"obstacles: {entity} has no index score in {period}; scored periods {scored[0]}-{scored[-1]}")
    ds = obstacle_degree(result).sel(entity=entity, period=period)
    if not bool(ds["measurable"]):
        raise HolisticError(f"obstacles: {entity} {period} has no risk in any indicator; nothing holds it back")
    tree = result.framework.tree
    fw = result.framework
    codes = [c for c in ds["code"].values if (tree.at[c, "type"] == "Indicator") == (level == "indicator")
             and c != result.root and (level == "indicator" or tree.at[c, "parent"] == result.root)]
    frame = pd.DataFrame({
        "code": codes, "name": [tree.at[c, "name"] for c in codes],
        "domain": [fw.domain_of(c) if level == "indicator" else c for c in codes],
        "score": result.scores.sel(entity=entity, period=period, code=codes).values,
        "contribution": ds["contribution"].sel(code=codes).values,
        "obstacle": ds["obstacle"].sel(code=codes).values,
    })
    frame = frame.sort_values("obstacle", ascending=False, kind="stable").reset_index(drop=True)
    frame["rank"] = np.arange(1, len(frame) + 1)
    frame.attrs.update(entity=entity, period=int(period))
    return frame
