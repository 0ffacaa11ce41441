"""Outcome tables and forecasting targets (onset definitions, horizons, at-risk sets).

The shipped table ``data/shipped/outcomes/outcomes.parquet`` (or a user file with the same
columns, see ``docs/early-warning.md``) is a country-year table keyed by ``iso3, gwcode, year``
with 0/1 columns ``conflict`` (UCDP/PRIO internal armed conflict, types 3-4, >= 25 battle
deaths), ``coup_attempt`` (Powell & Thyne) and ``mk_onset`` / ``mk_ongoing`` (EWP mass
killing); NaN = not covered.

References
----------
Gleditsch et al. (2002) JPR 39(5); Powell & Thyne (2011) JPR 48(2); Hegre et al. (2013)
"Predicting armed conflict, 2010-2050", ISQ 57(2) (onset after peace spells); USHMM Early
Warning Project (2025) Statistical Risk Assessment.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

KEY = ["iso3", "year"]


@dataclass(frozen=True)
class Target:
    """A forecasting target: event ``source`` column, horizon (years after t) and onset rule.

    ``peace`` = years without the event required before an onset (0 = incidence/event target,
    every covered country-year is at risk). ``horizon`` = 1 (t+1) or 2 (any year in t+1..t+2).
    """

    name: str
    source: str
    horizon: int = 1
    peace: int = 1
    label: str = ""


TARGETS: dict[str, Target] = {
    "conflict_onset": Target("conflict_onset", "conflict", 1, 1,
                             "internal armed conflict onset in t+1 after >= 1 year of peace"),
    "conflict_onset2": Target("conflict_onset2", "conflict", 2, 1,
                              "internal armed conflict onset within t+1..t+2 after >= 1 year of peace"),
    "conflict_onset_2y": Target("conflict_onset_2y", "conflict", 1, 2,
                                "internal armed conflict onset in t+1 after >= 2 years of peace"),
    "coup": Target("coup", "coup_attempt", 1, 0, "coup attempt (successful or failed) in t+1"),
    "mass_killing": Target("mass_killing", "mk_onset", 1, 0, "onset of state-led mass killing in t+1"),
}


def shipped_dir() -> Path:
    """Folder of the shipped early-warning tables."""
    return Path(str(resources.files("holisec") / "data" / "shipped" / "outcomes"))


def _read(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def load_battle_deaths() -> pd.DataFrame:
    """Shipped UCDP battle-related deaths ``iso3, year, battle_deaths`` (best estimate, all
    state-based conflicts located in the state; G&W state-years 1989-2024, 0 = none listed;
    ``data/shipped/battle_deaths/SOURCE.md``)."""
    p = shipped_dir().parent / "battle_deaths" / "battle_deaths.parquet"
    return pd.read_parquet(p, columns=["iso3", "year", "battle_deaths"]).astype({"year": "int64"})


def load_outcomes(path: str | Path | None = None) -> pd.DataFrame:
    """Read the outcome table; ``path`` may be a parquet/CSV in wide form (columns above) or long
    form (``iso3, year, outcome, value``) for a newer release. The shipped table (no ``path``)
    carries ``battle_deaths`` too (:func:`load_battle_deaths`; NaN before 1989)."""
    df = _read(Path(path) if path else shipped_dir() / "outcomes.parquet")
    if not path:
        df = df.merge(load_battle_deaths(), on=KEY, how="left")
    if {"outcome", "value"} <= set(df.columns):
        idx = [c for c in ("iso3", "gwcode", "year") if c in df.columns]
        df = df.pivot_table(index=idx, columns="outcome", values="value", aggfunc="max").reset_index()
        df.columns.name = None
    missing = {"iso3", "year"} - set(df.columns)
    if missing:
        raise ValueError(f"outcome table lacks columns {sorted(missing)}")
    df = df.astype({"year": "int64"}).sort_values(KEY, ignore_index=True)
    if df.duplicated(KEY).any():
        raise ValueError("outcome table has duplicated (iso3, year) rows")
    return df


def load_predictors() -> pd.DataFrame:
    """Shipped baseline predictors (V-Dem, infant mortality, EPR, EWP discrimination, GDP...)."""
    return pd.read_parquet(shipped_dir() / "predictors.parquet").astype({"year": "int64"})


def load_contiguity() -> pd.DataFrame:
    """Directed contiguity pairs ``iso3 -> iso3_nb`` (COW direct contiguity, 2006 state)."""
    return pd.read_parquet(shipped_dir() / "contiguity.parquet")


def load_ewp_forecasts() -> pd.DataFrame:
    """EWP 2025 fully out-of-sample mass-killing forecasts (``year`` = target year)."""
    return pd.read_parquet(shipped_dir() / "ewp_forecasts.parquet").astype({"year": "int64"})


def _shift(s: pd.Series, ent: pd.Series, k: int) -> pd.Series:
    """Value ``k`` years later (k > 0) or earlier (k < 0) within entity, NaN across gaps."""
    return s.groupby(ent).shift(-k)


def make_target(outcomes: pd.DataFrame, target: str | Target) -> pd.DataFrame:
    """Rows ``iso3, year (= t), y, at_risk, known_year`` for a target.

    ``y`` is the event in t+1 (or t+1..t+2), NaN if not yet observed; ``at_risk`` is True when
    the event source is covered at t and the onset rule allows an onset (no event in t, and in
    t-1 too when ``peace == 2``); ``known_year`` = last year whose outcome ``y`` depends on
    (an outcome is usable for training at origin T only if ``known_year <= T``).
    """
    tg = TARGETS[target] if isinstance(target, str) else target
    df = outcomes.sort_values(KEY)
    ent, ev = df["iso3"], df[tg.source].astype(float)
    # require consecutive years for shifts to be meaningful
    yr = df["year"]
    nxt = [(_shift(ev, ent, h), _shift(yr, ent, h) == yr + h) for h in range(1, tg.horizon + 1)]
    fut = pd.concat([v.where(ok) for v, ok in nxt], axis=1)
    y = fut.max(axis=1, skipna=False)
    at_risk = ev.notna()
    for k in range(tg.peace):
        prev = ev if k == 0 else _shift(ev, ent, -k).where(_shift(yr, ent, -k) == yr - k)
        at_risk &= prev.eq(0)
    return pd.DataFrame({"iso3": ent.values, "year": yr.values, "y": y.values,
                         "at_risk": at_risk.values, "known_year": (yr + tg.horizon).values})


def onset_series(incidence: np.ndarray, peace: int = 1) -> np.ndarray:
    """Onset indicator of a single 0/1 incidence series: event at t after >= ``peace`` years
    without (the first ``peace`` years are not classifiable and return NaN)."""
    x = np.asarray(incidence, dtype=float)
    out = np.full(x.shape, np.nan)
    if len(x) > peace:
        quiet = np.ones(len(x) - peace, dtype=bool)
        for k in range(1, peace + 1):
            quiet &= x[peace - k:len(x) - k] == 0
        out[peace:] = np.where(quiet, x[peace:], 0.0)
    return out
