"""Work shared across Monte Carlo groups gives the same numbers as doing it group by group.

* One JRC winsorisation pass for several ``winmax`` limits equals one pass per limit (exactly):
  a column's rounds depend on that column only, so a smaller limit's rounds are a prefix.
* A build whose cache was filled by a sibling limit's build equals a build without cache.
* Grouping replications by their distinct choices (decoded once per combination) gives the
  same recipe per replication as decoding each replication.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from holisec.pipeline import Recipe, build
from holisec.pipeline.build import TREAT_LIMITS
from holisec.pipeline.steps.treat import jrc_limits
from holisec.uncertainty.montecarlo import _nominal_weights, monte_carlo_design, replicate
from holisec.uncertainty.spec import Plan, load_spec

from .conftest import ASEM_RECIPE_COINR, ASEM_SPEC, tiny_panel


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(6, 40), outliers=st.integers(0, 8),
       scope=st.sampled_from(["panel", "period"]), combine=st.booleans())
def test_one_pass_for_all_limits_equals_one_pass_per_limit(seed, n, outliers, scope, combine):
    rng = np.random.default_rng(seed)
    values = rng.lognormal(0.0, 1.5, size=(n, 2, 4))  # heavy right tails: many columns fail the rule
    values[rng.integers(n, size=outliers), rng.integers(2, size=outliers), rng.integers(4, size=outliers)] *= 50
    values[rng.random(values.shape) < 0.1] = np.nan
    panel = tiny_panel(values)
    limits = [1, 2, 3, 5, 8]
    together = jrc_limits(panel, limits, scope=scope, combine=combine)
    for k in limits:
        alone, report = jrc_limits(panel, [k], scope=scope, combine=combine)[k]
        np.testing.assert_array_equal(together[k][0].values, alone.values)
        _same(together[k][1], report)


def test_build_from_a_sibling_limit_equals_a_fresh_build(asem):
    panel, framework, groups, _ = asem
    cache: dict = {TREAT_LIMITS: [1, 2, 3, 4, 5]}
    raw = Recipe.from_dict(ASEM_RECIPE_COINR).canonical()

    def with_limit(k):
        steps = [dict(s, params={**s["params"], "winmax": k}) if s["step"] == "treat" else s for s in raw["steps"]]
        return Recipe.from_dict({**raw, "steps": steps})

    first = build(with_limit(5), panel, framework, entity_groups=groups, cache=cache)
    assert sum(k.startswith("[") for k in cache) > 4  # the other limits were cached by the first build
    for k in (1, 2, 3, 4, 5):
        cached = build(with_limit(k), panel, framework, entity_groups=groups, cache=cache) if k != 5 else first
        fresh = build(with_limit(k), panel, framework, entity_groups=groups)
        np.testing.assert_array_equal(cached.scores.values, fresh.scores.values)
        assert list(cached.datasets) == list(fresh.datasets)
        _same(cached.reports["treated"], fresh.reports["treated"])
    # the limits differ somewhere on ASEM, so the check is not vacuous
    one = build(with_limit(1), panel, framework, entity_groups=groups).scores.values
    assert not np.array_equal(one, first.scores.values, equal_nan=True)


def test_groups_decoded_once_per_combination_equal_per_replication(asem):
    panel, framework, groups, _ = asem
    recipe = Recipe.from_dict(ASEM_RECIPE_COINR)
    plan = Plan(load_spec(ASEM_SPEC), recipe, framework, seed=3, nominal_weights=_nominal_weights(recipe, framework))
    design = monte_carlo_design(len(plan.names), 300, 3)
    reps = replicate(plan, design)
    for i in range(len(design)):
        assert reps.keys[reps.group[i]] == json.dumps(plan.recipe_dict(reps.choices[i], design[i]), sort_keys=True)
    assert len(set(reps.keys)) == len(reps.keys) == 20
