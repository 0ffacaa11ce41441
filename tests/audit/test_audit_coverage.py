"""Coverage of the raw panel against hand counts."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from holisec.audit import coverage, coverage_summary


@pytest.fixture
def raw() -> xr.DataArray:
    da = xr.DataArray(np.ones((5, 2, 3)), dims=("entity", "period", "indicator"),
                      coords={"entity": ["e1", "e2", "e3", "e4", "e5"], "period": [2000, 2001],
                              "indicator": ["a", "b", "c"]})
    for e, p, i in [("e1", 2000, "a"), ("e2", 2000, "a"), ("e3", 2000, "a"), ("e4", 2001, "a"),
                    ("e5", 2001, "b")]:
        da.loc[dict(entity=e, period=p, indicator=i)] = np.nan
    return da


def test_by_indicator(raw):
    # a: 4 of 10 missing -> 6/10 = 0.6 < 0.65 flagged; b: 9/10; c: 10/10.
    c = coverage(raw)
    assert c.n_observed.to_dict() == {"a": 6, "b": 9, "c": 10}
    assert (c.n_total == 10).all()
    assert c.share.to_dict() == pytest.approx({"a": 0.6, "b": 0.9, "c": 1.0})
    assert c.low.to_dict() == {"a": True, "b": False, "c": False}


def test_by_entity_period_and_pairs(raw):
    s = coverage_summary(raw, threshold=0.85)
    # every entity misses exactly 1 of 6 cells -> 5/6 = 0.833 < 0.85
    assert s["entity"].share.to_numpy() == pytest.approx([5 / 6] * 5)
    assert s["entity"].low.all()
    # 2000: 3 of 15 missing -> 0.8 (flagged at 0.85); 2001: 2 of 15 -> 13/15 = 0.867
    assert s["period"].share.to_dict() == pytest.approx({2000: 0.8, 2001: 13 / 15})
    assert s["period"].low.to_dict() == {2000: True, 2001: False}
    ip = coverage(raw, by=("indicator", "period"))
    assert ip.loc[("a", 2000), "share"] == pytest.approx(2 / 5)  # 3 of 5 entities missing
    assert ip.loc[("c", 2001), "n_total"] == 5
    one = coverage(raw, period=2001)
    assert one.loc["a", "share"] == pytest.approx(4 / 5)


def test_bad_dims(raw):
    with pytest.raises(ValueError):
        coverage(raw, by="code")
    with pytest.raises(ValueError):
        coverage(raw.rename(indicator="code"))
