"""holisec reproduces COINr 1.1.14 on its ASEM example (see tests/fixtures/coinr/README.md)."""
import numpy as np
import pandas as pd
import pytest

from holisec.pipeline import PipelineError, Recipe, build, read_coinr

from .conftest import COINR

REFERENCE = COINR / "results_simple_minmax_amean.csv"


@pytest.fixture(scope="module")
def asem():
    return read_coinr(COINR / "ASEM_iData.csv", COINR / "ASEM_iMeta.csv")


@pytest.fixture(scope="module")
def reference():
    return pd.read_csv(REFERENCE).set_index("uCode")


def test_read_coinr_shapes(asem):
    panel, framework, groups = asem
    assert panel.sizes == {"entity": 51, "period": 1, "indicator": 53}  # 49 indicators + 4 denominators
    assert framework.root == "Index" and len(framework.indicators) == 49
    assert framework.effective_direction("CO2") == -1
    assert list(groups.columns) == ["name", "GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group"]
    assert groups.at["AUT", "name"] == "Austria"


def test_minmax_amean_matches_coinr_to_1e9(asem, reference):
    panel, framework, _ = asem
    result = build("coinr_minmax_amean", panel, framework)
    mine = result.scores.sel(period=2018).to_pandas().loc[reference.index, reference.columns]
    assert (mine.isna() == reference.isna()).all().all()
    assert np.nanmax(np.abs(mine.to_numpy() - reference.to_numpy())) < 1e-9
    # every indicator, pillar, sub-index and the index are compared
    assert {"Physical", "Conn", "Sust", "Index"} <= set(reference.columns) and reference.shape[1] == 60


def test_panel_version_builds_and_its_2018_slice_matches_coinr(reference):
    panel, framework, groups = read_coinr(COINR / "ASEM_iData_p.csv", COINR / "ASEM_iMeta.csv")
    assert panel.sizes == {"entity": 51, "period": 5, "indicator": 53}
    result = build("coinr_minmax_amean", panel, framework)
    assert result.scores.sizes == {"entity": 51, "period": 5, "code": 60}
    assert np.isfinite(result.scores.sel(code="Index").values).all()
    # per-year scope on the panel equals COINr's single-year coin for 2018 (same 2018 data)
    per_year = build(Recipe.builtin("coinr_minmax_amean").replace("normalise", scope="period"), panel, framework)
    mine = per_year.scores.sel(period=2018).to_pandas().loc[reference.index, reference.columns]
    assert np.nanmax(np.abs(mine.to_numpy() - reference.to_numpy())) < 1e-9


def test_denominate_with_imeta_denominators(asem):
    panel, framework, _ = asem
    recipe = Recipe.from_dict({"name": "d", "steps": [
        {"step": "denominate", "method": "divide"},
        {"step": "normalise", "method": "minmax"},
        {"step": "aggregate", "method": "amean"}]})
    result = build(recipe, panel, framework)
    raw = result.datasets["raw"]
    assert result.datasets["denominated"].sel(entity="AUT", indicator="Goods").item() == pytest.approx(
        raw.sel(entity="AUT", indicator="Goods").item() / raw.sel(entity="AUT", indicator="GDP").item())


def test_coinr_example_recipe_matches_build_example_coin(asem):
    """COINr's full example (denominate, EurAsia_group means, screen 0.9, treat, min-max, mean).

    The fixture was produced with COINr 1.1.14 / R 4.2.2 (see tests/fixtures/coinr/README.md).
    Before winsorised points were counted distinctly (COINr ``nwin``), Services differed by 28.7.
    """
    panel, framework, groups = asem
    reference = pd.read_csv(COINR / "results_coinr_example.csv").set_index("uCode")
    result = build("coinr_example", panel, framework, entity_groups=groups)
    assert [s.step for s in result.recipe.steps] == [
        "denominate", "impute", "impute", "treat", "normalise", "weight", "aggregate"]
    mine = result.scores.isel(period=0).to_pandas()
    assert sorted(mine.index) == sorted(reference.index) and reference.shape == (51, 60)
    mine = mine.loc[reference.index, reference.columns]
    assert (mine.isna() == reference.isna()).all().all()
    assert np.nanmax(np.abs(mine.to_numpy() - reference.to_numpy())) < 1e-9
    treated = result.reports["treated"]
    assert set(treated.loc[treated["entity"] == "LUX", "indicator"]) >= {"Services", "ForPort"}


def test_read_coinr_non_numeric_cell_is_an_error_naming_row_and_column():
    data = pd.read_csv(COINR / "ASEM_iData.csv")
    data["Goods"] = data["Goods"].astype(object)
    data.loc[3, "Goods"] = "n/a*"
    with pytest.raises(PipelineError, match=r"iData row 5, column Goods: 'n/a\*' is not a number"):
        read_coinr(data, COINR / "ASEM_iMeta.csv")


def test_read_coinr_panel_rows_in_any_order_give_the_same_panel():
    data = pd.read_csv(COINR / "ASEM_iData_p.csv")
    a = read_coinr(data, COINR / "ASEM_iMeta.csv")
    b = read_coinr(data.sample(frac=1.0, random_state=1), COINR / "ASEM_iMeta.csv")
    assert b[0].sortby("entity").identical(a[0].sortby("entity"))
    dup = pd.concat([data, data.iloc[[7]]], ignore_index=True)
    with pytest.raises(PipelineError, match=r"duplicate uCode/Time rows: \[\['.+', \d+\]\] \(file rows \[257\]\)"):
        read_coinr(dup, COINR / "ASEM_iMeta.csv")
