"""Curate the early-warning outcome tables shipped in ``src/holisec/data/shipped/outcomes/``.

Reads the staged public data under ``--shared`` (default ``../shared/data`` next to the repo)
and writes small parquet files; never imported at run time.

Outputs
-------
``outcomes.parquet``       country-year outcomes (iso3, gwcode, year, conflict, conflict_major,
                           coup_attempt, coup_success, mk_onset, mk_ongoing)
``ewp_forecasts.parquet``  EWP 2025 fully out-of-sample mass-killing forecasts 1994-2024
``contiguity.parquet``     directed land/<=24-mile-water contiguity pairs (COW DCD 3.1, 2006 state)
``predictors.parquet``     baseline predictors (V-Dem, infant mortality, EPR, EWP discrimination,
                           GDP, population, state age)

References
----------
Pettersson & Öberg et al. UCDP/PRIO ACD v25.1; Powell & Thyne (2011); USHMM Early Warning Project
(2025); Stinnett et al. (2002) COW Direct Contiguity v3; Vogt et al. (2015) EPR.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "holisec" / "data" / "shipped" / "outcomes"

# country_converter's GWcode column deviates from Gleditsch & Ward (1999) for these states;
# historical states without an ISO 3166-1 code get ISO 3166-3 codes or a "G<gwcode>" placeholder.
GW_ISO3_OVERRIDE = {
    260: "DEU", 265: "DDR", 315: "CSK", 316: "CZE", 340: "SRB", 345: "YUG", 347: "XKX",
    396: "G396", 397: "G397", 511: "G511", 678: "YEM", 680: "YMD", 711: "G711", 816: "VNM",
    817: "RVN",
}
# COW code -> G&W code where they differ (others identical for the EWP country list);
# COW 345 (Yugoslavia/Serbia) is G&W 340 (Serbia) from 2006 on.
COW_TO_GW = {255: 260, 679: 678}


def cow_gw(ccode: pd.Series, year: pd.Series) -> pd.Series:
    """COW state code -> G&W code for the given years."""
    g = ccode.astype(int).replace(COW_TO_GW)
    return g.where(~((g == 345) & (year >= 2006)), 340)


def gw_iso3(shared: Path) -> pd.Series:
    """G&W code -> ISO3 (country_converter table with the G&W corrections above)."""
    cc = pd.read_csv(shared / "country_codes" / "country_converter_country_data.tsv", sep="\t")
    m = cc.dropna(subset=["GWcode"]).set_index(cc["GWcode"].dropna().astype(int))["ISO3"]
    m = m[~m.index.isin(GW_ISO3_OVERRIDE)]
    m = m[~m.isin(GW_ISO3_OVERRIDE.values())]
    return pd.concat([m, pd.Series(GW_ISO3_OVERRIDE)]).rename("iso3")


def state_panel(shared: Path, last_year: int) -> pd.DataFrame:
    """G&W state-years 1946-2021 (from the ACD country-year panel), extended to ``last_year``."""
    cy = pd.read_csv(shared / "conflict" / "acd_country_year_1946_2021_ucdp_v22_1.csv",
                     usecols=["gwcode", "year"])
    alive = cy.loc[cy.year == cy.year.max(), "gwcode"].unique()
    ext = pd.MultiIndex.from_product([alive, range(cy.year.max() + 1, last_year + 1)],
                                     names=["gwcode", "year"]).to_frame(index=False)
    return pd.concat([cy, ext], ignore_index=True).sort_values(["gwcode", "year"], ignore_index=True)


def conflict(shared: Path) -> pd.DataFrame:
    """Internal armed conflict incidence (ACD v25.1 types 3 intrastate and 4 internationalised
    intrastate, >=25 battle deaths) located by the government side ``gwno_a`` (agrees with
    v22.1 ``gwno_loc`` on 1,672 of 1,674 country-years 1946-2021)."""
    a = pd.read_csv(shared / "conflict" / "peacesciencer_ucdp_acd_v25_1.csv")
    a = a[a.type_of_conflict.isin(["intrastate", "II"])]
    a = a.drop_duplicates(["conflict_id", "year"])
    g = a.groupby(["gwno_a", "year"]).intensity_level.max().rename("intensity").reset_index()
    g = g.rename(columns={"gwno_a": "gwcode"})
    g["conflict"] = 1.0
    g["conflict_major"] = (g.intensity == 2).astype(float)
    return g.drop(columns="intensity"), int(a.year.max())


def coups(shared: Path) -> pd.DataFrame:
    """Powell & Thyne coup attempts 1950-2022, extended 2023-2024 with EWP ``all-coups``
    (identical to P&T on all 111 attempts 1990-2022)."""
    p = pd.read_csv(shared / "coups_powell_thyne" / "ptcoups_country_year_gw.csv",
                    usecols=["gwcode", "year", "pt_attempt", "pt_coup"])
    p = p.rename(columns={"pt_attempt": "coup_attempt", "pt_coup": "coup_success"})
    e = pd.read_csv(shared / "ewp_2025_sra" / "all-coups.csv")
    e = e[e.year > p.year.max()]
    e = e.assign(gwcode=cow_gw(e.ccode, e.year), coup_attempt=e["cou.any"], coup_success=np.nan)
    return pd.concat([p, e[["gwcode", "year", "coup_attempt", "coup_success"]]]), (1950, int(e.year.max()))


def mass_killing(shared: Path) -> pd.DataFrame:
    """EWP 2025 state-led mass-killing onset and ongoing flags (COW -> G&W)."""
    b = pd.read_csv(shared / "ewp_2025_sra" / "basedata2025_4august2025.csv",
                    usecols=["ccode", "year", "mk_onset", "mk_ongoing"])
    b = b[b.year >= 1946].assign(gwcode=lambda d: cow_gw(d.ccode, d.year))
    return b.groupby(["gwcode", "year"])[["mk_onset", "mk_ongoing"]].max().reset_index()


def ewp_forecasts(shared: Path, iso: pd.Series) -> pd.DataFrame:
    """EWP fully out-of-sample forecasts: row ``year`` = target year, ``risk_prev`` made with data to year-1."""
    f = pd.read_csv(shared / "ewp_2025_sra" / "FOOSforecasts_3Sep2025.csv")
    f = f.assign(gwcode=cow_gw(f.ccode, f.year))
    f["iso3"] = f.gwcode.map(iso)
    cols = ["iso3", "gwcode", "year", "ewp_name", "mk_onset", "risk_prev", "rank_prev",
            "risk_two_years_prior", "maxrisk2"]
    return f[cols].reset_index(drop=True)


def contiguity(json_path: Path, shared: Path, iso: pd.Series) -> pd.DataFrame:
    """Directed pairs from the COW DCD v3.1 (Dec-2006) adjacency list, COW abbreviations -> G&W.
    Adds the post-2006 states Serbia (340), South Sudan (626) and Kosovo (347) by their land borders."""
    adj = json.loads(json_path.read_text())
    cow = pd.read_csv(shared / "peacesciencer" / "cow_states.csv").drop_duplicates("stateabb")
    ab = cow.set_index("stateabb").ccode.astype(int).to_dict() | {"USR": 365, "RUM": 360, "MTG": 341}
    pairs = pd.DataFrame([(ab[a], ab[b]) for a, bs in adj.items() for b in bs], columns=["a", "b"])
    pairs = pairs.replace({"a": COW_TO_GW, "b": COW_TO_GW})
    srb = pairs[(pairs == 345).any(axis=1)].replace(345, 340)  # Serbia (G&W 340) inherits Yugoslavia's
    extra = {626: [625, 530, 501, 500, 490, 482], 347: [340, 339, 343, 341]}
    add = pd.DataFrame([(k, v) for k, vs in extra.items() for v in vs], columns=["a", "b"])
    pairs = pd.concat([pairs, srb, add, add.rename(columns={"a": "b", "b": "a"})]).drop_duplicates()
    pairs = pairs.rename(columns={"a": "gwcode", "b": "gwcode_nb"})
    pairs["iso3"], pairs["iso3_nb"] = pairs.gwcode.map(iso), pairs.gwcode_nb.map(iso)
    return pairs.sort_values(["gwcode", "gwcode_nb"], ignore_index=True)


VDEM = ["v2x_polyarchy", "v2x_liberal", "v2x_civlib", "v2x_clphy", "v2x_rule", "v2x_corr",
        "v2csreprss", "v2clkill", "v2pepwrsoc", "v2csantimv", "v2svstterr", "v2x_ex_military",
        "v2x_freexp", "v2xcl_disc"]


#: V-Dem release of each predictor: the newest staged release that has the variable — v15 (ERT
#: package, to 2024), else v14 (vdemlite, to 2023), else v12 (demspaces panel, to 2021). Each
#: variable's whole series comes from one release (releases re-estimate every year: never spliced).
VDEM_RELEASE = {"v2x_polyarchy": "v15",
                **{c: "v14" for c in ["v2x_civlib", "v2x_clphy", "v2x_rule", "v2x_corr", "v2csreprss", "v2clkill",
                                      "v2pepwrsoc", "v2x_ex_military"]},
                **{c: "v12" for c in ["v2x_liberal", "v2csantimv", "v2svstterr", "v2x_freexp", "v2xcl_disc"]}}
#: V-Dem country_text_id -> G&W code where the ISO3 mapping does not give it (historical units and
#: the years a V-Dem unit continues a G&W predecessor: Serbia = Yugoslavia 345 before 2006,
#: Czech Republic = Czechoslovakia 315 before 1993)
VDEM_GW = {"DDR": 265, "YMD": 680, "VDR": 817}


def vdem_newer(shared: Path, iso: pd.Series) -> pd.DataFrame:
    """The v14 / v15 predictors keyed by gwcode-year (see ``VDEM_RELEASE``)."""
    gw_of = {v: k for k, v in iso.items() if not str(v).startswith("G")} | VDEM_GW
    v14 = pd.read_csv(shared / "vdem_vdemlite_v14" / "vdem_v14_vdemlite_subset_1970_2023.csv.gz",
                      usecols=["country_text_id", "year"] + [c for c, r in VDEM_RELEASE.items() if r == "v14"])
    v15 = pd.read_csv(shared / "vdem_ert_v15" / "vdem_ert_v15_country_year_1900_2024.csv.gz",
                      usecols=["country_text_id", "year", "v2x_polyarchy"])
    v = v14.merge(v15, on=["country_text_id", "year"], how="outer")
    g = v["country_text_id"].map(gw_of)
    g = g.mask((v["country_text_id"] == "SRB") & (v["year"] < 2006), 345)
    g = g.mask((v["country_text_id"] == "CZE") & (v["year"] < 1993), 315)
    v = v.assign(gwcode=g).dropna(subset=["gwcode"]).astype({"gwcode": int})
    return v.drop(columns="country_text_id")


def predictors(shared: Path, iso: pd.Series) -> pd.DataFrame:
    """Baseline predictors keyed by gwcode-year (values as published, lags applied later)."""
    old = [c for c, r in VDEM_RELEASE.items() if r == "v12"]
    v = pd.read_csv(shared / "vdem_demspaces" / "states_v12_vdem_panel.csv.gz",
                    usecols=["gwcode", "year"] + [f"lag0_{c}" for c in old] + ["lag0_log_pop"])
    v.columns = [c.removeprefix("lag0_") for c in v.columns]
    v = v.merge(vdem_newer(shared, iso), on=["gwcode", "year"], how="outer")
    order = ["v2x_polyarchy", "v2x_liberal", "v2x_civlib", "v2x_clphy", "v2x_corr", "v2x_freexp", "v2x_rule",
             "v2xcl_disc", "v2x_ex_military", "v2clkill", "v2svstterr", "v2csreprss", "v2csantimv", "v2pepwrsoc"]
    v = v[["gwcode", "year"] + order + ["log_pop"]]  # the column order of the v12-only file
    inf = pd.read_csv(shared / "gw_panel_misc" / "wdi_infmort.csv", usecols=["gwcode", "year", "infmort"])
    gdp = pd.read_csv(shared / "gw_panel_misc" / "gdp.csv")
    gdp = gdp.assign(log_gdp_pc=np.log(gdp["NY.GDP.PCAP.KD"]), gdp_pc_growth=gdp["NY.GDP.PCAP.KD.ZG"])
    age = pd.read_csv(shared / "gw_panel_misc" / "gwstate_age.csv")
    epr = pd.read_csv(shared / "epr" / "epr_country_year_gw.csv",
                      usecols=["gwcode", "year", "epr_groups", "epr_elf", "epr_excluded_group_pop"])
    ewp = pd.read_csv(shared / "ewp_2025_sra" / "prepared2024predictors-2025-09-03.csv",
                      usecols=["ccode", "year", "discrimpop"])
    ewp = ewp.assign(gwcode=cow_gw(ewp.ccode, ewp.year)).drop(columns="ccode")
    out = v
    for d in (inf, gdp[["gwcode", "year", "log_gdp_pc", "gdp_pc_growth"]], age, epr, ewp):
        out = out.merge(d, on=["gwcode", "year"], how="outer")
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--contiguity-json", type=Path, default=OUT / "cow_contiguity_2006.json")
    a = ap.parse_args(argv)
    iso = gw_iso3(a.shared)
    conf, last = conflict(a.shared)
    panel = state_panel(a.shared, last)
    out = panel.merge(conf, on=["gwcode", "year"], how="left").fillna({"conflict": 0.0, "conflict_major": 0.0})
    cp, (c0, c1) = coups(a.shared)
    out = out.merge(cp, on=["gwcode", "year"], how="left")
    cov = out.year.between(c0, c1)
    out.loc[cov, "coup_attempt"] = out.loc[cov, "coup_attempt"].fillna(0.0)
    out.loc[~cov, ["coup_attempt", "coup_success"]] = np.nan
    mk = mass_killing(a.shared)
    out = out.merge(mk, on=["gwcode", "year"], how="left")
    out.insert(0, "iso3", out.gwcode.map(iso))
    assert out.iso3.notna().all(), out[out.iso3.isna()].gwcode.unique()
    out = out.astype({"gwcode": "int32", "year": "int32"})
    a.out.mkdir(parents=True, exist_ok=True)
    out.to_parquet(a.out / "outcomes.parquet", index=False)
    ewp_forecasts(a.shared, iso).to_parquet(a.out / "ewp_forecasts.parquet", index=False)
    contiguity(a.contiguity_json, a.shared, iso).to_parquet(a.out / "contiguity.parquet", index=False)
    pr = predictors(a.shared, iso)
    pr = pr[pr.gwcode.isin(out.gwcode.unique()) & (pr.year >= 1946)]
    pr.insert(0, "iso3", pr.gwcode.map(iso))
    pr.astype({"gwcode": "int32", "year": "int32"}).sort_values(["gwcode", "year"]).to_parquet(
        a.out / "predictors.parquet", index=False)
    for f in sorted(a.out.glob("*.parquet")):
        print(f"{f.name}: {len(pd.read_parquet(f)):,} rows, {f.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
