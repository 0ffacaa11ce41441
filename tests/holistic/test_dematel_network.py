"""DEMATEL against a published worked example; the domain network and cross-border shares."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from holisec.holistic import HolisticError
from holisec.holistic.dematel import dematel, fuzzy_dematel, read_matrix
from holisec.holistic.network import centrality, graph, neighbour_share

#: Celikbilek, Y. (2018) *Cok Kriterli Karar Verme Yontemleri*, Nobel, Ankara (worked example of
#: 10 criteria, reproduced in JMcDM's test suite, Satman et al. 2021, JOSS 6(65), 3430).
K = np.array([
    [0, 3, 0, 2, 0, 0, 0, 0, 3, 0], [3, 0, 0, 0, 0, 0, 0, 0, 0, 2], [4, 1, 0, 2, 1, 3, 1, 2, 3, 2],
    [4, 1, 4, 0, 1, 2, 0, 1, 0, 0], [3, 2, 3, 1, 0, 3, 0, 2, 0, 0], [4, 1, 4, 4, 0, 0, 0, 1, 1, 3],
    [3, 0, 0, 0, 0, 2, 0, 0, 0, 0], [3, 0, 4, 3, 2, 3, 1, 0, 0, 0], [4, 3, 2, 0, 0, 1, 0, 0, 0, 2],
    [2, 1, 0, 0, 0, 0, 0, 0, 3, 0]])
CODES = [f"c{i}" for i in range(1, 11)]


def test_dematel_matches_published_worked_example():
    """Published: D (given) = 0.39915, 0.22616, 1.02043, 0.75386, 0.80968, 0.97809, 0.27179,
    0.94554, 0.59605, 0.29375; R (received) = 1.55270, 0.72518, 0.85515, 0.68956, 0.20591, 0.67904,
    0.10572, 0.31636, 0.64840, 0.51649; threshold (mean of T) = 0.062945; weights 0.16866 ... 0.06251."""
    res = dematel(pd.DataFrame(K, index=CODES, columns=CODES))
    t = res.table().reindex(CODES)
    assert t["D"].to_numpy() == pytest.approx([0.3991458, 0.2261648, 1.0204318, 0.7538625, 0.8096760, 0.9780926,
                                               0.2717874, 0.9455390, 0.5960514, 0.2937537], abs=1e-6)
    assert t["R"].to_numpy() == pytest.approx([1.5527024, 0.7251791, 0.8551461, 0.6895615, 0.2059141, 0.6790404,
                                               0.1057168, 0.3163574, 0.6484014, 0.5164858], abs=1e-6)
    assert res.threshold == pytest.approx(0.062945, abs=1e-6)
    assert t["weight"].to_numpy() == pytest.approx([0.1686568559, 0.0799137572, 0.1400620024, 0.1074805279,
                                                    0.0878902239, 0.1252627260, 0.0306791502, 0.1048916883,
                                                    0.0926547589, 0.0625083092], abs=1e-8)
    assert t.loc["c5", "role"] == "driving" and t.loc["c1", "role"] == "dependent"
    edges = res.influence_map()
    published = np.array([  # the published 0/1 influence matrix (t_ij > threshold)
        [0, 1, 0, 1, 0, 0, 0, 0, 1, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 1], [1, 1, 0, 1, 0, 1, 0, 1, 1, 1],
        [1, 1, 1, 0, 0, 1, 0, 0, 0, 0], [1, 1, 1, 1, 0, 1, 0, 1, 0, 0], [1, 1, 1, 1, 0, 0, 0, 0, 1, 1],
        [1, 0, 0, 0, 0, 1, 0, 0, 0, 0], [1, 0, 1, 1, 1, 1, 0, 0, 0, 0], [1, 1, 1, 0, 0, 0, 0, 0, 0, 1],
        [1, 0, 0, 0, 0, 0, 0, 0, 1, 0]])
    got = np.zeros((10, 10), int)
    for r in edges.itertuples():
        got[CODES.index(r.source), CODES.index(r.target)] = 1
    assert (got == published).all()
    # T = N + N^2 + ... (total of direct and indirect influence)
    n = res.normalised.to_numpy()
    series = sum(np.linalg.matrix_power(n, p) for p in range(1, 200))
    assert res.total.to_numpy() == pytest.approx(series, abs=1e-10)


def test_fuzzy_dematel_with_crisp_judgements_equals_dematel():
    a = pd.DataFrame(K, index=CODES, columns=CODES).astype(float)
    assert fuzzy_dematel(a, a, a).total.to_numpy() == pytest.approx(dematel(a).total.to_numpy())


def test_influence_matrix_file_errors_name_the_cell(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text("code,economic,social\neconomic,0,3\nsocial,-1,0\n")
    with pytest.raises(HolisticError, match=r"row 'social', column 'economic'.*>= 0"):
        read_matrix(p)
    p.write_text("code,economic,sociall\neconomic,0,3\nsociall,1,0\n")
    with pytest.raises(HolisticError, match=r"unknown code\(s\) \['sociall'\]"):
        read_matrix(p, known=["economic", "social"])
    p.write_text("code,economic,social\neconomic,2,3\nsocial,1,0\n")
    with pytest.raises(HolisticError, match="diagonal"):
        read_matrix(p)


def test_network_centrality_and_systemic_domains():
    m = pd.DataFrame(0.0, index=list("abcd"), columns=list("abcd"))
    m.loc["a", ["b", "c", "d"]] = [0.5, 0.4, 0.3]
    m.loc["b", "c"] = -0.2
    table = centrality(graph(m))
    assert table.loc["a", "out_strength"] == pytest.approx(1.2) and table.loc["c", "in_strength"] == pytest.approx(0.6)
    assert list(table.index[table["systemic"]]) == ["a"]
    assert table.loc["b", "betweenness"] == 0.0  # a -> c directly is shorter (1 / 0.4) than via b


def test_neighbour_share_by_hand():
    """A-B-C in a line: B has neighbours A (10) and C (30) and own 20: share = 40 / 60; D is an island."""
    contiguity = pd.DataFrame({"iso3": ["A", "B", "B", "C"], "iso3_nb": ["B", "A", "C", "B"]})
    scores = xr.DataArray([[10.0], [20.0], [30.0], [50.0]], dims=("entity", "period"),
                          coords={"entity": list("ABCD"), "period": [2000]})
    ds = neighbour_share(scores, contiguity)
    assert ds["share"].sel(entity="B", period=2000).item() == pytest.approx(40 / 60)
    assert ds["share"].sel(entity="A", period=2000).item() == pytest.approx(20 / 30)
    assert ds["neighbour_mean"].sel(entity="B", period=2000).item() == pytest.approx(20.0)
    assert np.isnan(ds["share"].sel(entity="D", period=2000).item()) and ds["n_neighbours"].sel(entity="D").item() == 0
