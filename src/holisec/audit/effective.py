"""Effective weights: each element's share of the index implied by the nominal weights.

``eff_c = w_c * eff_parent(c)``, ``eff_root = 1``, with ``w_c`` the weight of ``c`` normalised
to sum to one among its siblings: the product of the normalised weights on the path from
``c`` up to the root. The effective weights of the indicators (and of the codes at any one
level) sum to one. This is COINr's ``get_eff_weights()`` (column ``EffWeight``); it describes
the weighting scheme only. How much each component actually drives its parent's variance is
the correlation-based importance (:mod:`holisec.audit.correlation_importance`).

References
----------
Becker, W. et al. (2022) COINr, ``get_eff_weights()``: https://bluefoxr.github.io/COINr/articles/weights.html
OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, step 6.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ["code", "type", "level", "parent", "weight", "effective_weight"]


def effective_weights(tree: pd.DataFrame, weights: pd.Series | None = None) -> pd.DataFrame:
    """Effective weight of every code of ``tree`` (COINr ``get_eff_weights``).

    Parameters
    ----------
    tree : pandas.DataFrame
        ``framework.tree`` (index code; columns ``type``, ``level``, ``parent``, ``weight``).
    weights : pandas.Series, optional
        Weights actually used (``result.weights``); default the tree's ``weight``. They are
        normalised among siblings here, so raw or normalised weights give the same result.

    Returns
    -------
    pandas.DataFrame
        ``code, type, level, parent, weight`` (normalised within the parent) and
        ``effective_weight``, in tree order.
    """
    raw = tree["weight"] if weights is None else weights.reindex(tree.index).fillna(tree["weight"])
    raw = raw.astype("float64")
    parent = tree["parent"]
    is_root = parent.isna().to_numpy()
    totals = raw.groupby(parent.fillna("").to_numpy()).transform("sum").to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        within = np.where(is_root, 1.0, raw.to_numpy() / totals)
    within = pd.Series(within, index=tree.index)
    effective = within.copy()
    # top-down: one vectorised step per level (a parent's effective weight is final before its children's)
    for level in sorted(tree["level"].unique(), reverse=True):
        at = (tree["level"] == level).to_numpy() & ~is_root
        effective[at] = within[at].to_numpy() * effective.reindex(parent[at]).to_numpy()
    return pd.DataFrame({"code": tree.index, "type": tree["type"].to_numpy(), "level": tree["level"].to_numpy(),
                         "parent": parent.to_numpy(), "weight": within.to_numpy(),
                         "effective_weight": effective.to_numpy()}, columns=COLUMNS).reset_index(drop=True)
