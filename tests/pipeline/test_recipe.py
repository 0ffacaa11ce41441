import json

import pytest

from holisec.pipeline import Recipe, RecipeError, builtin_recipes, default_recipe

BASE = {
    "name": "t",
    "steps": [
        {"step": "impute", "method": "linear", "params": {"extrapolate": "locf"}},
        {"step": "normalise", "method": "minmax", "params": {"lo": 1, "hi": 100}},
        {"step": "aggregate", "method": "amean"},
    ],
}


def with_step(index, **changes):
    raw = json.loads(json.dumps(BASE))
    raw["steps"][index].update(changes)
    return raw


def test_builtins_load_and_validate():
    assert {"default", "coinr_minmax_amean"} <= set(builtin_recipes())
    recipe = default_recipe()
    assert recipe.steps[-1].step == "aggregate"
    assert Recipe.builtin("coinr_minmax_amean").steps[0].params["scope"] == "panel"


@pytest.mark.parametrize("raw, message", [
    (with_step(0, step="bake"), "steps[0].step"),
    (with_step(0, method="spline"), "steps[0] (impute): unknown method 'spline'"),
    (with_step(1, params={"low": 1}), "steps[1] (normalise).params.low: unknown parameter"),
    (with_step(1, params={"scope": "year"}), "steps[1] (normalise).params.scope"),
    (with_step(2, params={"sign": -1}), "steps[2] (aggregate).params.sign: unknown parameter"),
    (with_step(0, step="treat", method="jrc", params={"winmax": "many"}), "steps[0] (treat).params.winmax"),
    ({"name": "t", "steps": BASE["steps"][::-1]}, "must come before"),
    ({"name": "t", "steps": BASE["steps"][:2]}, "exactly one 'aggregate'"),
])
def test_invalid_recipes_name_step_and_key(raw, message):
    with pytest.raises(RecipeError) as err:
        Recipe.from_dict(raw, "r.yaml")
    assert message in str(err.value)
    assert str(err.value).startswith("r.yaml: invalid recipe")


def test_save_load_roundtrip_yaml_and_json(tmp_path):
    recipe = Recipe.from_dict(BASE)
    for name in ("r.yaml", "r.json"):
        path = recipe.save(tmp_path / name)
        assert Recipe.load(path) == recipe
        assert Recipe.load(path).hash == recipe.hash
    text = (tmp_path / "r.yaml").read_text()
    assert text.index("name:") < text.index("steps:") and text.index("hi:") < text.index("lo:")
    assert recipe.save(tmp_path / "again.yaml").read_bytes() == (tmp_path / "r.yaml").read_bytes()


def test_load_reports_file_problems(tmp_path):
    with pytest.raises(RecipeError, match="not found"):
        Recipe.load(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(RecipeError, match="cannot parse"):
        Recipe.load(bad)


def test_hash_is_canonical_and_sensitive():
    a = Recipe.from_dict(BASE)
    reordered = json.loads(json.dumps(BASE))
    reordered["steps"][1]["params"] = {"hi": 100, "lo": 1}
    assert Recipe.from_dict(reordered).hash == a.hash
    assert a.replace("normalise", hi=99).hash != a.hash
    assert len(a.hash) == 64


def test_replace_returns_new_validated_recipe():
    a = Recipe.from_dict(BASE)
    b = a.replace("normalise", hi=10)
    assert b.steps[1].params == {"lo": 1, "hi": 10} and a.steps[1].params["hi"] == 100
    c = a.replace(1, method="zscore", mean=100, sd=10)
    assert c.steps[1].method == "zscore" and c.steps[1].params == {"mean": 100, "sd": 10}
    with pytest.raises(RecipeError, match="unknown parameter"):
        a.replace("normalise", mean=3)
    two_imputes = Recipe.from_dict({**BASE, "steps": [BASE["steps"][0]] + BASE["steps"]})
    with pytest.raises(RecipeError, match="pass the step index"):
        two_imputes.replace("impute", limit=2)
