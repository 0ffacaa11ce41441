"""Charts of the holistic view (Plotly), reusable by the dashboard; HTML or PNG files.

* :func:`quadrant`: one pair, x = first pole's sub-index, y = the second's (0-100, higher =
  more risk), points = entities in a year, a trail over the years for one entity; the diagonal
  is balance (points above it: the second pole carries more risk);
* :func:`coordination_heatmap`: coordination degree ``D`` per entity (rows) and year;
* :func:`network`: domains as nodes, links as arrows (width ~ |weight|, colour = sign).

:func:`save` writes ``.html`` (self-contained, plotly.js inlined: works offline) or ``.png``.
PNG is drawn with matplotlib from the same figure data (Plotly's static export, kaleido, needs
a Chrome browser that is not installed from PyPI).
"""
from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import plotly.graph_objects as go
import xarray as xr

from holisec.holistic._common import HolisticError

NOTE = "scale 0-100, higher = more risk"


def quadrant(ds: xr.Dataset, pair: str, period: int, trail: str | None = None) -> go.Figure:
    """Quadrant chart of one pair of :func:`holisec.holistic.balances.balances` in ``period``."""
    if pair not in ds["pair"].values:
        raise HolisticError(f"quadrant: unknown pair {pair!r}; pairs are {list(ds['pair'].values)}")
    if period not in ds["period"].values:
        raise HolisticError(f"quadrant: no period {period}")
    a, b = ds.attrs["poles"][pair]
    d = ds.sel(pair=pair, period=period)
    ok = d["measurable"].values
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=d["first"].values[ok], y=d["second"].values[ok], mode="markers", name=str(period),
                             text=d["entity"].values[ok], hovertemplate="%{text}: %{x:.1f}, %{y:.1f}"))
    fig.add_trace(go.Scatter(x=[0, 100], y=[0, 100], mode="lines", name="balance", line={"dash": "dot", "color": "grey"}))
    if trail is not None:
        if trail not in ds["entity"].values:
            raise HolisticError(f"quadrant: unknown entity {trail!r}")
        t = ds.sel(pair=pair, entity=trail)
        keep = t["measurable"].values
        fig.add_trace(go.Scatter(x=t["first"].values[keep], y=t["second"].values[keep], mode="lines+markers",
                                 name=f"{trail} over time", text=t["period"].values[keep].astype(str),
                                 hovertemplate="%{text}: %{x:.1f}, %{y:.1f}"))
    fig.update_layout(title=f"{pair}: {a} vs {b}, {period} ({NOTE}; above the diagonal: {b} riskier)",
                      xaxis_title=f"{a} sub-index", yaxis_title=f"{b} sub-index",
                      xaxis_range=[0, 100], yaxis_range=[0, 100])
    return fig


def coordination_heatmap(ds: xr.Dataset, entities: list[str] | None = None, top: int = 30) -> go.Figure:
    """``D`` per entity and year (default: the ``top`` least coordinated in the last year)."""
    d = ds["D"].transpose("entity", "period")
    if entities is None:
        last = d.isel(period=int(np.flatnonzero(d.notnull().any("entity").values)[-1]))
        entities = list(last.to_series().dropna().sort_values().index[:top])
    d = d.sel(entity=entities)
    fig = go.Figure(go.Heatmap(z=d.values, x=d["period"].values, y=d["entity"].values, zmin=0, zmax=1,
                               colorscale="RdYlGn", colorbar={"title": "D"}))
    fig.update_layout(title="Coupling coordination degree D of the domains (0-1, higher = domains secure and in step)",
                      xaxis_title="year", yaxis_title="entity")
    return fig


def network(g: nx.DiGraph, title: str = "Links between domains") -> go.Figure:
    """Directed domain network: arrows from source to target, width ~ |weight|, red = raises risk."""
    pos = nx.circular_layout(g)
    fig = go.Figure()
    top = max((d["strength"] for *_, d in g.edges(data=True)), default=1.0)
    for s, t, d in g.edges(data=True):
        (x0, y0), (x1, y1) = pos[s], pos[t]
        fig.add_annotation(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", showarrow=True,
                           arrowhead=3, arrowwidth=1 + 4 * d["strength"] / top,
                           arrowcolor="firebrick" if d["weight"] > 0 else "steelblue",
                           hovertext=f"{s} -> {t}: {d['weight']:+.3g}")
    nodes = list(g.nodes)
    fig.add_trace(go.Scatter(x=[pos[n][0] for n in nodes], y=[pos[n][1] for n in nodes], mode="markers+text",
                             text=nodes, textposition="top center", marker={"size": 14}, name="domains"))
    fig.update_layout(title=f"{title} (red: raises the target's risk, blue: lowers it)", showlegend=False,
                      xaxis={"visible": False}, yaxis={"visible": False})
    return fig


def save(fig: go.Figure, path: str | Path) -> Path:
    """Write ``.html`` (offline, plotly.js inlined) or ``.png`` (matplotlib rendering)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".html":
        fig.write_html(path, include_plotlyjs=True, full_html=True)
    elif suffix == ".png":
        _png(fig, path)
    else:
        raise HolisticError(f"{path}: unsupported chart format {suffix!r}; use .html or .png")
    return path


def _png(fig: go.Figure, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(9, 7))
    for trace in fig.data:
        if trace.type == "heatmap":
            im = ax.imshow(np.asarray(trace.z, dtype=float), aspect="auto", cmap="RdYlGn", vmin=0, vmax=1,
                           extent=(min(trace.x) - 0.5, max(trace.x) + 0.5, len(trace.y) - 0.5, -0.5))
            ax.set_yticks(range(len(trace.y)), list(trace.y), fontsize=6)
            figure.colorbar(im, ax=ax, label="D")
        elif trace.type == "scatter":
            style = "-" if trace.mode and "lines" in trace.mode else ""
            marker = "o" if trace.mode and "markers" in trace.mode else ""
            ax.plot(trace.x, trace.y, linestyle=style or "none", marker=marker or None, label=trace.name,
                    markersize=4)
            if trace.mode and "text" in trace.mode:
                for x, y, s in zip(trace.x, trace.y, trace.text):
                    ax.annotate(str(s), (x, y), fontsize=8)
    for ann in fig.layout.annotations or []:
        ax.annotate("", xy=(ann.x, ann.y), xytext=(ann.ax, ann.ay),
                    arrowprops={"arrowstyle": "->", "color": ann.arrowcolor, "lw": ann.arrowwidth or 1})
    ax.set_title(fig.layout.title.text or "", fontsize=8)
    ax.set_xlabel(fig.layout.xaxis.title.text or "")
    ax.set_ylabel(fig.layout.yaxis.title.text or "")
    if any(t.type == "scatter" and t.name for t in fig.data) and not fig.layout.annotations:
        ax.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
