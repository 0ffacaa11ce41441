"""Leave-one-out importance with a toy rebuild callable and hand-computed rank shifts."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from holisec.audit import leave_one_out, rank_shift, summarise_importance

# Tree: p, q -> G1; w -> G2; G1, G2 -> IDX. The toy "pipeline" = mean of the remaining leaves.
TREE = pd.DataFrame({"name": ["p", "q", "w", "G1", "G2", "IDX"],
                     "type": ["Indicator"] * 3 + ["Aggregate"] * 3,
                     "parent": ["G1", "G1", "G2", "IDX", "IDX", None], "weight": 1.0, "direction": 1,
                     "level": [1, 1, 1, 2, 2, 3]}, index=["p", "q", "w", "G1", "G2", "IDX"])
LEAVES = xr.DataArray(
    np.repeat(np.array([[1, 3, 0], [2, 1, 0], [3, 4, 0], [4, 6, 0]], float)[:, None, :], 2, axis=1),
    dims=("entity", "period", "code"),
    coords={"entity": ["e1", "e2", "e3", "e4"], "period": [2000, 2001], "code": ["p", "q", "w"]})


def rebuild(drop: list[str]) -> xr.DataArray:
    keep = [c for c in ["p", "q", "w"] if c not in drop]
    return LEAVES.sel(code=keep).mean("code")


def test_leave_one_out_hand_values():
    calls = []

    def spy(drop):
        calls.append(sorted(drop))
        return rebuild(drop)

    base = rebuild([])
    # baseline (p+q+w)/3 = [4,3,7,10]/3 -> ranks (1 = most risk) e1..e4 = [3,4,2,1]
    out = leave_one_out(spy, base, TREE).set_index(["dropped", "period"])
    assert calls == [["p"], ["q"], ["w"], ["p", "q"], ["w"]]
    assert "IDX" not in out.index.get_level_values(0)
    # drop p: q = [3,1,4,6] ranks [3,4,2,1] -> no change, rho = 1
    assert out.loc[("p", 2000), "mean_abs_rank_change"] == 0
    assert out.loc[("p", 2000), "spearman"] == pytest.approx(1.0)
    # drop q: p = [1,2,3,4] ranks [4,3,2,1]; |d| = [1,1,0,0] -> mean 0.5, max 1;
    # rho = 1 - 6*sum(d^2)/(n(n^2-1)) = 1 - 6*2/60 = 0.8
    for p in (2000, 2001):
        assert out.loc[("q", p), "mean_abs_rank_change"] == pytest.approx(0.5)
        assert out.loc[("q", p), "max_abs_rank_change"] == 1
        assert out.loc[("q", p), "spearman"] == pytest.approx(0.8)
    # drop G1 (p and q): only the constant w is left -> all tied at rank 2.5;
    # |d| = [0.5,1.5,0.5,1.5] -> mean 1.0, max 1.5, rho undefined (NaN)
    g1 = out.loc[("G1", 2000)]
    assert g1["type"] == "Aggregate" and g1["n_dropped"] == 2
    assert g1["mean_abs_rank_change"] == pytest.approx(1.0)
    assert g1["max_abs_rank_change"] == pytest.approx(1.5)
    assert np.isnan(g1["spearman"])
    summ = summarise_importance(out.reset_index())
    assert summ.dropped.iloc[0] == "G1"
    assert summ.set_index("dropped").at["q", "min_spearman"] == pytest.approx(0.8)


def test_rank_shift_common_entities_and_code_dim():
    base = rebuild([]).expand_dims(code=["IDX"], axis=-1)
    other = rebuild(["q"]).copy()
    other.loc[dict(entity="e4", period=2000)] = np.nan
    rs = rank_shift(base, other)
    # 2000: e4 dropped from both rankings -> baseline [4,3,7]/3 ranks [2,3,1], p [1,2,3] ranks [3,2,1]
    # |d| = [1,1,0] -> mean 2/3; rho = 1 - 6*2/(3*8) = 0.5
    assert rs.loc[2000, "n"] == 3
    assert rs.loc[2000, "mean_abs_rank_change"] == pytest.approx(2 / 3)
    assert rs.loc[2000, "spearman"] == pytest.approx(0.5)
    assert rs.loc[2001, "n"] == 4
    same = rank_shift(base, base)
    assert (same.mean_abs_rank_change == 0).all() and (same.spearman == 1).all()
    with pytest.raises(ValueError):
        rank_shift(LEAVES, LEAVES)
