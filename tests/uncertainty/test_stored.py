"""Stored uncertainty runs: round trip, append-only, keyed by the build, refused for another build."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from holisec.data.builds import build_key
from holisec.pipeline import Recipe
from holisec.uncertainty import run
from holisec.uncertainty.stored import (
    StoredRunError,
    latest_run,
    list_runs,
    load_run,
    save_run,
    spec_hash,
)

from .conftest import ASEM_RECIPE, ASEM_SPEC


@pytest.fixture(scope="module")
def asem_run(asem):
    panel, framework, groups, recipe = asem
    return run(ASEM_SPEC, recipe, panel, framework, entity_groups=groups, n=24, seed=7)


def _key(store, res, as_of=0):
    return build_key(store, res.nominal.framework, res.nominal.recipe, as_of, "country")


def test_round_trip_equals_the_result(store, asem_run):
    key = _key(store, asem_run)
    assert latest_run(store, key) is None and list_runs(store).empty
    rid = save_run(store, asem_run, build_key=key, spec_name="asem.yaml", created_by="test")
    got = latest_run(store, key)
    assert got.run_id == rid and got.periods == asem_run.periods
    m = got.meta
    assert (m["n"], m["seed"], m["spec_name"], m["created_by"], m["build_id"]) == (24, 7, "asem.yaml", "test",
                                                                                   key.build_id)
    assert m["spec_hash"] == spec_hash(asem_run.spec) and len(m["spec_hash"]) == 64
    assert m["recipe_hash"] == asem_run.nominal.recipe.hash and m["top_k"] == asem_run.spec.top_k
    want = asem_run.summary().rename(columns={f"p_top_{asem_run.spec.top_k}": "p_top_k"})
    mine = got.ranks.set_index("entity").loc[want["entity"]]
    for col in ("nominal_rank", "median_rank", "rank_q05", "rank_q95", "p_top_k", "score_q05", "score_q95"):
        np.testing.assert_allclose(mine[col].to_numpy(float), want[col].to_numpy(float), rtol=0, atol=1e-12,
                                   equal_nan=True, err_msg=col)
    bands = asem_run.domain_intervals().dropna(subset=["nominal", "q05", "median", "q95"], how="all")
    assert len(got.scores) == len(bands)
    stored = got.scores.set_index(["entity", "code"]).loc[list(zip(bands["entity"], bands["code"]))]
    np.testing.assert_allclose(stored["q95"].to_numpy(float), bands["q95"].to_numpy(float), equal_nan=True)
    # the sentence shown beside the numbers
    text = got.describe()
    assert "5-95% rank interval over 24 replications of the choices in spec 'asem.yaml'" in text
    assert "seed 7" in text and "rank 1 = highest risk" in text


def test_hand_checked_interval(store, asem_run):
    """rank_q05/q95 are the 5th/95th percentiles of one entity's 24 ranks (numpy's linear rule)."""
    key = _key(store, asem_run)
    save_run(store, asem_run, build_key=key, spec_name="asem")
    e = str(asem_run.ranks["entity"].values[3])
    ranks = asem_run.ranks.sel(entity=e, period=asem_run.periods[-1]).values
    lo, hi = np.sort(ranks)[[1, 22]]  # 24 values: q05 at position 1.15, q95 at 21.85
    s = np.sort(ranks)
    row = latest_run(store, key).ranks.set_index("entity").loc[e]
    assert row["rank_q05"] == pytest.approx(s[1] + 0.15 * (s[2] - s[1]))
    assert row["rank_q95"] == pytest.approx(s[21] + 0.85 * (s[22] - s[21]))
    assert lo <= row["rank_q05"] <= row["median_rank"] <= row["rank_q95"] <= hi
    assert row["p_top_k"] == pytest.approx(np.mean(ranks <= asem_run.spec.top_k))


def test_append_only_and_latest_wins(store, asem_run):
    key = _key(store, asem_run)
    first = save_run(store, asem_run, build_key=key, spec_name="asem")
    before = load_run(store, first)
    second = save_run(store, asem_run, build_key=key, spec_name="asem-again")
    assert first != second
    assert latest_run(store, key).run_id == second
    assert latest_run(store, key, spec_name="asem").run_id == first
    again = load_run(store, first)  # the first run is unchanged
    pd.testing.assert_frame_equal(again.ranks, before.ranks)
    assert again.meta["created_at"] == before.meta["created_at"]
    assert list(list_runs(store, key)["run_id"]) == [second, first]
    counts = store.con.execute("SELECT run_id, count(*) FROM uncertainty_ranks GROUP BY run_id").fetchall()
    assert sorted(n for _, n in counts) == [len(before.ranks)] * 2


def test_runs_are_keyed_by_the_build(store, asem_run):
    key = _key(store, asem_run)
    save_run(store, asem_run, build_key=key, spec_name="asem")
    other_vintage = _key(store, asem_run, as_of=5)
    assert latest_run(store, other_vintage) is None
    assert list_runs(store, other_vintage).empty


def test_a_result_of_another_recipe_is_refused(store, asem_run):
    other = Recipe.from_dict({**ASEM_RECIPE, "name": "other",
                              "steps": [s for s in ASEM_RECIPE["steps"] if s["step"] != "treat"]})
    key = build_key(store, asem_run.nominal.framework, other, 0, "country")
    with pytest.raises(StoredRunError, match="recipe_hash"):
        save_run(store, asem_run, build_key=key, spec_name="asem")
    assert list_runs(store).empty
