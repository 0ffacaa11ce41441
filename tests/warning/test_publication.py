"""Publication lags: the origin-T design holds only what was published by the end of T.

Each source's values inside its lag window (data years T-L+1..T) are perturbed on the shipped
data; the origin-T index features, design rows (training and forecast) and the forecast itself
must not move, while a perturbation of the last published year (T-L) must move them.
"""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from holisec.warning.evaluate import TUNED
from holisec.warning.forecast import Spec, design, fit_origin, training_rows
from holisec.warning.indexscores import OriginIndex, truncate
from holisec.warning.outcomes import load_outcomes, load_predictors
from holisec.warning.publication import INPUT_SOURCES, LagError, framework_lags, input_lags, published

T = 2015
SPEC = Spec(**TUNED["conflict_onset"])


@pytest.fixture(scope="module")
def shipped():
    ix = OriginIndex.from_store()
    return ix, load_outcomes(), load_predictors()


def _perturb_panel(panel, codes, lags, where):
    """``panel`` with ``codes`` changed in their lag window (data years T-L+1..T) or in year T-L."""
    lag = xr.DataArray([lags.get(str(c), 0) for c in panel.indicator.values], dims="indicator",
                       coords={"indicator": panel.indicator})
    per = panel.period
    m = panel.indicator.isin(list(codes)) & (((per > T - lag) & (per <= T)) if where == "window" else per == T - lag)
    shuffled = panel.roll(entity=7, roll_coords=False)  # other countries' values: valid, re-ranked
    return xr.where(m, shuffled, panel).transpose(*panel.dims)


def _origin_rows(d, ix_feats):
    d = d.merge(ix_feats, on=["iso3", "year"], how="left") if ix_feats is not None else d
    rows = pd.concat([training_rows(d, T, SPEC.start), d[d.at_risk & (d.year == T)]])
    return rows.sort_values(["iso3", "year", "known_year"]).reset_index(drop=True)


def test_framework_lags_from_source_metadata_with_overrides(shipped):
    fw = shipped[0].framework
    lags = framework_lags(fw)
    assert lags["vdem_polyarchy"] == 1 and lags["wgi_va"] == 1 and lags["displaced_origin"] == 1
    assert lags["hdi"] == 2 and lags["red_list"] == 1 and lags["rd_gdp"] == 2  # overrides / un_sdg
    assert all(s.publication_lag is not None for s in fw.sources)
    assert sum(v == 0 for v in lags.values()) == 0


def test_index_features_do_not_move_inside_each_sources_lag_window(shipped):
    ix, _, _ = shipped
    fw, lags = ix.framework, ix.lags
    base = ix.features(T)
    for src in {i.source for i in fw.indicators}:
        codes = [i.id for i in fw.indicators if i.source == src and lags[i.id] > 0]
        codes = [c for c in codes if c in set(map(str, ix.panel.indicator.values))]
        if not codes:
            continue
        inside = OriginIndex(_perturb_panel(ix.panel, codes, lags, "window"), fw, ix.groups)
        pd.testing.assert_frame_equal(inside.features(T), base, obj=f"source {src}")
        known = truncate(ix.panel.sel(indicator=codes), T, lags).notnull().any("entity").sum("period")
        if int(known.max()) < 2:  # one published year only (ITU GCI 2014 at T=2015): screened out
            continue
        edge = OriginIndex(_perturb_panel(ix.panel, codes, lags, "edge"), fw, ix.groups)
        assert not edge.features(T).equals(base), f"perturbing {src} at T-L should move the features"


def _perturb_table(df, cols, lag, where):
    out = df.copy()
    yrs = (out.year > T - lag) & (out.year <= T) if where == "window" else out.year == T - lag
    for c in cols:
        v = out[c]
        flipped = 1.0 - v if set(v.dropna().unique()) <= {0.0, 1.0} else v * 3.0 + 1.0
        out[c] = v.where(~yrs, flipped)
    return out


@pytest.mark.parametrize("target", ["mass_killing"])  # covers predictors, mk outcomes and event_t
def test_design_rows_do_not_move_inside_each_input_sources_lag_window(shipped, target):
    _, o, p = shipped
    base = _origin_rows(design(target, o, p), None)
    for name, src in INPUT_SOURCES.items():
        if src.lag == 0:
            continue
        pc = [c for c in src.columns if c in p.columns]
        oc = [c for c in src.columns if c in o.columns]
        moved = design(target, _perturb_table(o, oc, src.lag, "window"), _perturb_table(p, pc, src.lag, "window"))
        pd.testing.assert_frame_equal(_origin_rows(moved, None), base, obj=f"source {name}")
        edge = design(target, _perturb_table(o, oc, src.lag, "edge"), _perturb_table(p, pc, src.lag, "edge"))
        assert not _origin_rows(edge, None).equals(base), f"perturbing {name} at T-L should move the design"


def test_origin_forecast_does_not_move_when_every_source_is_perturbed_in_its_window(shipped):
    ix, o, p = shipped
    fw, lags = ix.framework, ix.lags
    panel = _perturb_panel(ix.panel, [c for c in lags if lags[c] > 0], lags, "window")
    o2, p2 = o, p
    for src in INPUT_SOURCES.values():
        if src.lag:
            o2 = _perturb_table(o2, [c for c in src.columns if c in o.columns], src.lag, "window")
            p2 = _perturb_table(p2, [c for c in src.columns if c in p.columns], src.lag, "window")
    a, _ = fit_origin(design("conflict_onset", o, p), T, SPEC, index_feats=ix.features(T))
    b, _ = fit_origin(design("conflict_onset", o2, p2), T, SPEC,
                      index_feats=OriginIndex(panel, fw, ix.groups).features(T))
    assert len(a) > 100
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def test_published_rule_on_a_hand_made_table():
    df = pd.DataFrame({"iso3": "A", "year": np.arange(2000, 2006), "v": np.arange(6.0), "w": np.arange(6.0)})
    f = published(df, {"v": 2, "w": 0}).set_index("year")
    assert list(f.loc[2002:2005, "v"]) == [0.0, 1.0, 2.0, 3.0] and np.isnan(f.loc[2001, "v"])
    assert list(f["w"]) == list(range(6))
    g = published(df, {"v": 2}, origin=2004).set_index("year")
    assert g["v"].notna().tolist() == [True, True, True, False, False, False]


def test_unknown_input_column_is_an_error():
    with pytest.raises(LagError, match="mystery"):
        input_lags(["v2x_polyarchy", "mystery"])
