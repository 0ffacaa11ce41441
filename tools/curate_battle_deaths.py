"""Curate the UCDP battle-related deaths shipped in ``src/holisec/data/shipped/battle_deaths/``.

Reads the staged UCDP Battle-Related Deaths v25.1 dyad-year file (``--shared``, default
``../shared/data`` next to the repo: ``ewp_2025_sra/ucdp_brd_BattleDeaths_v25_1.csv``) and writes
``battle_deaths.parquet``: one row per G&W state-year of the shipped outcome table 1989-2024 with
``battle_deaths`` = the UCDP best estimate of battle-related deaths of all state-based conflicts
(types 1-4) located in the state that year (0 when UCDP lists none). A dyad-year whose location
(``gwno_loc``) lists several states is split equally among them. Never imported at run time.

References
----------
Davies, Pettersson, Sollenberg & Öberg (2025) "Organized violence 1989-2024", JPR 62(4);
UCDP Battle-Related Deaths Dataset codebook v25.1.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "holisec" / "data" / "shipped" / "battle_deaths"
OUTCOMES = ROOT / "src" / "holisec" / "data" / "shipped" / "outcomes" / "outcomes.parquet"
FIRST, LAST = 1989, 2024


def battle_deaths(brd: pd.DataFrame, states: pd.DataFrame) -> pd.DataFrame:
    """``iso3, gwcode, year, battle_deaths`` for the state-years of ``states`` in FIRST..LAST."""
    loc = brd.assign(gwcode=brd["gwno_loc"].astype(str).str.split(",")).explode("gwcode")
    loc["gwcode"] = loc["gwcode"].str.strip().astype(int)
    loc["share"] = loc["bd_best"] / loc.groupby(level=0)["gwcode"].transform("size")
    agg = loc.groupby(["gwcode", "year"], as_index=False)["share"].sum()
    grid = states.loc[states["year"].between(FIRST, LAST), ["iso3", "gwcode", "year"]].astype(
        {"gwcode": "int64", "year": "int64"})
    out = grid.merge(agg, on=["gwcode", "year"], how="left").rename(columns={"share": "battle_deaths"})
    lost = agg.merge(grid, on=["gwcode", "year"], how="left", indicator=True).query("_merge == 'left_only'")
    if len(lost):
        print(f"note: {len(lost)} located state-years are not G&W state-years of the outcome table "
              f"(not shipped): {lost[['gwcode', 'year']].head(10).to_dict('records')}")
    return out.fillna({"battle_deaths": 0.0}).sort_values(["iso3", "year"], ignore_index=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    a = ap.parse_args()
    brd = pd.read_csv(a.shared / "ewp_2025_sra" / "ucdp_brd_BattleDeaths_v25_1.csv")
    out = battle_deaths(brd, pd.read_parquet(OUTCOMES))
    OUT.mkdir(parents=True, exist_ok=True)
    out.to_parquet(OUT / "battle_deaths.parquet", index=False)
    print(f"{len(out)} state-years, {int((out.battle_deaths > 0).sum())} with battle deaths, "
          f"total {out.battle_deaths.sum():,.0f} -> {OUT / 'battle_deaths.parquet'}")


if __name__ == "__main__":
    main()
