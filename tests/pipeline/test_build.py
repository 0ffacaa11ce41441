import re

import numpy as np
import pandas as pd
import pytest

from holisec.pipeline import PipelineError, Recipe, build
from holisec.pipeline.steps.normalise import normalise

from .conftest import make_panel

RECIPE = {
    "name": "full",
    "steps": [
        {"step": "denominate", "method": "divide", "params": {"denominators": {"b1": "pop"}, "scale": 100}},
        {"step": "impute", "method": "screen", "params": {"min_indicator_share": 0.5}},
        {"step": "impute", "method": "linear", "params": {"extrapolate": "both"}},
        {"step": "impute", "method": "group_median", "params": {"by": "region"}},
        {"step": "treat", "method": "jrc"},
        {"step": "normalise", "method": "minmax", "params": {"lo": 1, "hi": 100}},
        {"step": "weight", "method": "equal"},
        {"step": "aggregate", "method": "amean", "params": {"min_share": 0.5}},
    ],
}


@pytest.fixture
def panel():
    rng = np.random.default_rng(42)
    values = rng.uniform(1, 10, size=(12, 4, 5))
    values[0, 1:3, 0] = np.nan  # gaps inside a series
    values[3, :, 1] = np.nan  # never observed: needs the group median
    values[:, :, 4] = np.nan  # 'sparse': almost empty
    values[0, 0, 4] = 1.0
    return make_panel(values, entities=[f"C{i:02d}" for i in range(12)],
                      indicators=["a1", "a2", "b1", "pop", "sparse"])


@pytest.fixture
def framework(small_framework):
    from holisec.framework import from_dict

    raw = small_framework.model_dump()
    raw["indicators"].append({"id": "sparse", "name": "sparse", "parent": "B"})
    return from_dict(raw)


@pytest.fixture
def groups():
    return pd.DataFrame({"region": ["north"] * 6 + ["south"] * 6}, index=[f"C{i:02d}" for i in range(12)])


def test_build_keeps_every_stage_and_report(panel, framework, groups):
    result = build(Recipe.from_dict(RECIPE), panel, framework, entity_groups=groups, vintage="v1")
    assert list(result.datasets) == ["raw", "denominated", "screened", "imputed", "imputed_2",
                                     "treated", "normalised"]
    assert result.scores.dims == ("entity", "period", "code")
    assert list(result.scores["code"].values) == ["a1", "a2", "b1", "A", "B", "R"]
    assert result.scores.attrs["polarity"] == framework.polarity
    assert not np.isnan(result.scores.sel(code="R").values).any()
    assert result.reports["exclusions"]["code"].tolist() == ["sparse"]
    assert set(result.reports["imputed"]["method"]) == {"linear", "group_median"}
    assert result.weights["A"] == 0.5 and result.vintage == "v1"
    # the denominated value is b1 / pop * 100
    raw, den = result.datasets["raw"], result.datasets["denominated"]
    assert den.sel(indicator="b1").values[0, 0] == pytest.approx(
        raw.sel(indicator="b1").values[0, 0] / raw.sel(indicator="pop").values[0, 0] * 100)
    # normalised scores are exactly the normalise step applied to the treated panel
    expected, _ = normalise(result.datasets["treated"], "minmax", lo=1, hi=100,
                            framework=framework.with_indicators(["a1", "a2", "b1"]))
    np.testing.assert_allclose(result.datasets["normalised"].values, expected.values)


def test_to_frame_rank_and_levels(panel, framework, groups):
    result = build(Recipe.from_dict(RECIPE), panel, framework, entity_groups=groups)
    table = result.to_frame()
    assert list(table.columns) == ["entity", "period", "code", "level", "value"]
    assert len(table) == 12 * 4 * 6
    assert set(result.to_frame(level=2)["code"]) == {"A", "B"}
    ranks = result.rank(2001)
    assert ranks["rank"].tolist() == list(range(1, 13))
    assert ranks["score"].is_monotonic_decreasing
    assert ranks.index[0] == result.scores.sel(period=2001, code="R").to_series().idxmax()


def test_missing_entity_groups_is_a_clear_error(panel, framework):
    with pytest.raises(PipelineError, match="needs entity group 'region'"):
        build(Recipe.from_dict(RECIPE), panel, framework)


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_save_load_rebuild_gives_identical_bytes(panel, framework, groups, tmp_path, suffix):
    first = build(Recipe.from_dict(RECIPE), panel, framework, entity_groups=groups, vintage="2024-01")
    first.save(tmp_path / f"a{suffix}")
    first.recipe.save(tmp_path / "recipe.yaml")
    again = first.rebuild(recipe=Recipe.load(tmp_path / "recipe.yaml"))
    again.save(tmp_path / f"b{suffix}")
    assert (tmp_path / f"a{suffix}").read_bytes() == (tmp_path / f"b{suffix}").read_bytes()
    if suffix == ".parquet":
        saved = pd.read_parquet(tmp_path / "a.parquet")
        assert set(saved["recipe_hash"]) == {first.recipe.hash}
        assert {"vintage", "version", "polarity", "level"} <= set(saved.columns)
    if suffix == ".xlsx":
        sheets = pd.read_excel(tmp_path / "a.xlsx", sheet_name=None)
        assert {"scores", "provenance", "raw", "normalised", "weights", "recipe"} <= set(sheets)
        wide = sheets["scores"].set_index(["entity", "period"])
        expected = first.scores.transpose("entity", "period", "code").to_series().unstack("code")
        pd.testing.assert_frame_equal(wide[expected.columns], expected, check_names=False, check_dtype=False)
        prov = dict(zip(sheets["provenance"]["key"], sheets["provenance"]["value"]))
        assert prov["recipe_hash"] == first.recipe.hash and prov["vintage"] == "2024-01"


