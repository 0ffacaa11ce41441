"""External validity: agreement of the index and its domains with published indices.

A composite that measures what it claims should rank countries much as independent,
established measures of related concepts do (convergent validity), without duplicating any
one of them. holisec ships three published indices for this check only: the Fragile States
Index (higher = more fragile), the Global Peace Index (higher = less peaceful) and ND-GAIN
(higher = better prepared). Correlations are oriented by each benchmark's polarity so that a
positive value always means "our risk agrees with their risk".

References
----------
OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, step 10 (links to other
indicators). Saisana, M. & Saltelli, A. (2012) JRC audit of the Global Peace Index.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from holisec.audit._common import MIN_OBS, check_scores, paired_pearson, rank_masked

#: Polarity of the shipped benchmarks: +1 when a higher value means more risk.
BENCHMARK_POLARITY: dict[str, int] = {"bench_fsi": 1, "bench_gpi": 1, "bench_ndgain": -1}

COLUMNS = ["benchmark", "code", "period", "n", "pearson", "spearman"]


def external_validity(
    scores: xr.DataArray,
    benchmarks: xr.DataArray,
    codes: Sequence[str] | None = None,
    polarity: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Correlation of each code's scores with each benchmark, period by period.

    Parameters
    ----------
    scores : xarray.DataArray
        ``(entity, period, code)``, higher = more risk.
    benchmarks : xarray.DataArray
        ``(entity, period, indicator)`` with the published indices (raw values).
    codes : sequence of str, optional
        Codes to compare (default: every aggregate, i.e. codes with ``level > 1``, else all).
    polarity : mapping, optional
        Benchmark -> +1/-1 (default :data:`BENCHMARK_POLARITY`, +1 for unknown ones).

    Returns
    -------
    pandas.DataFrame
        ``benchmark, code, period, n, pearson, spearman`` for every period both cover; the
        sign is oriented so that positive = agreement on risk. Spearman uses ranks over the
        entities both observe in that period.
    """
    scores = check_scores(scores)
    benchmarks = check_scores(benchmarks, ("entity", "period", "indicator"))
    polarity = {**BENCHMARK_POLARITY, **(polarity or {})}
    if codes is None:
        level = scores["level"] if "level" in scores.coords else None
        codes = list(scores["code"].values[(level > 1).values]) if level is not None else list(scores["code"].values)
    scores, benchmarks = xr.align(scores.sel(code=list(codes)), benchmarks, join="inner", exclude=["code", "indicator"])
    frames = []
    for bench in benchmarks["indicator"].values:  # loop over a handful of benchmarks only
        b = benchmarks.sel(indicator=bench).values * polarity.get(str(bench), 1)  # (entity, period)
        s = scores.values  # (entity, period, code)
        bb = np.broadcast_to(b[..., None], s.shape)
        # cases = entities; one column per (period, code)
        x = s.reshape(s.shape[0], -1)
        y = bb.reshape(s.shape[0], -1)
        r, n = paired_pearson(x, y)
        both = ~np.isnan(x) & ~np.isnan(y)
        rho, _ = paired_pearson(rank_masked(x, both), rank_masked(y, both))
        periods = np.repeat(scores["period"].values, len(codes))
        frame = pd.DataFrame({"benchmark": str(bench), "code": np.tile(np.asarray(codes, dtype=object), s.shape[1]),
                              "period": periods, "n": n, "pearson": r, "spearman": rho})
        frames.append(frame[frame["n"] >= MIN_OBS])
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    return out[COLUMNS].sort_values(["benchmark", "code", "period"], kind="stable").reset_index(drop=True)


def summarise_validity(table: pd.DataFrame) -> pd.DataFrame:
    """Median correlation over periods for each benchmark and code."""
    if table.empty:
        return table
    return (table.groupby(["benchmark", "code"], sort=False)
            .agg(periods=("period", "nunique"), first=("period", "min"), last=("period", "max"),
                 n=("n", "median"), pearson=("pearson", "median"), spearman=("spearman", "median"))
            .reset_index())
