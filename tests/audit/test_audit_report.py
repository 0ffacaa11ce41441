"""The full audit: planted flags appear, the clean group stays clean, output is JSON-safe."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from holisec.audit import AuditReport, audit

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "coinr"


def _flag_set(rep: AuditReport) -> set[tuple[str, str]]:
    return set(zip(rep.flags.check, rep.flags.subject))


def test_planted_flags_and_clean_group(scores, tree):
    raw = scores.sel(code=list("abcxyz")).rename(code="indicator").copy()
    raw.loc[dict(indicator="a", period=2000)] = np.nan  # a: 5/10 observed -> low coverage
    rep = audit(scores, tree, raw=raw)
    flags = _flag_set(rep)
    assert ("redundant_pair", "x ~ y") in flags
    assert ("negative_pair", "x ~ z") in flags and ("negative_pair", "y ~ z") in flags
    assert ("negative_with_parent", "z") in flags
    assert ("low_alpha", "F") in flags
    assert ("low_coverage_indicator", "a") in flags
    clean = rep.flags[(rep.flags.parent == "G") & rep.flags.check.isin(
        ["redundant_pair", "negative_pair", "low_alpha", "multidimensional"])]
    assert clean.empty
    text = rep.summary()
    assert "redundant_pair: " in text and "x ~ y [F]" in text
    assert str(rep) == text


def test_to_dict_json_safe(scores, tree):
    s = scores.copy()
    s.loc[dict(entity="e1", code="c")] = np.nan
    rep = audit(s, tree, period=2000, by_period=True)
    d = rep.to_dict()
    txt = json.dumps(d, allow_nan=False)  # raises on NaN / inf
    assert "null" in txt
    assert d["settings"]["period_list"] == [2000]
    assert {r["period"] for r in d["reliability"]} == {2000}
    assert d["importance"] is None and d["coverage"] == {}


def test_importance_plugged_in(scores, tree):
    leaves = list("abcxyz")

    def rebuild(drop):
        keep = [c for c in leaves if c not in drop]
        return scores.sel(code=keep).mean("code")

    rep = audit(scores, tree, rebuild=rebuild, baseline=rebuild([]))
    assert set(rep.importance.dropped) == set(leaves) | {"G", "F"}
    assert (rep.importance.spearman.dropna() <= 1).all()
    assert "Most influential" in rep.summary()


def test_coinr_asem_runs_and_is_consistent():
    """Real data: COINr's ASEM example (51 countries, 49 indicators, 4 levels)."""
    from holisec.framework.load import from_imeta

    tree = from_imeta(FIX / "ASEM_iMeta.csv").tree
    df = pd.read_csv(FIX / "results_simple_minmax_amean.csv").set_index("uCode")
    s = xr.DataArray(df.to_numpy(float)[:, None, :], dims=("entity", "period", "code"),
                     coords={"entity": df.index.to_numpy(), "period": [2018], "code": df.columns.to_numpy()})
    rep = audit(s, tree)
    assert set(rep.reliability.parent) == set(tree.index[tree.type == "Aggregate"])
    assert (rep.reliability.alpha.dropna() <= 1).all()
    np.testing.assert_allclose(rep.correlation_importance.groupby("parent").importance.sum(), 1.0)
    # cross-check alpha of one pillar against the textbook formula on complete rows
    kids = tree.index[tree.parent == "Political"].tolist()
    X = df[kids].dropna().to_numpy()
    k = len(kids)
    expected = k / (k - 1) * (1 - X.var(0, ddof=1).sum() / X.sum(1).var(ddof=1))
    assert rep.reliability.set_index("parent").at["Political", "alpha"] == pytest.approx(expected)
    json.dumps(rep.to_dict(), allow_nan=False)
