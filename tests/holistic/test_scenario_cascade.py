"""What-if scenarios and cascades on hand-made data; a zero shock changes nothing."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from holisec.holistic import HolisticError
from holisec.holistic.cascade import cascade, expert_links
from holisec.holistic.dematel import dematel
from holisec.holistic.scenario import Scenario, apply_changes, run


def test_value_change_moves_domain_index_and_rank(tiny_result):
    """a1 of X from 80 to 40 (pct -50) in 2000: D1 = (40 + 20 + 60) / 3 = 40, index (40 + 25) / 2 = 32.5
    (was 39.17); X stays between LO (0) and HI (100): rank 2."""
    out = run(tiny_result, {"name": "t", "years": [2000],
                            "changes": [{"indicator": "a1", "entities": ["X"], "years": [2000], "pct": -50}]},
              alerts=False)
    d1 = out["domains"].set_index("code").loc["D1"]
    assert d1["before"] == pytest.approx(160 / 3) and d1["after"] == pytest.approx(40.0)
    idx = out["index"].set_index("entity").loc["X"]
    assert idx["after"] == pytest.approx(32.5) and idx["change"] == pytest.approx(32.5 - (160 / 3 + 25) / 2)
    assert idx["rank_before"] == 2 and idx["rank_after"] == 2
    assert list(out["index"]["entity"]) == ["X"]  # reported: the entities changed


def test_weights_and_recipe_choices(tiny_result):
    """D1 weight 3 (D2 1): index = (3 * 53.33 + 25) / 4 = 46.25; a gmean recipe gives sqrt(D1 D2)."""
    out = run(tiny_result, {"name": "w", "years": [2000], "entities": ["X"], "weights": {"D1": 3}}, alerts=False)
    assert out["index"].loc[0, "after"] == pytest.approx((3 * 160 / 3 + 25) / 4)
    rec = {"name": "g", "years": [2000], "entities": ["X"],
           "recipe": [{"step": "normalise", "params": {"lo": 1.0}}, {"step": "aggregate", "method": "gmean"}]}
    out = run(tiny_result, rec, alerts=False)
    assert out["summary"].loc[0, "recipe_hash_before"] != out["summary"].loc[0, "recipe_hash_after"]
    assert out["index"].loc[0, "after"] > 0


def test_unknown_names_are_errors_with_the_key_path(tiny_result, tmp_path):
    with pytest.raises(HolisticError, match=r"changes\[0\]\.indicator: unknown indicator \['zz'\]"):
        run(tiny_result, {"name": "t", "changes": [{"indicator": "zz", "add": 1}]})
    with pytest.raises(HolisticError, match=r"changes\[0\]\.entities: unknown entity \['NOPE'\]"):
        run(tiny_result, {"name": "t", "changes": [{"indicator": "a1", "entities": ["NOPE"], "add": 1}]})
    with pytest.raises(HolisticError, match=r"weights: unknown domain or indicator \['D9'\]"):
        run(tiny_result, {"name": "t", "weights": {"D9": 2}})
    with pytest.raises(HolisticError, match=r"changes\[0\]: give exactly one of set, add, pct"):
        Scenario.from_dict({"name": "t", "changes": [{"indicator": "a1", "add": 1, "pct": 2}]})
    with pytest.raises(HolisticError, match=r"changez: Extra inputs are not permitted"):
        Scenario.from_dict({"name": "t", "changez": []})
    p = tmp_path / "s.yaml"
    Scenario.from_dict({"name": "t", "changes": [{"indicator": "a1", "set": 5}]}).save(p)
    assert Scenario.load(p).changes[0].set == 5


def test_a_change_of_missing_values_is_an_error(tiny_result):
    raw = tiny_result.datasets["raw"].copy()
    raw.loc[dict(entity="X", indicator="a1")] = np.nan
    with pytest.raises(HolisticError, match="no observed value"):
        apply_changes(raw, Scenario.from_dict({"name": "t", "changes": [
            {"indicator": "a1", "entities": ["X"], "add": 3}]}).changes)


LINKS = pd.DataFrame([[0.0, 0.5], [0.2, 0.0]], index=["D1", "D2"], columns=["D1", "D2"])


def test_zero_shock_changes_nothing(tiny_result):
    for kw in ({"domain": "D1"}, {"indicator": "a2"}):
        path = cascade(tiny_result, LINKS, entity="X", period=2001, shock=0.0, steps=4,
                       persistence={"D1": 0.6, "D2": 0.3}, **kw)
        base = tiny_result.scores.sel(entity="X", period=2001)
        assert (path["D1"] == float(base.sel(code="D1"))).all() and (path["D2"] == float(base.sel(code="D2"))).all()
        assert path["index"].to_numpy() == pytest.approx(float(base.sel(code="R"))) and (path["index_change"] == 0).all()


def test_cascade_path_by_hand(tiny_result):
    """Shock D1 by +10 with D1 -> D2 = 0.5, D2 -> D1 = 0.2, no persistence: deltas (10, 0), (0, 5),
    (1, 0); X 2000 baseline D1 = 53.33, D2 = 25; index = mean of the two."""
    path = cascade(tiny_result, LINKS, entity="X", period=2000, shock=10.0, domain="D1", steps=2)
    assert path["D1"].to_numpy() == pytest.approx(160 / 3 + np.array([10, 0, 1]))
    assert path["D2"].to_numpy() == pytest.approx(25 + np.array([0, 5, 0]))
    assert path["index_change"].to_numpy() == pytest.approx([5, 2.5, 0.5])
    ind = cascade(tiny_result, LINKS, entity="X", period=2000, shock=9.0, indicator="a1", steps=0)
    assert ind["D1"].iloc[0] == pytest.approx(160 / 3 + 3.0)  # a1 weighs 1/3 in D1


def test_cascade_with_expert_links_and_errors(tiny_result):
    expert = dematel(pd.DataFrame([[0, 3], [1, 0]], index=["D1", "D2"], columns=["D1", "D2"]))
    path = cascade(tiny_result, expert_links(expert), entity="X", period=2000, shock=10.0, domain="D1", steps=1)
    assert path["D2"].iloc[1] - 25 == pytest.approx(10 * 1.0)  # N = A / 3: D1 -> D2 = 1
    with pytest.raises(HolisticError, match="unknown domain"):
        cascade(tiny_result, LINKS, entity="X", period=2000, shock=1.0, domain="D7")
    with pytest.raises(HolisticError, match="exactly one"):
        cascade(tiny_result, LINKS, entity="X", period=2000, shock=1.0)


def test_python_api_mirrors_the_cli(tiny_result):
    import holisec as hs

    assert float(hs.coordination(tiny_result)["D"].sel(entity="X", period=2000)) > 0
    assert hs.balances(tiny_result, min_indicators=1)["diff"].sel(entity="X", pair="scope").size == 3
    assert list(hs.obstacle_table(tiny_result, "X", 2000)["rank"])[:1] == [1]
    assert hs.run_scenario is run and hs.Scenario is Scenario and hs.cascade is cascade


def test_cascade_band_without_link_error_is_the_nominal_path(tiny_result):
    from holisec.holistic.cascade import cascade_band

    zero = LINKS * 0
    band = cascade_band(tiny_result, LINKS, zero, entity="X", period=2000, shock=10.0, domain="D1", steps=2, draws=50)
    assert band["index_change"].to_numpy() == pytest.approx([5, 2.5, 0.5])  # as the path by hand
    for col in ("index_change_median", "index_change_lo", "index_change_hi"):
        assert band[col].to_numpy() == pytest.approx([5, 2.5, 0.5])
    assert (band["p_increase"] == 1).all() and (band["draws"] == 50).all()


def test_cascade_band_from_link_error_by_hand(tiny_result):
    """D1 -> D2 = 0.5 with SE 0.1, the rest 0: step 1 index change = (0 + 10 b) / 2 = 5 b, so its
    5-95 % band is 5 (0.5 -/+ 1.645 x 0.1) = [1.68, 3.32] (normal quantiles), steps 0 and 2 exact."""
    from holisec.holistic.cascade import cascade_band

    links = pd.DataFrame([[0.0, 0.5], [0.0, 0.0]], index=["D1", "D2"], columns=["D1", "D2"])
    se = pd.DataFrame([[0.0, 0.1], [0.0, 0.0]], index=["D1", "D2"], columns=["D1", "D2"])
    band = cascade_band(tiny_result, links, se, entity="X", period=2000, shock=10.0, domain="D1", steps=2,
                        draws=20_000, seed=1)
    assert band["index_change"].tolist() == pytest.approx([5, 2.5, 0])
    assert band.loc[1, "index_change_lo"] == pytest.approx(5 * (0.5 - 1.6449 * 0.1), abs=0.03)
    assert band.loc[1, "index_change_hi"] == pytest.approx(5 * (0.5 + 1.6449 * 0.1), abs=0.03)
    assert band.loc[0, ["index_change_lo", "index_change_hi"]].tolist() == pytest.approx([5, 5])
    again = cascade_band(tiny_result, links, se, entity="X", period=2000, shock=10.0, domain="D1", steps=2,
                         draws=20_000, seed=1)
    pd.testing.assert_frame_equal(band, again)  # deterministic under the seed
    with pytest.raises(HolisticError, match="draws must be >= 2"):
        cascade_band(tiny_result, links, se, entity="X", period=2000, shock=1.0, domain="D1", draws=1)


def test_cascade_band_over_an_uncertainty_run_takes_each_replications_baseline(tiny_result):
    """With amean and no link error the change only differs where a replication's level clips at 100:
    D1 at 95 takes +5 of a +10 shock, so that replication's step-0 index change is 2.5, not 5."""
    from types import SimpleNamespace

    import xarray as xr

    from holisec.holistic.cascade import cascade_band

    nominal = tiny_result.scores.sel(code=["D1", "D2"])
    reps = xr.concat([nominal, nominal.copy(data=np.where(nominal["code"] == "D1", 95.0, nominal))], "replication")
    run = SimpleNamespace(scores=reps.transpose("replication", "entity", "period", "code"))
    band = cascade_band(tiny_result, LINKS, LINKS * 0, entity="X", period=2000, shock=10.0, domain="D1", steps=0,
                        uncertainty=run, level=0.98)
    assert band.loc[0, "draws"] == 2 and band.loc[0, "index_change"] == pytest.approx(5)
    assert band.loc[0, "index_change_lo"] == pytest.approx(2.5 + 0.01 * 2.5) and band.loc[0, "index_change_hi"] <= 5
