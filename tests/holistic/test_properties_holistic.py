"""Property tests (Hypothesis) of the holistic measures."""
from __future__ import annotations

import numpy as np
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from holisec.holistic.coordination import coupling_coordination
from holisec.pipeline.steps import mcda

risks = arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(2, 11)),
               elements=st.floats(0, 100, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(risks)
def test_coupling_is_bounded_and_one_only_when_domains_are_equal(r):
    da = xr.DataArray(r, dims=("entity", "domain"))
    ds = coupling_coordination(da)
    c, d, t = ds["C"].values, ds["D"].values, ds["T"].values
    assert ((c >= -1e-12) & (c <= 1 + 1e-12)).all() and ((d >= 0) & (d <= 1 + 1e-12)).all()
    assert ((t >= 0.01 - 1e-12) & (t <= 1 + 1e-12)).all()
    equal = np.ptp(r, axis=1) == 0
    assert np.allclose(c[equal], 1.0)
    assert (c[~equal & (np.ptp(r, axis=1) > 1)] < 1).all()


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(2, 8), st.integers(1, 3), st.integers(1, 5)),
              elements=st.floats(0, 100, allow_nan=False)))
def test_topsis_and_gra_stay_on_the_0_100_scale_and_respect_dominance(x):
    m = np.full((x.shape[2], 1), 1.0 / x.shape[2])
    present = np.ones_like(x, bool)
    for f in (mcda.topsis, mcda.gra):
        s = f(x, present, m)[..., 0]
        assert np.isfinite(s).all() and (s >= 0).all() and (s <= 100).all()
    # a unit at least as risky as another on every child scores at least as high (TOPSIS)
    s = mcda.topsis(x, present, m)[..., 0]
    for p in range(x.shape[1]):
        for a in range(x.shape[0]):
            for b in range(x.shape[0]):
                if (x[a, p] >= x[b, p]).all():
                    assert s[a, p] >= s[b, p] - 1e-9
