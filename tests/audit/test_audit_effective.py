"""Effective weights (nominal weights multiplied down the tree, COINr ``get_eff_weights``)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from holisec.audit import effective_weights
from holisec.framework import from_dict

COINR = Path(__file__).resolve().parents[1] / "fixtures" / "coinr"


def test_hand_computed_effective_weights():
    # R <- A (weight 3), B (weight 1); A <- a1 (1), a2 (3); B <- b1
    # within parents: A 0.75, B 0.25, a1 0.25, a2 0.75, b1 1 -> effective a1 0.1875, a2 0.5625, b1 0.25
    fw = from_dict({"id": "f", "name": "f", "groups": [
        {"id": "R", "name": "R"}, {"id": "A", "name": "A", "parent": "R", "weight": 3},
        {"id": "B", "name": "B", "parent": "R", "weight": 1}], "indicators": [
        {"id": "a1", "name": "a1", "parent": "A", "weight": 1}, {"id": "a2", "name": "a2", "parent": "A", "weight": 3},
        {"id": "b1", "name": "b1", "parent": "B"}]})
    e = effective_weights(fw.tree).set_index("code")
    assert e.loc[["a1", "a2", "b1", "A", "B", "R"], "effective_weight"].tolist() == pytest.approx(
        [0.1875, 0.5625, 0.25, 0.75, 0.25, 1.0])
    assert e.loc[["a1", "a2"], "weight"].tolist() == [0.25, 0.75]
    # the weights actually used (e.g. equal) replace the framework's
    eq = effective_weights(fw.tree, pd.Series(1.0, index=fw.tree.index)).set_index("code")
    assert eq.loc[["a1", "a2", "b1"], "effective_weight"].tolist() == pytest.approx([0.25, 0.25, 0.5])


def test_effective_weights_match_coinr_get_eff_weights_on_asem():
    from holisec.pipeline import read_coinr

    _, fw, _ = read_coinr(COINR / "ASEM_iData.csv", COINR / "ASEM_iMeta.csv")
    ref = pd.read_csv(COINR / "effective_weights_asem.csv").set_index("iCode")
    mine = effective_weights(fw.tree).set_index("code")
    assert set(mine.index) == set(ref.index)
    np.testing.assert_allclose(mine.loc[ref.index, "effective_weight"], ref["EffWeight"], atol=1e-12)
    indicators = mine[mine["type"] == "Indicator"]
    assert indicators["effective_weight"].sum() == pytest.approx(1.0)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.01, 10), min_size=6, max_size=6))
def test_property_each_level_sums_to_one_and_children_split_their_parent(w):
    # R <- A, B; A <- a1, a2; B <- b1, b2
    fw = from_dict({"id": "f", "name": "f", "groups": [
        {"id": "R", "name": "R"}, {"id": "A", "name": "A", "parent": "R", "weight": w[0]},
        {"id": "B", "name": "B", "parent": "R", "weight": w[1]}], "indicators": [
        {"id": c, "name": c, "parent": p, "weight": x}
        for c, p, x in zip(["a1", "a2", "b1", "b2"], ["A", "A", "B", "B"], w[2:])]})
    e = effective_weights(fw.tree).set_index("code")["effective_weight"]
    assert e[["a1", "a2", "b1", "b2"]].sum() == pytest.approx(1.0)
    assert e[["A", "B"]].sum() == pytest.approx(1.0)
    assert e["a1"] + e["a2"] == pytest.approx(e["A"])
    assert e["a1"] == pytest.approx(w[0] / (w[0] + w[1]) * w[2] / (w[2] + w[3]))
