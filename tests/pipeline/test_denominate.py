import numpy as np
import pytest

from holisec.framework import from_dict
from holisec.pipeline._panel import PipelineError
from holisec.pipeline.steps.denominate import denominate

from .conftest import make_panel


def test_divide_by_denominator_with_scale():
    # indicator x and population pop for three entities
    panel = make_panel([[[10, 2]], [[20, 0]], [[np.nan, 5]]], indicators=["x", "pop"])
    out, report = denominate(panel, denominators={"x": "pop"}, scale=1000)
    assert out.sel(indicator="x").values.ravel()[0] == pytest.approx(10 / 2 * 1000)
    assert np.isnan(out.sel(indicator="x").values.ravel()[1])  # zero denominator -> missing
    assert np.isnan(out.sel(indicator="x").values.ravel()[2])
    assert out.sel(indicator="pop").values.ravel().tolist() == [2, 0, 5]  # denominator kept
    assert report.to_dict("records") == [
        {"indicator": "x", "denominator": "pop", "scale": 1000.0, "n_values": 1, "n_lost": 1}
    ]


def test_denominators_default_to_framework():
    fw = from_dict({"id": "f", "name": "f", "groups": [{"id": "R", "name": "R"}], "indicators": [
        {"id": "gdp_x", "name": "x", "parent": "R", "denominator": "gdp"}]})
    panel = make_panel([[[6, 3]]], indicators=["gdp_x", "gdp"])
    out, _ = denominate(panel, framework=fw)
    assert out.sel(indicator="gdp_x").item() == 2.0


def test_unknown_denominator_is_an_error():
    with pytest.raises(PipelineError, match="area"):
        denominate(make_panel([[[1]]], indicators=["x"]), denominators={"x": "area"})
