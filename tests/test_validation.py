"""One error format for every user file (framework, recipe, scenario, uncertainty spec)."""
import pytest

from holisec._validation import key_path, read_mapping_file
from holisec.framework.load import load_yaml
from holisec.framework.schema import FrameworkError
from holisec.holistic._common import HolisticError
from holisec.holistic.scenario import Scenario
from holisec.pipeline.recipe import Recipe, RecipeError
from holisec.uncertainty.spec import SpecError, UncertaintySpec


def test_key_path():
    assert key_path(("steps", 3, "params", "winmax")) == "steps[3].params.winmax"
    assert key_path((0, "a")) == "[0].a" and key_path(()) == ""


@pytest.mark.parametrize("load, error, what", [(Recipe.load, RecipeError, "recipe"),
                                               (Scenario.load, HolisticError, "scenario"),
                                               (UncertaintySpec.load, SpecError, "uncertainty spec"),
                                               (load_yaml, FrameworkError, "framework")])
def test_every_user_file_says_file_line_and_column(tmp_path, load, error, what):
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: 1\nb: [1, 2\nc: 3\n")
    with pytest.raises(error, match=r"bad\.yaml: line 3, column 2: cannot parse YAML"):
        load(bad)
    with pytest.raises(error, match=f"missing.yaml: {what} file not found"):
        load(tmp_path / "missing.yaml")
    with pytest.raises(error, match=f"is a folder, expected a {what} file"):
        load(tmp_path)
    listed = tmp_path / "list.yaml"
    listed.write_text("- 1\n- 2\n")
    with pytest.raises(error, match=f"a {what} must be a mapping at the top level, got list"):
        load(listed)


def test_json_errors_name_line_and_column(tmp_path):
    bad = tmp_path / "r.json"
    bad.write_text('{"steps": [\n  1,\n  ]\n}')
    with pytest.raises(RecipeError, match=r"r\.json: line 3, column 3: cannot parse JSON"):
        read_mapping_file(bad, "recipe", RecipeError)


def test_problems_are_listed_by_key_path():
    with pytest.raises(RecipeError) as err:
        Recipe.from_dict({"name": "x", "steps": [{"step": "treat", "method": "jrc", "params": {}}, {"nostep": 1}]},
                         "r.yaml")
    text = str(err.value)
    assert text.startswith("r.yaml: invalid recipe (") and "\n  - steps[1]" in text
