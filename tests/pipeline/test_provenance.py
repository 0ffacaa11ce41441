"""Imputed flags, observation years, stale shares and the scale note of a build, hand-checked."""
import numpy as np
import pandas as pd
import pytest

from holisec.framework import from_dict
from holisec.pipeline import build
from holisec.pipeline.provenance import cell_sources, code_shares, observed_share, scale_note, screening_summary

from .conftest import make_panel

NaN = float("nan")
FW = from_dict({
    "id": "t", "name": "t",
    "groups": [{"id": "idx", "name": "I"}, {"id": "d", "name": "D", "parent": "idx"}],
    "indicators": [{"id": "x", "name": "X", "parent": "d"}, {"id": "y", "name": "Y", "parent": "d"}],
})
RECIPE = {"name": "t", "steps": [
    {"step": "impute", "method": "linear", "params": {"extrapolate": "both"}},
    {"step": "impute", "method": "group_median", "params": {"by": "region", "scope": "period"}},
    {"step": "normalise", "method": "minmax", "params": {"scope": "panel"}},
    {"step": "aggregate", "method": "amean"},
]}


def _result():
    # periods 2000-2003; indicators x, y
    values = [
        [[1, 10], [NaN, 20], [3, NaN], [NaN, NaN]],  # AAA: x interpolated 2001, carried 2003; y carried 2002-03
        [[2, NaN], [4, NaN], [6, NaN], [8, NaN]],    # BBB: y never observed -> group median of its region
        [[3, 30], [5, 10], [7, 40], [9, 50]],        # CCC: all observed
    ]
    panel = make_panel(values, entities=["AAA", "BBB", "CCC"], indicators=["x", "y"])
    groups = pd.DataFrame({"region": ["r", "r", "r"]}, index=["AAA", "BBB", "CCC"])
    return build(RECIPE, panel, FW, entity_groups=groups, vintage="v")


def test_cell_sources_flag_imputation_and_the_observation_year():
    cells = cell_sources(_result())
    x = cells.sel(indicator="x")
    assert x["imputed"].sel(entity="AAA").values.tolist() == [False, True, False, True]
    # interpolated 2001 rests on the 2000 observation; 2003 is the 2002 value carried forward
    assert x["obs_period"].sel(entity="AAA").values.tolist() == [2000, 2000, 2002, 2002]
    assert x["carried"].sel(entity="AAA").values.tolist() == [False, False, False, True]
    y = cells.sel(indicator="y")
    assert y["obs_period"].sel(entity="AAA").values.tolist() == [2000, 2001, 2001, 2001]
    assert y["carried"].sel(entity="AAA").values.tolist() == [False, False, True, True]
    # filled from other entities: imputed, no own observation, not "carried"
    assert y["imputed"].sel(entity="BBB").all() and np.isnan(y["obs_period"].sel(entity="BBB")).all()
    assert not y["carried"].sel(entity="BBB").any()
    assert not cells["imputed"].sel(entity="CCC").any()


def test_code_shares_and_observed_share():
    res = _result()
    shares = code_shares(res)
    # AAA 2003: x carried, y carried -> domain d and the index rest entirely on carried values
    assert shares["carried_share"].sel(entity="AAA", period=2003, code="d") == 1.0
    assert shares["imputed_share"].sel(entity="AAA", period=2001, code="idx") == 0.5
    assert shares["imputed_share"].sel(entity="BBB", period=2000, code="idx") == 0.5
    assert shares["carried_share"].sel(entity="BBB", period=2000, code="idx") == 0.0
    assert shares["imputed_share"].sel(entity="CCC", code="x").values.tolist() == [0, 0, 0, 0]
    # 2003: 6 cells (3 entities x 2 indicators), observed: BBB x, CCC x, CCC y -> 3
    o = observed_share(res, 2003)
    assert (o["cells"], o["entities"], o["indicators"]) == (6, 3, 2)
    assert o["observed"] == pytest.approx(0.5) and o["imputed"] == pytest.approx(0.5)
    assert o["carried"] == pytest.approx(2 / 6)


def test_saved_values_carry_names_raw_values_and_imputed_flags(tmp_path):
    res = _result()
    res.entity_names = {"AAA": "Aland", "BBB": "Bland"}
    out = res.save(tmp_path / "r.csv")
    t = pd.read_csv(out).set_index(["entity", "period", "code"])
    assert list(pd.read_csv(out).columns[:2]) == ["entity", "name"]
    assert t.loc[("AAA", 2000, "x"), "name"] == "Aland" and t.loc[("CCC", 2000, "x"), "name"] == "CCC"
    assert t.loc[("AAA", 2002, "x"), "raw"] == 3 and np.isnan(t.loc[("AAA", 2003, "x"), "raw"])
    assert not t.loc[("AAA", 2002, "x"), "imputed"] and t.loc[("AAA", 2003, "x"), "imputed"]
    assert t.loc[("AAA", 2003, "x"), "obs_period"] == 2002
    assert np.isnan(t.loc[("AAA", 2003, "idx"), "raw"]) and t.loc[("AAA", 2003, "idx"), "imputed"]
    assert t.loc[("AAA", 2001, "idx"), "imputed_share"] == 0.5 and not t.loc[("AAA", 2001, "idx"), "imputed"]
    assert np.isnan(t.loc[("BBB", 2000, "y"), "obs_period"])
    pq = res.save(tmp_path / "r.parquet")
    p = pd.read_parquet(pq)
    assert str(p["imputed"].dtype) == "boolean" and str(p["obs_period"].dtype) == "Int64"
    assert res.save(tmp_path / "again.parquet").read_bytes() == pq.read_bytes()
    x = pd.read_excel(res.save(tmp_path / "r.xlsx"), sheet_name=None)
    assert {"scores", "imputed_share", "obs_period"} <= set(x)
    assert list(x["scores"].columns[:3]) == ["entity", "name", "period"]


def test_scale_note_is_derived_from_the_recipe():
    res = _result()
    assert scale_note(res) == ("scores 0-100, higher = more risk; min-max over all 3 countries and years "
                               "2000-2003 (one range for the whole panel, so years compare)")
    per_year = res.rebuild(recipe=res.recipe.replace("normalise", scope="period", lo=1.0))
    assert scale_note(per_year).startswith("scores 1-100, higher = more risk; min-max within each year")
    assert screening_summary(res) == {"entities": (0, 3), "indicators": (0, 2), "entity_codes": [],
                                      "indicator_codes": []}
