"""Publication lags: what was published by the end of a forecast origin, one rule for every input.

A value of data year ``y`` from a source with publication lag ``L`` (years) is first published
during year ``y + L``; it is known at the end of year ``T`` iff ``y + L <= T``. ``published`` is
the one function that applies this rule, to the raw index panel (per origin), to the baseline
predictors and to the outcome histories (per design row) alike.

Lags come from the source metadata: for index indicators ``Framework.publication_lag`` (the
indicator's override, else its source's ``publication_lag``), for the early-warning predictors
and outcomes ``INPUT_SOURCES`` below (release calendars in docs/early-warning.md).

References
----------
Croushore & Stark (2001) "A real-time data set for macroeconomists", J Econometrics 105(1);
Hegre et al. (2019) ViEWS, JPR 56(2); Hegre et al. (2020) "Introducing the UCDP Candidate Events
Dataset", Research & Politics 7(3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

KEY = ["iso3", "year"]
#: a published value is carried forward at most this many years in the design rows
LOCF_YEARS = 3


@dataclass(frozen=True)
class InputSource:
    """A producer of early-warning predictors or outcomes and its release calendar."""

    lag: int
    calendar: str
    columns: tuple[str, ...]


#: sources of the shipped predictors and outcomes (``data/shipped/outcomes/SOURCE.md``)
INPUT_SOURCES: dict[str, InputSource] = {
    "vdem": InputSource(1, "Country-Year release each March covers the previous year", (
        "v2x_polyarchy", "v2x_liberal", "v2x_civlib", "v2x_clphy", "v2x_rule", "v2x_corr", "v2csreprss",
        "v2clkill", "v2pepwrsoc", "v2csantimv", "v2svstterr", "v2x_ex_military", "v2x_freexp",
        "v2xcl_disc", "log_pop")),
    "wdi_igme": InputSource(2, "UN IGME estimates (March) reach two years before the release", ("infmort",)),
    "wdi": InputSource(1, "WDI national accounts: year T in the July T+1 update", ("log_gdp_pc", "gdp_pc_growth")),
    "gw_states": InputSource(0, "state age is a calendar fact", ("state_age", "log_state_age")),
    "epr": InputSource(2, "EPR Core releases cover to about two years before the release",
                       ("epr_groups", "epr_elf", "epr_excluded_group_pop")),
    "ewp": InputSource(1, "EWP statistical risk assessment each autumn with data to the previous year",
                       ("discrimpop", "mk_onset", "mk_ongoing")),
    "ucdp": InputSource(0, "UCDP Candidate Events monthly (about one month behind); the final ACD "
                           "each June of T+1 confirms it", ("conflict", "conflict_major")),
    "ucdp_brd": InputSource(0, "battle deaths of year T: UCDP Candidate Events monthly (about one month "
                               "behind), confirmed by the BRD release each June of T+1 (the rule of the "
                               "conflict series)", ("battle_deaths",)),
    "powell_thyne": InputSource(0, "coup list updated within weeks of an attempt", ("coup_attempt", "coup_success")),
}
#: columns -> publication lag (years) of the early-warning inputs
INPUT_LAGS: dict[str, int] = {c: s.lag for s in INPUT_SOURCES.values() for c in s.columns}


class LagError(ValueError):
    """An input column has no documented publication lag."""


def input_lags(columns, extra: dict[str, int] | None = None) -> dict[str, int]:
    """Publication lag of each column (``extra`` overrides ``INPUT_LAGS``); an unknown column is an
    error naming it: add its source to ``INPUT_SOURCES`` or pass ``lags={column: years}``."""
    table = INPUT_LAGS | dict(extra or {})
    missing = [c for c in columns if c not in table]
    if missing:
        raise LagError(f"no publication lag for input columns {missing}: add their source to "
                       "holisec.warning.publication.INPUT_SOURCES or pass lags={column: years}")
    return {c: int(table[c]) for c in columns}


def framework_lags(framework) -> dict[str, int]:
    """Indicator -> publication lag of every indicator of ``framework``."""
    return {i.id: framework.publication_lag(i.id) for i in framework.indicators}


def published(x, lags: dict[str, int], origin: int | None = None, locf: int = LOCF_YEARS):
    """What was published by the end of ``origin``: the value of data year y with lag L is kept
    iff y + L <= origin.

    - ``x`` an xarray (dims ``period``, ``indicator``...) and ``origin`` given: later values -> NaN
      (the raw panel as known at the origin).
    - ``x`` a DataFrame keyed ``iso3, year``: each row's own year is its origin. ``origin`` None:
      every column in ``lags`` gets the latest value published by the end of the row's year
      (value of year t - L), carried forward at most ``locf`` years (design rows); ``origin``
      given: values with year + L > origin -> NaN (the table as known at the origin).
    """
    if isinstance(x, xr.DataArray):
        if origin is None:
            raise ValueError("published(panel): give the origin year")
        lag = xr.DataArray([int(lags.get(str(i), 0)) for i in x["indicator"].values], dims="indicator",
                           coords={"indicator": x["indicator"]})
        return x.where(x["period"] + lag <= origin)
    cols = [c for c in lags if c in x.columns]
    if origin is not None:
        out = x.copy()
        for c in cols:
            out[c] = out[c].where(out["year"] + lags[c] <= origin)
        return out
    if not cols or all(lags[c] == 0 for c in cols):
        return x
    lo, hi = int(x["year"].min()), int(x["year"].max())
    full = pd.MultiIndex.from_product([x["iso3"].unique(), range(lo, hi + 1)], names=KEY)
    w = x.set_index(KEY)[cols].reindex(full).sort_index()
    g = w.groupby(level="iso3")
    shifted = pd.concat([g[c].shift(lags[c]) for c in cols], axis=1)
    shifted = shifted.groupby(level="iso3").ffill(limit=locf) if locf else shifted
    lagged = [c for c in cols if lags[c] > 0]
    return x.drop(columns=lagged).merge(shifted[lagged].reset_index(), on=KEY, how="left")[x.columns]


def release_year(year, lag: int):
    """First year whose end a value of data year ``year`` is known at (``year + lag``)."""
    return np.asarray(year) + int(lag)
