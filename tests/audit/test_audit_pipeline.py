"""The audit on a real build: COINr's ASEM panel through holisec.pipeline.build."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from holisec.audit import audit, rank_shift
from holisec.pipeline import build, read_coinr

COINR = Path(__file__).resolve().parents[1] / "fixtures" / "coinr"
RECIPE = "coinr_minmax_amean"


@pytest.fixture(scope="module")
def asem():
    panel, framework, _ = read_coinr(COINR / "ASEM_iData_p.csv", COINR / "ASEM_iMeta.csv")
    return panel, framework, build(RECIPE, panel, framework)


def test_audit_of_a_build_with_leave_one_out(asem):
    panel, fw, result = asem

    def rebuild(drop):
        return build(RECIPE, panel.drop_sel(indicator=drop), fw).scores.sel(code=fw.root)

    # rebuilding with nothing dropped reproduces the baseline ranking exactly
    same = rank_shift(result.scores.sel(code=fw.root), rebuild([]))
    assert (same.mean_abs_rank_change == 0).all() and np.allclose(same.spearman, 1)

    rep = audit(result.scores, fw.tree, raw=result.datasets["raw"], rebuild=rebuild)
    imp = rep.importance
    n_groups = (fw.tree.type == "Aggregate").sum() - 1  # all but the root
    assert len(imp) == (len(fw.indicators) + n_groups) * panel.sizes["period"]
    # one of 49 indicators barely matters for the ranking; whole sub-indices matter more
    ind = imp[imp.type == "Indicator"]
    assert ind.spearman.min() > 0.9
    by = imp.groupby("dropped").mean_abs_rank_change.mean()
    assert by[["Conn", "Sust"]].min() > by[ind.dropped.unique()].median()
    # coverage is computed on the raw panel (53 codes: 49 indicators + 4 denominators)
    assert len(rep.coverage["indicator"]) == panel.sizes["indicator"]
    np.testing.assert_allclose(rep.correlation_importance.groupby(["parent"]).importance.sum(), 1.0)
    json.dumps(rep.to_dict(), allow_nan=False)
