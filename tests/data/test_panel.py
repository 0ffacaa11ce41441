import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from holisec.data.panel import DIMS, to_long, to_panel


def test_to_panel_shape_sorted_float():
    df = pd.DataFrame({"entity": ["FRA", "DEU", "FRA"], "period": [2021, 2020, 2020],
                       "indicator": ["b", "a", "a"], "value": [1, 2, 3]})
    da = to_panel(df)
    assert da.dims == DIMS and da.name == "value" and da.dtype == np.float64
    assert da["entity"].values.tolist() == ["DEU", "FRA"]
    assert da["period"].values.tolist() == [2020, 2021] and da["period"].dtype == np.int64
    assert da.sel(entity="FRA", period=2020, indicator="a").item() == 3.0
    assert np.isnan(da.sel(entity="DEU", period=2021, indicator="b").item())


def test_to_panel_rejects_duplicates_and_missing_columns():
    df = pd.DataFrame({"entity": ["A", "A"], "period": [1, 1], "indicator": ["x", "x"], "value": [1, 2]})
    with pytest.raises(ValueError, match="duplicate"):
        to_panel(df)
    with pytest.raises(ValueError, match="missing column"):
        to_panel(df.drop(columns="value"))


def test_empty_round_trip():
    da = to_panel(pd.DataFrame(columns=["entity", "period", "indicator", "value"]))
    assert da.shape == (0, 0, 0) and to_long(da).empty


def test_to_long_accepts_transposed():
    df = pd.DataFrame({"entity": ["A"], "period": [2000], "indicator": ["x"], "value": [1.5]})
    out = to_long(to_panel(df).transpose("indicator", "entity", "period"))
    pd.testing.assert_frame_equal(out, df)


keys = st.tuples(st.sampled_from(["AFG", "BRA", "CHN", "DEU", "r1"]), st.integers(1990, 2025),
                 st.sampled_from(["gdp", "pop", "x.y"]))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(keys, st.floats(allow_nan=True, allow_infinity=False, width=64), max_size=40))
def test_round_trip_property(cells):
    df = pd.DataFrame([(*k, v) for k, v in cells.items()], columns=["entity", "period", "indicator", "value"])
    da = to_panel(df)
    back = to_long(da)
    expect = (df.dropna(subset=["value"]).sort_values(["entity", "period", "indicator"])
              .reset_index(drop=True).astype({"entity": "str", "period": np.int64, "indicator": "str",
                                              "value": np.float64}))
    pd.testing.assert_frame_equal(back, expect)
    pd.testing.assert_frame_equal(to_long(to_panel(back)), back)
    assert int(da.notnull().sum()) == len(back)
