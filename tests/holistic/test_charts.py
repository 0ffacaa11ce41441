"""Charts: quadrant with a trail, coordination heatmap, network; HTML and PNG files."""
from __future__ import annotations

import pandas as pd
import pytest

from holisec.holistic import HolisticError
from holisec.holistic.balances import balances
from holisec.holistic.charts import coordination_heatmap, network, quadrant, save
from holisec.holistic.coordination import coordination
from holisec.holistic.network import graph


def test_charts_render_to_html_and_png(tiny_result, tmp_path):
    ds = balances(tiny_result, min_indicators=2)
    q = quadrant(ds, "scope", 2001, trail="X")
    assert [t.name for t in q.data] == ["2001", "balance", "X over time"]
    assert list(q.data[2].x) == pytest.approx([30, 35, 40]) and "higher = more risk" in q.layout.title.text
    h = coordination_heatmap(coordination(tiny_result))
    m = pd.DataFrame([[0.0, 0.5], [-0.2, 0.0]], index=["D1", "D2"], columns=["D1", "D2"])
    n = network(graph(m))
    assert len(n.layout.annotations) == 2
    for name, fig in (("q", q), ("h", h), ("n", n)):
        html = save(fig, tmp_path / f"{name}.html")
        assert html.read_text().count("plotly") > 10  # plotly.js inlined: opens offline
        png = save(fig, tmp_path / f"{name}.png")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(HolisticError, match="unsupported chart format"):
        save(q, tmp_path / "q.svg")
    with pytest.raises(HolisticError, match="unknown pair"):
        quadrant(ds, "nope", 2001)
