"""Synthetic country-year panels with a planted signal for the early-warning tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def synthetic(n_ent: int = 40, y0: int = 1960, y1: int = 2010, seed: int = 1, strength: float = 2.5):
    """Outcomes, predictors and a ring contiguity; conflict in t+1 ~ logistic(strength * x_t)."""
    rng = np.random.default_rng(seed)
    years = np.arange(y0, y1 + 1)
    ents = [f"E{i:02d}" for i in range(n_ent)]
    T = len(years)
    x = np.zeros((n_ent, T))
    x[:, 0] = rng.normal(size=n_ent)
    for t in range(1, T):
        x[:, t] = 0.9 * x[:, t - 1] + np.sqrt(1 - 0.81) * rng.normal(size=n_ent)
    conf = np.zeros((n_ent, T))
    for t in range(1, T):
        p = 1 / (1 + np.exp(-(-3.5 + strength * x[:, t - 1] + 2.0 * conf[:, t - 1])))
        conf[:, t] = rng.random(n_ent) < p
    coup = (rng.random((n_ent, T)) < 0.05).astype(float)
    base = pd.DataFrame({"iso3": np.repeat(ents, T), "year": np.tile(years, n_ent)})
    out = base.assign(gwcode=np.repeat(np.arange(n_ent), T), conflict=conf.ravel(),
                      conflict_major=0.0, coup_attempt=coup.ravel())
    noise = rng.normal(size=n_ent * T)
    pred = base.assign(x=x.ravel(), noise=noise, v2x_polyarchy=rng.uniform(0, 1, n_ent * T),
                       infmort=rng.uniform(5, 100, n_ent * T))
    ring = pd.DataFrame({"iso3": ents + ents, "iso3_nb": ents[1:] + ents[:1] + ents[-1:] + ents[:-1]})
    return out, pred, ring


@pytest.fixture(scope="session")
def synth():
    return synthetic()


FRAMEWORK_YAML = """
id: synth
name: Synthetic two-domain framework
version: '1'
polarity: higher = more risk
groups:
- id: index
  name: Index
- id: stress
  name: Stress
  parent: index
- id: noise
  name: Noise
  parent: index
indicators:
- {id: ind_x, name: X, parent: stress, licence: test}
- {id: ind_x2, name: X slow, parent: stress, licence: test, slow: true}
- {id: ind_n1, name: N1, parent: noise, licence: test}
- {id: ind_n2, name: N2, parent: noise, licence: test, slow: true}
"""


def synthetic_index(out: pd.DataFrame, pred: pd.DataFrame, tmp_path, y0: int = 1980, seed: int = 2):
    """(panel, framework, groups) whose 'stress' domain carries the planted driver x."""
    import xarray as xr

    from holisec.framework import load_framework

    rng = np.random.default_rng(seed)
    p = pred[pred.year >= y0].sort_values(["iso3", "year"])
    ents, years = p.iso3.unique(), np.sort(p.year.unique())
    x = p["x"].to_numpy().reshape(len(ents), len(years))
    v = np.stack([x, x + 0.3 * rng.normal(size=x.shape), rng.normal(size=x.shape), rng.normal(size=x.shape)], axis=2)
    v[rng.random(v.shape) < 0.05] = np.nan  # gaps for the imputation steps
    panel = xr.DataArray(v, dims=("entity", "period", "indicator"),
                         coords={"entity": ents, "period": years, "indicator": ["ind_x", "ind_x2", "ind_n1", "ind_n2"]})
    f = tmp_path / "synth.yaml"
    f.write_text(FRAMEWORK_YAML)
    groups = pd.DataFrame({"region": np.where(np.arange(len(ents)) % 2, "R1", "R2"),
                           "continent": "C", "income": "I"}, index=pd.Index(ents, name="entity"))
    return panel, load_framework(f), groups
