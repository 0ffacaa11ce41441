"""The linkage estimator recovers known lagged links and finds none in independent noise."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from holisec.holistic import HolisticError
from holisec.holistic.linkage import Linkage, estimate, granger, load_linkage, partial_correlations, save_linkage


def synthetic(seed: int, *, n: int = 40, t: int = 20, k: int = 4, links: dict | None = None,
              common_trend: float = 3.0) -> xr.DataArray:
    """Domains ``d0..`` = entity level + common year shock (the same for every domain: a confounder)
    + AR(1) noise + ``coef * d_source[t - lag]`` for each ``(source, target): (coef, lag)`` link."""
    rng = np.random.default_rng(seed)
    burn = 10
    y = np.zeros((n, t + burn, k))
    shock = common_trend * rng.normal(size=t + burn).cumsum()
    level = 10 * rng.normal(size=(n, 1, k))
    eps = rng.normal(size=(n, t + burn, k))
    for s in range(t + burn):
        y[:, s] = eps[:, s] + (0.3 * y[:, s - 1] if s else 0.0)
        for (src, tgt), (coef, lag) in (links or {}).items():
            if s >= lag:
                y[:, s, tgt] += coef * y[:, s - lag, src]
    values = (y + level + shock[None, :, None])[:, burn:]
    return xr.DataArray(values, dims=("entity", "period", "domain"),
                        coords={"entity": [f"E{i}" for i in range(n)], "period": np.arange(2000, 2000 + t),
                                "domain": [f"d{i}" for i in range(k)]})


def test_recovers_a_known_lag_one_link_with_sign_and_size():
    panel = synthetic(1, links={(0, 1): (0.5, 1), (2, 3): (-0.4, 1)})
    links = granger(panel)
    found = links[links["significant"]].set_index(["source", "target"])
    assert set(found.index) == {("d0", "d1"), ("d2", "d3")}
    assert found.loc[("d0", "d1"), "coef"] == pytest.approx(0.5, abs=0.1)
    assert found.loc[("d2", "d3"), "coef"] == pytest.approx(-0.4, abs=0.1)
    assert (found["lag"] == 1).all()


def test_recovers_a_lag_two_link_and_reports_its_lag():
    panel = synthetic(2, t=25, links={(1, 2): (0.5, 2)})
    links = granger(panel, lags=2)
    found = links[links["significant"]]
    assert list(zip(found["source"], found["target"])) == [("d1", "d2")]
    assert int(found["lag"].iloc[0]) == 2


def test_independent_noise_gives_links_at_most_at_the_stated_rate():
    """Under independent domains with a strong common trend, BH at alpha = 0.05 reports any link
    in at most 5 % of panels (family-wise under the complete null); measured here over 40 seeds
    (bench/bench_holistic.py measures 500), and the raw per-test rejection rate is near 0.05."""
    any_link, raw = [], []
    for seed in range(40):
        links = granger(synthetic(100 + seed, n=30, t=15, k=3))
        any_link.append(bool(links["significant"].any()))
        raw.extend(links["p_value"] < 0.05)
    assert np.mean(any_link) <= 0.125  # 5 of 40; P(>= 6 | rate 0.05) = 0.014
    assert np.mean(raw) < 0.10


def test_year_effects_remove_the_common_trend_confounder():
    """Without year effects the common stochastic trend makes every domain 'predict' the others."""
    panel = synthetic(3, common_trend=5.0)
    assert not granger(panel)["significant"].any()
    assert granger(panel, time_effects=False)["significant"].sum() >= 6


def test_partial_correlations_find_a_contemporaneous_pair_only():
    panel = synthetic(4)
    rng = np.random.default_rng(9)
    panel.loc[dict(domain="d3")] = panel.sel(domain="d0") + rng.normal(size=panel.sel(domain="d0").shape)
    pc = partial_correlations(panel)
    sig = pc[pc["significant"]]
    assert list(zip(sig["a"], sig["b"])) == [("d0", "d3")] and float(sig["partial_r"].iloc[0]) > 0.5


def test_too_short_panels_are_an_error_not_an_empty_result():
    with pytest.raises(HolisticError, match="need >= 10 entities"):
        granger(synthetic(5, n=5))


def test_estimate_round_trips_through_the_store_append_only(tmp_path):
    import duckdb

    con = duckdb.connect(str(tmp_path / "s.duckdb"))
    with pytest.raises(HolisticError, match="run `holisec linkage estimate` first"):
        load_linkage(con)
    link = estimate(synthetic(6, links={(0, 1): (0.5, 1)}))
    first = save_linkage(con, link)
    second = save_linkage(con, link)
    assert (first, second) == ("L1", "L2")
    eid, back = load_linkage(con)
    assert eid == "L2" and isinstance(back, Linkage)
    assert back.significant()[["source", "target"]].values.tolist() == link.significant()[["source", "target"]].values.tolist()
    assert back.matrix().loc["d0", "d1"] == pytest.approx(link.matrix().loc["d0", "d1"])


def test_link_standard_errors_are_those_of_the_wald_test():
    """One lag: the Wald F of ``b = 0`` is ``(coef / se)^2`` exactly; the same SEs for persistence."""
    panel = synthetic(3, links={(0, 1): (0.5, 1)})
    links = granger(panel)
    assert (links["se"] > 0).all()
    assert links["f_stat"].to_numpy() == pytest.approx((links["coef"] / links["se"]).to_numpy() ** 2, rel=1e-9)
    assert set(links.attrs["persistence_se"]) == {"d0", "d1", "d2", "d3"}
    two = granger(panel, lags=2)  # the SE of the sum of both lags
    assert (two["se"] > 0).all() and two["se"].notna().all()


def test_se_matrix_matches_the_significant_links_and_old_estimates_are_refused():
    link = estimate(synthetic(1, links={(0, 1): (0.5, 1)}))
    se, coef = link.se_matrix(), link.matrix()
    assert ((se > 0) == (coef != 0)).all().all()
    old = Linkage.from_dict({**link.to_dict(), "links": [{k: v for k, v in r.items() if k != "se"}
                                                         for r in link.to_dict()["links"]]})
    with pytest.raises(HolisticError, match="no standard errors"):
        old.se_matrix()
