"""Domains as a network (networkx) and the cross-border share of risk in neighbours.

**Domain network**: nodes are domains, a directed edge ``k -> j`` carries a link's weight
(estimated Granger coefficient or DEMATEL total relation). Per node: out- and in-strength
(sum of ``|w|`` of outgoing / incoming edges), out/in degree, betweenness centrality (on
distances ``1 / |w|``) and PageRank (on ``|w|``). A domain is **systemic** when it drives
at least two others and its out-strength is at or above the median of the nodes that have
any outgoing edge: a shock there spreads widely.

**Cross-border share**: for entity ``e`` with contiguous neighbours ``N(e)`` (COW direct
contiguity, shipped), ``share_e = sum_{n in N(e)} r_n / (r_e + sum_{n in N(e)} r_n)`` over the
neighbours with a score: of the risk in a country and its neighbourhood, the part located
across its borders (0.5 for a country as risky as the sum of its neighbours). A country
without scored neighbours (islands) has no share (NaN, ``n_neighbours = 0``).

References
----------
Hagberg, A., Schult, D. & Swart, P. (2008) Exploring network structure, dynamics, and function
using NetworkX. *Proceedings of SciPy 2008*, 11-15.
Stinnett, D. M., Tir, J., Schafer, P., Diehl, P. F. & Gochman, C. (2002) The Correlates of War
project direct contiguity data, version 3. *Conflict Management and Peace Science* 19(2), 59-67.
"""
from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import xarray as xr

from holisec.holistic._common import HolisticError


def graph(matrix: pd.DataFrame) -> nx.DiGraph:
    """Directed graph of the non-zero off-diagonal entries of a ``source x target`` matrix."""
    g = nx.DiGraph()
    g.add_nodes_from(matrix.index)
    for s in matrix.index:
        for t in matrix.columns:
            w = float(matrix.at[s, t])
            if s != t and w != 0 and np.isfinite(w):
                g.add_edge(s, t, weight=w, strength=abs(w), distance=1.0 / abs(w))
    return g


def centrality(g: nx.DiGraph) -> pd.DataFrame:
    """Per node: out/in strength and degree, betweenness, PageRank, systemic flag (by out-strength)."""
    nodes = list(g.nodes)
    out_s = pd.Series({n: sum(d["strength"] for *_, d in g.out_edges(n, data=True)) for n in nodes})
    in_s = pd.Series({n: sum(d["strength"] for *_, d in g.in_edges(n, data=True)) for n in nodes})
    between = pd.Series(nx.betweenness_centrality(g, weight="distance")) if g.number_of_edges() else pd.Series(0.0, nodes)
    rank = pd.Series(nx.pagerank(g, weight="strength")) if g.number_of_edges() else pd.Series(1 / max(len(nodes), 1), nodes)
    out_d = pd.Series(dict(g.out_degree()))
    drivers = out_s[out_s > 0]
    cut = float(drivers.median()) if len(drivers) else np.inf
    table = pd.DataFrame({"out_strength": out_s, "in_strength": in_s, "out_degree": out_d,
                          "in_degree": pd.Series(dict(g.in_degree())), "betweenness": between,
                          "pagerank": rank}).reindex(nodes)
    table["systemic"] = (table["out_degree"] >= 2) & (table["out_strength"] >= cut)
    table.index.name = "domain"
    return table.sort_values(["out_strength", "betweenness"], ascending=False, kind="stable")


def adjacency(entities, contiguity: pd.DataFrame | None = None) -> xr.DataArray:
    """``(entity, neighbour)`` 0/1 matrix of contiguous pairs among ``entities``."""
    if contiguity is None:
        from holisec.warning.outcomes import load_contiguity

        contiguity = load_contiguity()
    ents = [str(e) for e in entities]
    pos = {e: i for i, e in enumerate(ents)}
    a = np.zeros((len(ents), len(ents)))
    pairs = contiguity[contiguity["iso3"].isin(pos) & contiguity["iso3_nb"].isin(pos)]
    a[pairs["iso3"].map(pos).to_numpy(), pairs["iso3_nb"].map(pos).to_numpy()] = 1.0
    a = np.maximum(a, a.T)  # contiguity is symmetric
    np.fill_diagonal(a, 0.0)
    return xr.DataArray(a, dims=("entity", "neighbour"), coords={"entity": ents, "neighbour": ents})


def neighbour_share(scores: xr.DataArray, contiguity: pd.DataFrame | None = None) -> xr.Dataset:
    """Cross-border share of risk per entity (and every other dim of ``scores``, e.g. period, code).

    Returns ``share``, ``neighbour_mean`` (mean risk of the scored neighbours), ``own`` and
    ``n_neighbours``.
    """
    if "entity" not in scores.dims:
        raise HolisticError("neighbour share needs an 'entity' dimension")
    a = adjacency(scores["entity"].values, contiguity)
    nb = scores.rename(entity="neighbour")
    present = nb.notnull()
    total = xr.dot(a, nb.fillna(0.0), dim="neighbour")
    count = xr.dot(a, present.astype(float), dim="neighbour")
    own = scores
    with np.errstate(invalid="ignore", divide="ignore"):
        share = (total / (own + total)).where((count > 0) & own.notnull() & ((own + total) > 0))
        mean = (total / count).where(count > 0)
    return xr.Dataset({"share": share, "neighbour_mean": mean, "own": own, "n_neighbours": count})
