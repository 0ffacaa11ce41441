"""Charts of an uncertainty run: rank intervals ("caterpillar") and Sobol'/Morris bars.

Plotly figures, written as ``.html`` (self-contained, plotly.js inside, works offline) or
``.png`` (kaleido); matplotlib draws the PNG where kaleido is not installed.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

RANK_NOTE = "rank 1 = highest risk; bar: 5-95% interval over replications; dot: median; cross: nominal"


def _top(res, top: int | None, period: int | None) -> pd.DataFrame:
    table = res.summary(period).dropna(subset=["median_rank"])
    return table.head(top) if top else table


def caterpillar_figure(res, *, top: int | None = 40, period: int | None = None):
    """Plotly figure: per entity (sorted by median rank) its 5-95% rank interval, median and nominal rank."""
    import plotly.graph_objects as go

    t = _top(res, top, period)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=t["entity"], y=t["median_rank"], mode="markers", name="median rank",
                             error_y={"type": "data", "symmetric": False, "array": t["rank_q95"] - t["median_rank"],
                                      "arrayminus": t["median_rank"] - t["rank_q05"]}))
    fig.add_trace(go.Scatter(x=t["entity"], y=t["nominal_rank"], mode="markers", name="nominal rank",
                             marker={"symbol": "x"}))
    fig.update_yaxes(autorange="reversed", title="rank (1 = highest risk)")
    fig.update_layout(title=f"Rank uncertainty, {t['period'].iloc[0]}: {res.n} replications ({RANK_NOTE})",
                      template="plotly_white", height=520)
    return fig


def sensitivity_figure(sens):
    """Plotly bars: first-order and total Sobol' indices (or Morris mu*) per input, on the mean
    absolute rank shift, with their bootstrap half-widths."""
    import plotly.graph_objects as go

    t = sens.summary()
    fig = go.Figure()
    if sens.method == "sobol":
        for key, name in (("shift_S1", "first order S1"), ("shift_ST", "total ST")):
            fig.add_trace(go.Bar(x=t["input"], y=t[key], name=name,
                                 error_y={"type": "data", "array": t[f"{key}_conf"]}))
        title = "Sobol' indices on the mean absolute rank shift (share of its variance; 95% bootstrap bars)"
    else:
        fig.add_trace(go.Bar(x=t["input"], y=t["shift_mu_star"], name="mu*",
                             error_y={"type": "data", "array": t["shift_mu_star_conf"]}))
        title = "Morris mu* on the mean absolute rank shift (mean |elementary effect|, in ranks)"
    fig.update_layout(title=title, barmode="group", template="plotly_white", height=460)
    return fig


def _write(fig, path: Path, fallback) -> Path:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".html":
        fig.write_html(path, include_plotlyjs=True, full_html=True)
    elif suffix == ".png":
        try:
            fig.write_image(path, width=1100, height=fig.layout.height or 500, scale=1)
        except Exception:  # kaleido missing or unable to start: matplotlib draws the same chart
            fallback(path)
    else:
        raise ValueError(f"{path}: charts are written as .html or .png, not {suffix!r}")
    return path


def caterpillar(res, path: str | Path, *, top: int | None = 40, period: int | None = None) -> Path:
    """Write the rank-interval chart (``.html`` or ``.png``)."""
    return _write(caterpillar_figure(res, top=top, period=period), path,
                  lambda p: _caterpillar_mpl(res, p, top, period))


def sensitivity_bars(sens, path: str | Path) -> Path:
    """Write the Sobol'/Morris bar chart (``.html`` or ``.png``)."""
    return _write(sensitivity_figure(sens), path, lambda p: _bars_mpl(sens, p))


def _caterpillar_mpl(res, path: Path, top, period) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = _top(res, top, period)
    fig, ax = plt.subplots(figsize=(11, 5))
    x = range(len(t))
    ax.errorbar(x, t["median_rank"], yerr=[t["median_rank"] - t["rank_q05"], t["rank_q95"] - t["median_rank"]],
                fmt="o", label="median, 5-95%")
    ax.plot(x, t["nominal_rank"], "x", label="nominal")
    ax.set_xticks(list(x), t["entity"], rotation=90, fontsize=7)
    ax.invert_yaxis()
    ax.set_ylabel("rank (1 = highest risk)")
    ax.set_title(f"Rank uncertainty, {t['period'].iloc[0]}: {res.n} replications", fontsize=10)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)


def _bars_mpl(sens, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    t = sens.summary()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    x = np.arange(len(t))
    if sens.method == "sobol":
        ax.bar(x - 0.2, t["shift_S1"], 0.4, yerr=t["shift_S1_conf"], label="first order S1")
        ax.bar(x + 0.2, t["shift_ST"], 0.4, yerr=t["shift_ST_conf"], label="total ST")
    else:
        ax.bar(x, t["shift_mu_star"], 0.6, yerr=t["shift_mu_star_conf"], label="mu*")
    ax.set_xticks(x, t["input"], rotation=30, ha="right", fontsize=8)
    ax.set_title(f"{sens.method} indices on the mean absolute rank shift", fontsize=10)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)
