"""Entropy, CRITIC, SD and AHP weights and TOPSIS / GRA aggregation against published worked examples.

The decision matrices and expected numbers are the worked examples reproduced in the test suite of
JMcDM (Satman, M. H., Yildirim, B. F. & Kuruca, E. (2021) JMcDM: a Julia package for
multiple-criteria decision-making tools. *Journal of Open Source Software* 6(65), 3430), which
take them from the textbooks cited per test.
"""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from holisec.framework import from_dict
from holisec.pipeline import Recipe, build
from holisec.pipeline._panel import PipelineError
from holisec.pipeline.steps import mcda


def _flip(matrix, cost):
    """Cost criteria become benefit criteria (x -> -x) so that every child reads the same way."""
    m = np.array(matrix, dtype=float)
    m[:, cost] *= -1
    return m


def test_entropy_weights_match_published_example():
    """JMcDM ``entropy`` example (6 alternatives x 8 criteria; Yildirim & Onder (eds.) 2015,
    *Cok Kriterli Karar Verme Yontemleri*, Dora): w = 0.29967, 0.44137, 0.07009, 0.02124, 0.04902,
    0.02308, 0.04776, 0.04776."""
    x = np.array([[2.0, 4, 3, 5, 4, 3], [1, 1, 2, 1, 2, 2], [4, 5, 6, 5, 5, 6], [7, 6, 6, 7, 6, 6],
                  [6, 7, 5, 6, 7, 6], [6, 7, 6, 7, 7, 6], [7, 6, 8, 7, 6, 6], [3000, 3500, 4000, 3000, 3000, 3500]]).T
    expected = [0.29967360960, 0.44136733892, 0.07009088720, 0.02123823711, 0.04902292895,
                0.02308037885, 0.04776330969, 0.04776330969]
    assert mcda.entropy_weights(x) == pytest.approx(expected, abs=1e-6)


def test_entropy_treats_zero_as_zero_information_not_as_certainty():
    """0 ln 0 = 0: a column (0, 1, 1) has p = (0, .5, .5), e = ln 2 / ln 3 = 0.63093; a column
    (1, 1, 1) has e = 1 and weight 0 (pymcdm would set e = 0 for the first column)."""
    w = mcda.entropy_weights(np.array([[0.0, 1.0, 2.0], [1.0, 1.0, 1.0], [1.0, 1.0, 3.0]]))
    e0 = np.log(2) / np.log(3)
    p2 = np.array([2, 1, 3]) / 6
    e2 = -(p2 * np.log(p2)).sum() / np.log(3)
    d = np.array([1 - e0, 0.0, 1 - e2])
    assert w == pytest.approx(d / d.sum(), abs=1e-12)


def test_critic_weights_match_published_example():
    """JMcDM ``critic`` example (3 x 4, criterion 3 a cost; Diakoulaki et al. 1995 method):
    w = 0.16884, 0.41844, 0.24912, 0.16359."""
    x = [[12.9918, 0.7264, -1.1009, 1.598139592], [4.1201, 5.8824, 3.4483, 1.021563567],
         [4.1039, 0.0000, -0.5076, 0.984469444]]
    assert mcda.critic_weights(_flip(x, [2])) == pytest.approx([0.16883925, 0.418444976, 0.249124763, 0.163591012],
                                                              abs=1e-5)


def test_sd_weights_match_published_example():
    """JMcDM ``sd`` example without normalisation (5 x 6): w_1 = 0.99254, w_5 = 0.00676."""
    x = np.column_stack([[105000.0, 120000, 150000, 115000, 135000], [105.0, 110, 120, 105, 115],
                         [10.0, 15, 12, 20, 15], [4.0, 4, 3, 4, 5], [300.0, 500, 550, 600, 400], [10.0, 8, 12, 9, 9]])
    expected = [0.9925358892853197, 0.00036602915026898945, 0.0002123191795668205, 3.9701435571412785e-5,
                0.006760910856275223, 8.515009299808652e-5]
    assert mcda.sd_weights(x) == pytest.approx(expected, abs=1e-6)


