"""The uncertain-inputs file: every input is checked against the recipe and framework up front."""
from __future__ import annotations

import numpy as np
import pytest

from holisec.uncertainty.spec import Plan, SpecError, UncertaintySpec, builtin_spec

from .conftest import ASEM_SPEC


def plan(asem, inputs, **kw):
    _, framework, _, recipe = asem
    from holisec.uncertainty.montecarlo import _nominal_weights

    return Plan(UncertaintySpec.from_dict({"inputs": inputs}, "u.yaml"), recipe, framework, origin="u.yaml",
                nominal_weights=_nominal_weights(recipe, framework), **kw)


@pytest.mark.parametrize("item,message", [
    ({"name": "x", "step": "screen", "param": "winmax", "values": [1, 2]},
     r"inputs\[0\] \(x\).step: recipe 'asem' has no 'screen' step"),
    ({"name": "x", "step": 9, "param": "winmax", "values": [1, 2]}, r"inputs\[0\] \(x\).step: .* has no step 9"),
    ({"name": "x", "step": "treat", "param": "winmx", "values": [1, 2]},
     r"inputs\[0\] \(x\) = 1: not a valid recipe step 2: .*winmx: unknown parameter"),
    ({"name": "x", "step": "treat", "param": "winmax", "values": [1, "five"]}, r"= five: .*winmax: bad value"),
    ({"name": "x", "step": "normalise", "methods": [{"method": "minmax"}, {"method": "zscores"}]},
     r"= zscores: .*unknown method 'zscores'"),
    ({"name": "x", "step": "normalise", "switch": True}, r"'normalise' step is required"),
    ({"name": "x", "weights": {"level": 7, "noise": 0.2}}, r"weights.level: .* no weighted codes at level 7"),
    ({"name": "x", "leave_out": {"indicators": ["nope"]}}, r"leave_out.indicators: \['nope'\] are not indicators"),
])
def test_inputs_naming_what_the_recipe_lacks_are_errors(asem, item, message):
    with pytest.raises(SpecError, match=message):
        plan(asem, [item])


def test_parameter_must_exist_in_every_alternative_method(asem):
    inputs = [{"name": "norm", "step": "normalise", "methods": [{"method": "minmax"}, {"method": "zscore"}]},
              {"name": "lo", "step": "normalise", "param": "lo", "values": [0.0, 1.0]}]
    with pytest.raises(SpecError, match=r"norm\) = zscore, inputs\[1\] \(lo\) = 0.0: .*lo: unknown parameter"):
        plan(asem, inputs)


@pytest.mark.parametrize("raw,message", [
    ({"inputs": [{"name": "a", "step": "treat"}]}, "give exactly one of"),
    ({"inputs": [{"name": "a", "step": "treat", "param": "winmax"}]}, "exactly one of 'values'"),
    ({"inputs": [{"name": "a", "weights": {"level": 2}}]}, "exactly one of 'noise'"),
    ({"inputs": [{"name": "a", "weights": {"level": 2, "noise": 1.5}}]}, r"inputs\[0\].weights.noise"),
    ({"inputs": [{"name": "a", "leave_out": {}}, {"name": "a", "leave_out": {}}]}, "duplicate name"),
    ({"inputs": [{"name": "a", "step": 1, "param": "p", "distribution": {"normal": [0, 1]}}]}, "uniform"),
    ({"inputs": [{"name": "a", "leave_out": {}, "colour": 1}]}, r"inputs\[0\].colour: Extra inputs"),
])
def test_malformed_spec_errors_name_the_key_path(raw, message):
    with pytest.raises(SpecError, match=message):
        UncertaintySpec.from_dict(raw, "u.yaml")


def test_lone_indicators_cannot_be_left_out(asem):
    _, framework, *_ = asem
    tree = framework.tree
    sizes = tree["parent"].value_counts()
    pool = plan(asem, [{"name": "l", "leave_out": {"k": 1}}])._candidates(
        UncertaintySpec.from_dict({"inputs": [{"name": "l", "leave_out": {"k": 1}}]}).inputs[0], 0)
    assert all(sizes[tree.at[c, "parent"]] > 1 for c in pool)


def test_decoding_the_design(asem):
    p = plan(asem, ASEM_SPEC["inputs"])
    design = np.array([[0.0, 0.49, 0.0, 0.99], [0.99, 0.5, 0.999, 0.5], [0.2, 0.1, 0.5, 0.0]])
    c = p.choices(design)
    assert c[:, 0].tolist() == [0, 4, 1] and c[:, 1].tolist() == [0, 1, 0] and c[:, 3].tolist() == [1, 1, 0]
    assert c[:, 2].tolist() == [0, 99, 50]
    assert [p.label(0, j) for j in c[:, 0]] == ["1", "5", "2"]
    assert p.label(1, 1) == "zscore(mean=10.0,sd=2.0)"


def test_weight_noise_stays_within_its_band(asem):
    p = plan(asem, ASEM_SPEC["inputs"])
    sets = p.weight_factors(2)
    nominal = p.nominal_weights.reindex(sets.columns).to_numpy()
    ratio = sets.to_numpy() / nominal
    assert ratio.min() >= 0.75 and ratio.max() <= 1.25 and sets.shape == (100, 10)  # 8 pillars + 2 sub-indices


def test_builtin_default_spec_is_valid_for_the_default_recipe():
    from holisec.framework import load_framework
    from holisec.pipeline import default_recipe
    from holisec.uncertainty.montecarlo import _nominal_weights

    spec = builtin_spec("default")
    fw = load_framework("holistic")
    p = Plan(spec, default_recipe(), fw, nominal_weights=_nominal_weights(default_recipe(), fw))
    assert len(p.names) >= 8
