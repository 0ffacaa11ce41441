"""Monte Carlo engine: equal to build() one replication at a time, deterministic, hand-checked outputs."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from holisec.pipeline import Recipe
from holisec.uncertainty import run
from holisec.uncertainty.montecarlo import parse_memory, risk_ranks

from .conftest import ASEM_SPEC, tiny_panel


def _rerun_matches(res, rows, atol=1e-12):
    for i in rows:
        alone = res.rerun(int(i)).scores.sel(period=res.periods)
        a = alone.reindex(code=res.scores["code"].values, entity=res.scores["entity"].values)
        a = a.transpose("entity", "period", "code").values
        b = res.scores.isel(replication=int(i)).values
        assert np.array_equal(np.isnan(a), np.isnan(b))
        np.testing.assert_allclose(b, a, rtol=0, atol=atol)


def test_replications_equal_build_one_at_a_time(asem):
    """Every kind of input at once; sampled replications re-run alone with build() agree to 1e-12."""
    panel, framework, groups, recipe = asem
    spec = {"inputs": ASEM_SPEC["inputs"] + [
        {"name": "sub_index_weights", "weights": {"level": 3, "dirichlet": 20, "draws": 50}},
        {"name": "leave_one_out", "leave_out": {"k": 1}},
        {"name": "treatment", "step": "treat", "switch": True},
        {"name": "min_share", "step": "aggregate", "param": "min_share", "distribution": {"uniform": [0.0, 0.9]}},
    ]}
    res = run(spec, recipe, panel, framework, entity_groups=groups, n=40, seed=5, memory="2MB")
    assert res.n == 40 and len(res.reps.keys) > 5
    _rerun_matches(res, np.random.default_rng(0).choice(40, 6, replace=False))


def test_resampled_data_broadcast_through_every_step(asem, tmp_path):
    panel, framework, groups, recipe = asem
    codes = framework.indicator_ids[:6]
    se = pd.DataFrame([(e, int(panel["period"][0]), c, 0.1 * abs(float(panel.sel(entity=e, indicator=c).values[0]) or 1))
                       for e in panel["entity"].values for c in codes], columns=["entity", "period", "indicator", "se"])
    se.dropna().to_csv(tmp_path / "se.csv", index=False)
    spec = {"inputs": [ASEM_SPEC["inputs"][0], {"name": "measurement", "resample": {"se": str(tmp_path / "se.csv"),
                                                                                      "draws": 30}}]}
    res = run(spec, recipe, panel, framework, entity_groups=groups, n=12, seed=2)
    _rerun_matches(res, [0, 5, 11])
    assert len(np.unique(res.reps.choices[:, 1])) > 1  # several noise draws
    assert not np.allclose(res.data_for(0).values, panel.values, equal_nan=True)


def test_deterministic_under_a_seed(asem):
    panel, framework, groups, recipe = asem
    a = run(ASEM_SPEC, recipe, panel, framework, entity_groups=groups, n=30, seed=7)
    b = run(ASEM_SPEC, recipe, panel, framework, entity_groups=groups, n=30, seed=7)
    c = run(ASEM_SPEC, recipe, panel, framework, entity_groups=groups, n=30, seed=8)
    np.testing.assert_array_equal(a.scores.values, b.scores.values)
    pd.testing.assert_frame_equal(a.replications(), b.replications())
    assert not np.array_equal(a.ranks.values, c.ranks.values)


def test_memory_budget_chunks_without_changing_results(asem):
    panel, framework, groups, recipe = asem
    big = run(ASEM_SPEC, recipe, panel, framework, entity_groups=groups, n=25, seed=3, memory="1GB")
    small = run(ASEM_SPEC, recipe, panel, framework, entity_groups=groups, n=25, seed=3, memory=20_000)
    np.testing.assert_allclose(big.scores.values, small.scores.values, rtol=0, atol=1e-12)


@pytest.fixture
def hand():
    """3 entities, groups A (a1, a2), B (b1, b2); raw values already on 0-100 after min-max.

    nominal: E1 A=50 B=50 -> 50, E2 A=25 B=50 -> 37.5, E3 A=75 B=50 -> 62.5: ranks E3 1, E1 2, E2 3.
    a1 left out: A = a2: E1 25, E2 50, E3 75: ranks E3 1, E2 2, E1 3.
    """
    data = tiny_panel([[[100, 0, 50, 50]], [[0, 50, 100, 0]], [[50, 100, 0, 100]]],
                      indicators=["a1", "a2", "b1", "b2"])
    recipe = Recipe.from_dict({"name": "hand", "steps": [
        {"step": "normalise", "method": "minmax", "params": {}}, {"step": "aggregate", "method": "amean"}]})
    spec = {"top_k": 2, "inputs": [{"name": "drop", "leave_out": {"k": 1, "indicators": ["a1"]}}]}
    return spec, recipe, data


def test_outputs_by_hand(hand, two_group_framework):
    spec, recipe, data = hand
    design = np.array([[0.1], [0.7], [0.8], [0.2]])  # none, -a1, -a1, none
    res = run(spec, recipe, data, two_group_framework, design=design)
    s = res.summary().set_index("entity")
    assert s.loc["E3", "nominal_rank"] == 1 and s.loc["E1", "nominal_rank"] == 2 and s.loc["E2", "nominal_rank"] == 3
    assert s.loc["E1", "median_rank"] == 2.5 and s.loc["E2", "median_rank"] == 2.5 and s.loc["E3", "median_rank"] == 1
    assert s.loc["E1", "rank_q05"] == pytest.approx(2.0) and s.loc["E1", "rank_q95"] == pytest.approx(3.0)
    assert s.loc["E1", "p_top_2"] == 0.5 and s.loc["E3", "p_top_2"] == 1.0
    assert s.loc["E1", "mean_abs_shift"] == 0.5 and s.loc["E3", "mean_abs_shift"] == 0
    assert s.loc["E2", "nominal_score"] == 37.5 and s.loc["E1", "score_median"] == pytest.approx(37.5)
    reps = res.replications()
    assert list(reps["drop"]) == ["none", "-a1", "-a1", "none"]
    assert reps["mean_abs_shift"].tolist() == pytest.approx([0, 2 / 3, 2 / 3, 0])
    assert reps["spearman"].tolist() == pytest.approx([1, 0.5, 0.5, 1])
    dom = res.domain_intervals().set_index(["entity", "code"])
    assert dom.loc[("E1", "A"), "nominal"] == 50 and dom.loc[("E1", "A"), "median"] == pytest.approx(25)
    shifts = res.rank_shifts().set_index("entity")
    assert shifts.loc["E1", "share_unchanged"] == 0.5 and shifts.loc["E1", "max_abs_shift"] == 1
    assert res.recipe_for(1).steps[1].params["weights"]["a1"] == 0.0


def test_saved_files(hand, two_group_framework, tmp_path):
    spec, recipe, data = hand
    res = run(spec, recipe, data, two_group_framework, n=10, seed=1)
    for suffix in (".xlsx", ".json", ".nc"):
        path = res.save(tmp_path / f"u{suffix}")
        assert path.stat().st_size > 0
    import json

    payload = json.loads((tmp_path / "u.json").read_text())
    assert payload["meta"]["replications"] == 10 and len(payload["replications"]) == 10
    assert "higher = more risk" in payload["meta"]["scale"]


def test_risk_ranks_match_result_rank(asem):
    panel, framework, groups, recipe = asem
    from holisec.pipeline import build

    result = build(recipe, panel, framework, entity_groups=groups)
    period = int(result.scores["period"].values[0])
    mine = risk_ranks(result.scores.sel(code=result.root)).sel(period=period).to_series()
    theirs = result.rank(period)["rank"].astype(float)
    pd.testing.assert_series_equal(mine.reindex(theirs.index), theirs, check_names=False)


def test_parse_memory():
    assert parse_memory("2GB") == 2 * 2**30 and parse_memory("500MB") == 500 * 2**20 and parse_memory(1000) == 1000
    with pytest.raises(ValueError, match="500MB or 2GB"):
        parse_memory("lots")