def test_rebuild_with_altered_recipe_changes_only_what_it_should(panel, framework, groups):
    first = build(Recipe.from_dict(RECIPE), panel, framework, entity_groups=groups)
    other = first.rebuild(recipe=first.recipe.replace("aggregate", method="gmean"))
    np.testing.assert_array_equal(first.datasets["normalised"].values, other.datasets["normalised"].values)
    assert not np.allclose(first.scores.sel(code="R").values, other.scores.sel(code="R").values)


@pytest.mark.parametrize("method", ["pca", "optimise"])
def test_data_driven_weights_in_a_build(panel, framework, groups, method):
    recipe = Recipe.from_dict(RECIPE).replace("weight", method=method)
    result = build(recipe, panel, framework, entity_groups=groups)
    assert result.weights[["a1", "a2"]].sum() == pytest.approx(1.0)
    assert result.reports["weights"]["method"].eq(method).all()


def test_builtin_default_recipe_runs(panel, framework, groups):
    result = build("default", panel, framework, entity_groups=groups)
    assert result.recipe.name == "default"
    assert np.isfinite(result.scores.sel(code="R").values).all()


def test_scores_start_where_the_entity_data_start(panel, framework, groups):
    late = panel.copy()
    late.loc[dict(entity="C05", period=[2000, 2001])] = np.nan  # C05's statistics begin in 2002
    steps = [dict(s) for s in RECIPE["steps"]]
    steps[1] = {**steps[1], "params": {**steps[1]["params"], "min_start_share": 0.3}}
    res = build(Recipe.from_dict({"name": "start", "steps": steps}), late, framework, entity_groups=groups)
    starts = res.reports["exclusions"].query("kind == 'start'")
    assert starts[["code", "period"]].values.tolist() == [["C05", 2002]]
    c05 = res.scores.sel(entity="C05")
    assert c05.sel(period=[2000, 2001]).isnull().all() and c05.sel(period=[2002, 2003]).notnull().all()
    # the imputed panel keeps the carried values (traceable); only the published scores start later
    assert res.datasets["imputed"].sel(entity="C05", period=2000).notnull().all()
    plain = build(RECIPE, late, framework, entity_groups=groups)
    assert plain.scores.sel(entity="C05").notnull().all()
    np.testing.assert_array_equal(plain.scores.sel(period=[2002, 2003]).values, res.scores.sel(period=[2002, 2003]).values)


def test_screening_everything_away_is_a_clear_error(panel, framework, groups):
    recipe = Recipe.from_dict({"name": "strict", "steps": [
        {"step": "impute", "method": "screen", "params": {"min_entity_share": 1.01}},
        {"step": "normalise", "method": "minmax"}, {"step": "aggregate", "method": "amean"}]})
    with pytest.raises(PipelineError, match=r"steps\[0\] \(impute screen .*left no data: dropped 0 indicator"):
        build(recipe, panel, framework, entity_groups=groups)


def test_gmean_on_a_0_100_scale_is_an_error_naming_the_recipe_step(panel, framework, groups):
    recipe = Recipe.from_dict(RECIPE).replace("normalise", lo=0.0).replace("aggregate", method="gmean")
    with pytest.raises(PipelineError, match=r"recipe 'full' steps\[7\] \(aggregate gmean\): aggregate gmean: "
                                            r"\d+ of \d+ input values are zero or negative.*lo: 1, hi: 100"):
        build(recipe, panel, framework, entity_groups=groups)
    # the documented remedy works: 1-100 gives positive scores everywhere
    ok = build(Recipe.from_dict(RECIPE).replace("aggregate", method="gmean"), panel, framework, entity_groups=groups)
    assert float(ok.scores.min()) >= 1.0


@pytest.mark.parametrize("weights, match", [
    ({"a1": -1.0}, r"my_recipe\.yaml: invalid recipe.*steps\[6\] \(weight\)\.params\.weights\.a1: weight -1\.0 is negative"),
    ({"B": -0.5}, r"steps\[6\] \(weight\)\.params\.weights\.B: weight -0\.5 is negative"),
])
def test_recipe_with_negative_weight_is_refused_at_validation(weights, match):
    raw = {**RECIPE, "steps": [*RECIPE["steps"][:6], {"step": "weight", "method": "framework",
                                                      "params": {"weights": weights}}, RECIPE["steps"][7]]}
    with pytest.raises(ValueError, match=re.compile(match, re.S)):
        Recipe.from_dict(raw, "my_recipe.yaml")


def test_all_zero_weights_in_a_group_are_an_error_naming_key_and_group(panel, framework, groups):
    recipe = Recipe.from_dict({**RECIPE, "steps": [*RECIPE["steps"][:6], {
        "step": "weight", "method": "framework", "params": {"weights": {"a1": 0, "a2": 0}}}, RECIPE["steps"][7]]})
    with pytest.raises(PipelineError) as err:
        build(recipe, panel, framework, entity_groups=groups)
    msg = str(err.value)
    assert msg.startswith("recipe 'full' steps[6] (weight framework): ")
    assert "params.weights overrides gives all-zero weights within group 'A' (children ['a1', 'a2'])" in msg
