"""Sobol' indices: equal to SALib on the same samples; analytic values of test functions; Morris screen."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from SALib.analyze import sobol as salib_sobol
from SALib.sample import sobol as salib_sample

from holisec.uncertainty.sensitivity import problem, sensitivity, sobol_indices

from .conftest import ASEM_SPEC


def ishigami(X, a=7.0, b=0.1):
    x = -np.pi + 2 * np.pi * X
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_truth(a=7.0, b=0.1):
    """Analytic S1, ST (Ishigami & Homma 1990; Sobol' & Levitan 1999)."""
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * 8 / 225
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


def test_vectorised_estimator_equals_salib_on_the_same_samples():
    names = ["x1", "x2", "x3"]
    X = salib_sample.sample(problem(names), 256, calc_second_order=False, seed=3)
    Y = np.column_stack([ishigami(X), X @ [1.0, 2.0, 3.0], np.full(len(X), 5.0), ishigami(X, a=2, b=0.5)])
    mine = sobol_indices(Y, 3, num_resamples=50, seed=11)
    for k in range(Y.shape[1]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = salib_sobol.analyze(problem(names), Y[:, k], calc_second_order=False, num_resamples=50, seed=11)
        for key in ("S1", "S1_conf", "ST", "ST_conf"):
            np.testing.assert_allclose(mine[key][k], ref[key], rtol=0, atol=1e-10, err_msg=f"output {k} {key}")


def test_ishigami_within_the_bootstrap_interval():
    X = salib_sample.sample(problem(["x1", "x2", "x3"]), 4096, calc_second_order=False, seed=1)
    got = sobol_indices(ishigami(X), 3, num_resamples=200, conf_level=0.99, seed=2)
    s1, st = ishigami_truth()
    assert np.all(np.abs(got["S1"][0] - s1) <= got["S1_conf"][0])
    assert np.all(np.abs(got["ST"][0] - st) <= got["ST_conf"][0])


def test_linear_weighted_model_within_the_bootstrap_interval():
    """Y = sum a_i X_i, X_i ~ U(0, 1) independent: S_i = ST_i = a_i^2 / sum a^2."""
    a = np.array([1.0, 2.0, 0.5, 3.0])
    X = salib_sample.sample(problem(list("abcd")), 2048, calc_second_order=False, seed=4)
    got = sobol_indices(X @ a, 4, num_resamples=200, conf_level=0.99, seed=5)
    truth = a**2 / np.sum(a**2)
    assert np.all(np.abs(got["S1"][0] - truth) <= got["S1_conf"][0])
    assert np.all(np.abs(got["ST"][0] - truth) <= got["ST_conf"][0])


def test_sobol_and_morris_on_asem(asem):
    panel, framework, groups, recipe = asem
    sob = sensitivity(ASEM_SPEC, recipe, panel, framework, entity_groups=groups, method="sobol", n=32, seed=1)
    assert sob.runs.n == 32 * 6
    table = sob.summary()
    assert set(table["input"]) == {i["name"] for i in ASEM_SPEC["inputs"]}
    assert (table["shift_ST"] >= -0.2).all() and sob.indices["output"].nunique() == 1 + panel.sizes["entity"]
    mor = sensitivity(ASEM_SPEC, recipe, panel, framework, entity_groups=groups, method="morris", n=10, seed=1)
    assert mor.runs.n == 10 * 5 and (mor.summary()["shift_mu_star"] >= 0).all()


def test_sobol_needs_a_power_of_two(asem):
    panel, framework, groups, recipe = asem
    with pytest.raises(ValueError, match="power of 2"):
        sensitivity(ASEM_SPEC, recipe, panel, framework, entity_groups=groups, n=100)