AHP_K = np.array([
    [1, 7, 1 / 5, 1 / 8, 1 / 2, 1 / 3, 1 / 5, 1], [1 / 7, 1, 1 / 8, 1 / 9, 1 / 4, 1 / 5, 1 / 9, 1 / 8],
    [5, 8, 1, 1 / 3, 4, 2, 1, 1], [8, 9, 3, 1, 7, 5, 3, 3], [2, 4, 1 / 4, 1 / 7, 1, 1 / 2, 1 / 5, 1 / 5],
    [3, 5, 1 / 2, 1 / 5, 2, 1, 1 / 3, 1 / 3], [5, 9, 1, 1 / 3, 5, 3, 1, 1], [1, 8, 1, 1 / 3, 5, 3, 1, 1]])


def test_ahp_matches_published_consistency_example():
    """JMcDM ``ahp_consistency`` example (8 criteria, Yildirim & Onder 2015): with the textbook's
    approximate priorities (normalised columns, row means) lambda_max = 8.72643, CI = 0.103775,
    CR = 0.0736 (Saaty's RI(8) = 1.41): consistent. holisec uses the exact principal eigenvector
    (pymcdm): the priorities agree within 0.004, lambda_max = 8.69820 (<= the approximation, as
    the Perron root must be) and CR = 0.0715 with Tummala & Ling's RI(8) = 1.3952."""
    approx = (AHP_K / AHP_K.sum(axis=0)).mean(axis=1)
    lam_book = float(((AHP_K @ approx) / approx).mean())
    assert lam_book == pytest.approx(8.72642777111301, abs=1e-9)
    assert (lam_book - 8) / 7 / 1.41 == pytest.approx(0.07359957154133831, abs=1e-9)
    w, lam, cr = mcda.ahp_weights(AHP_K)
    assert np.abs(w - approx).max() < 0.004 and w.sum() == pytest.approx(1.0)
    assert (AHP_K @ w) == pytest.approx(lam * w, rel=1e-9)  # principal eigenvector
    assert lam == pytest.approx(8.698197598, abs=1e-8) and lam <= lam_book
    assert cr == pytest.approx((lam - 8) / 7 / 1.3952, abs=1e-12) and cr < 0.1


def test_topsis_matches_published_example():
    """JMcDM ``topsis`` example (Hwang & Yoon 1981 vector normalisation; 3 alternatives, weights
    4, 2, 6, 8): closeness 0.38769, 0.65032, 0.08348."""
    x = np.array([[9.0, 7, 6, 7], [8, 7, 9, 6], [7, 8, 6, 6]])
    w = np.array([4.0, 2, 6, 8])
    values = x[:, None, :]  # (entity, period, child)
    score = mcda.topsis(values, np.ones_like(values, bool), (w / w.sum())[:, None])
    assert score[:, 0, 0] == pytest.approx(100 * np.array([0.3876870, 0.6503238, 0.0834767]), abs=1e-4)


def test_gra_matches_published_example():
    """JMcDM ``grey`` example (Yildirim & Onder 2015; 5 x 6, criteria 1, 3, 6 costs, rho = 0.5,
    weights .05 .2 .1 .15 .1 .4): grades 0.525, 0.70071, 0.54643, 0.57628, 0.65095."""
    x = np.column_stack([[105000.0, 120000, 150000, 115000, 135000], [105.0, 110, 120, 105, 115],
                         [10.0, 15, 12, 20, 15], [4.0, 4, 3, 4, 5], [300.0, 500, 550, 600, 400], [10.0, 8, 12, 9, 9]])
    values = _flip(x, [0, 2, 5])[:, None, :]
    w = np.array([0.05, 0.20, 0.10, 0.15, 0.10, 0.40])
    score = mcda.gra(values, np.ones_like(values, bool), w[:, None])
    assert score[:, 0, 0] == pytest.approx(100 * np.array([0.525, 0.7007142857, 0.5464285714, 0.5762820513, 0.6509523810]),
                                           abs=1e-6)


def test_topsis_and_gra_skip_missing_children_and_work_per_period():
    """A missing child is left out; periods are scored separately (values broadcast over period)."""
    x = np.array([[[1.0, 2.0], [1.0, 2.0]], [[3.0, np.nan], [3.0, 5.0]], [[2.0, 4.0], [2.0, 4.0]]])
    present = ~np.isnan(x)
    m = np.array([[0.5], [0.5]])
    for f in (mcda.topsis, mcda.gra):
        s = f(np.nan_to_num(x), present, m)
        assert np.isfinite(s).all() and (s >= 0).all() and (s <= 100).all()
        assert s[1, 0, 0] == pytest.approx(100.0)  # alone on child 1 at its maximum in period 0
    assert mcda.topsis(x, present, m, scope="panel").shape == (3, 2, 1)


