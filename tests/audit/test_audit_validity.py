"""External validity against published indices: hand-computed correlations, polarity, alignment."""
import numpy as np
import pytest
import xarray as xr

from holisec.audit.validity import external_validity, summarise_validity


def _scores(values, entities, periods, codes):
    da = xr.DataArray(np.asarray(values, float), dims=("entity", "period", "code"),
                      coords={"entity": entities, "period": periods, "code": codes})
    return da.assign_coords(level=("code", [2] * len(codes)))


def test_hand_computed_pearson_spearman_and_polarity():
    # one period, 4 entities; our index x = (1, 2, 3, 4)
    s = _scores([[[1]], [[2]], [[3]], [[4]]], ["A", "B", "C", "D"], [2019], ["index"])
    # FSI-like (higher = risk) y = (2, 4, 5, 9): r = cov/(sx sy)
    # dx = (-1.5, -0.5, 0.5, 1.5), dy = (-3, -1, 0, 4): sum dx dy = 4.5 + 0.5 + 0 + 6 = 11
    # sum dx^2 = 5, sum dy^2 = 9 + 1 + 0 + 16 = 26 -> r = 11 / sqrt(130)
    # ND-GAIN-like (higher = better) z = (9, 5, 4, 2): oriented by -1 -> same as y
    b = xr.DataArray(np.array([[[2, 9]], [[4, 5]], [[5, 4]], [[9, 2]]], float), dims=("entity", "period", "indicator"),
                     coords={"entity": ["A", "B", "C", "D"], "period": [2019], "indicator": ["bench_fsi", "bench_ndgain"]})
    out = external_validity(s, b)
    assert out["pearson"].tolist() == pytest.approx([11 / np.sqrt(130)] * 2)
    assert out["spearman"].tolist() == pytest.approx([1.0, 1.0])
    assert out["n"].tolist() == [4, 4]


def test_only_common_entities_and_periods_count():
    s = _scores([[[1], [5]], [[2], [6]], [[3], [np.nan]], [[4], [8]]], ["A", "B", "C", "D"], [2018, 2019], ["index"])
    b = xr.DataArray(np.array([[[1]], [[3]], [[2]], [[np.nan]], [[7]]], float), dims=("entity", "period", "indicator"),
                     coords={"entity": ["A", "B", "C", "D", "E"], "period": [2019], "indicator": ["bench_gpi"]})
    out = external_validity(s, b)
    # 2019 only; cases A (5, 1), B (6, 3): C has no score, D no benchmark, E no score -> n = 2 < 3: dropped
    assert out.empty
    b2 = b.copy(data=np.array([[[1]], [[3]], [[2]], [[4]], [[7]]], float))
    out = external_validity(s, b2)
    # cases A (5,1), B (6,3), D (8,4): ranks (1,2,3) vs (1,2,3) -> rho 1
    assert out[["period", "n"]].values.tolist() == [[2019, 3]]
    assert out["spearman"].item() == pytest.approx(1.0)
    assert summarise_validity(out)["periods"].item() == 1