@pytest.fixture
def fw():
    return from_dict({
        "id": "mc", "name": "mc",
        "groups": [{"id": "R", "name": "root"}, {"id": "A", "name": "A", "parent": "R"},
                   {"id": "B", "name": "B", "parent": "R"}],
        "indicators": [{"id": "a1", "name": "a1", "parent": "A"}, {"id": "a2", "name": "a2", "parent": "A"},
                       {"id": "b1", "name": "b1", "parent": "B"}, {"id": "b2", "name": "b2", "parent": "B"}],
    })


def _panel(seed=0):
    rng = np.random.default_rng(seed)
    v = rng.uniform(0, 10, (6, 3, 4))
    v[..., 1] = v[..., 1] ** 2  # a skewed child gets a different weight
    return xr.DataArray(v, dims=("entity", "period", "indicator"),
                        coords={"entity": [f"E{i}" for i in range(6)], "period": [2000, 2001, 2002],
                                "indicator": ["a1", "a2", "b1", "b2"]})


def _recipe(weight, aggregate="amean", params=None):
    return {"name": "t", "steps": [{"step": "normalise", "method": "minmax", "params": {"scope": "panel"}},
                                   {"step": "weight", "method": weight, "params": params or {}},
                                   {"step": "aggregate", "method": aggregate}]}


@pytest.mark.parametrize("method", ["entropy", "critic", "sd"])
def test_objective_weights_as_recipe_step(fw, method):
    """The build derives the weights from the normalised children over complete entity-periods."""
    panel = _panel()
    result = build(_recipe(method), panel, fw)
    rows = result.datasets["normalised"].sel(indicator=["a1", "a2"]).values.reshape(-1, 2)
    expected = {"entropy": mcda.entropy_weights, "critic": mcda.critic_weights, "sd": mcda.sd_weights}[method](rows)
    assert result.weights[["a1", "a2"]].to_numpy() == pytest.approx(expected)
    assert result.weights[["A", "B"]].to_numpy() == pytest.approx([0.5, 0.5])  # level 3 keeps framework weights


def test_ahp_weights_from_file_and_inconsistency_is_an_error(fw, tmp_path):
    good = tmp_path / "ahp.csv"
    good.write_text("a,b,value\na1,a2,3\nA,B,1/2\n")
    result = build(_recipe("ahp", params={"file": str(good)}), _panel(), fw)
    assert result.weights[["a1", "a2"]].to_numpy() == pytest.approx([0.75, 0.25])
    assert result.weights[["A", "B"]].to_numpy() == pytest.approx([1 / 3, 2 / 3])
    three = from_dict({"id": "t3", "name": "t3", "groups": [{"id": "R", "name": "R"}],
                       "indicators": [{"id": c, "name": c, "parent": "R"} for c in ("x", "y", "z")]})
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,value\nx,y,9\ny,z,9\nz,x,9\n")  # x > y > z > x: maximally intransitive
    with pytest.raises(PipelineError, match=r"consistency ratio .* > 0.1"):
        mcda.ahp(three, file=str(bad))
    missing = tmp_path / "missing.csv"
    missing.write_text("a,b,value\nx,y,3\n")
    with pytest.raises(PipelineError, match=r"lacks comparisons \['x,z', 'y,z'\]"):
        mcda.ahp(three, file=str(missing))
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("a,b,value\nx,q,3\n")
    with pytest.raises(PipelineError, match=r"row 2: 'q' is not a code"):
        mcda.ahp(three, file=str(unknown))


@pytest.mark.parametrize("method", ["topsis", "gra"])
def test_topsis_and_gra_as_recipe_aggregation(fw, method):
    """Scores on 0-100; an entity at every child's maximum (the riskiest profile) scores 100."""
    panel = _panel()
    panel[0] = panel.max() + 1.0
    result = build(_recipe("equal", method), panel, fw)
    s = result.scores.sel(code=["A", "B", "R"])
    assert float(s.min()) >= 0 and float(s.max()) <= 100 and bool(s.notnull().all())
    assert s.sel(entity="E0").values == pytest.approx(100.0)
    assert (s.drop_sel(entity="E0") < 100).all()
    with pytest.raises(Exception, match="unknown method 'topsys'"):
        Recipe.from_dict(_recipe("equal", "topsys"))
