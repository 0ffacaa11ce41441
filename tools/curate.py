#!/usr/bin/env python
"""Curate the shipped country-year panel of holisec from the staged public data.

Usage (from the repository root)::

    python tools/curate.py ../shared/data          # default path
    python tools/curate.py /path/to/shared/data --out src/holisec/data/shipped

Reads the read-only staging area ``shared/data`` (see its README.md and each folder's
SOURCE.md) and writes, for every shipped source ``<id>``::

    src/holisec/data/shipped/<id>/<id>.parquet   long table: entity, period, indicator, value
    src/holisec/data/shipped/<id>/SOURCE.md      origin, licence, citation, units, coverage,
                                                 dropped aggregates / unmatched names
plus ``shipped/manifest.yaml``, ``shipped/entities.parquet`` (country metadata) and the
Global Data Lab sub-national layer ``shipped/gdl_subnational_hdi/`` (with its own
``entities.parquet``).

Rules: real published numbers only (no synthetic values, no invented proxies); years
1990 onward (and not after 2024, to exclude projections); country keys harmonised to
upper-case ISO3 with country_converter (or its GWcode / UN M49 columns); aggregates
(World, regions, income groups) and unmatched names are never dropped silently: they are
printed and listed in the SOURCE.md of the source they came from.

The only derived series are documented in the per-source SOURCE.md: sums of published
components (population = female + male; disaster affected/deaths = sum over EM-DAT
disaster types), shares of two published series (nuclear share of electricity), a
cumulative count (nuclear tests since 1945) and structural zeros for states that do not
appear in a list of possessors (warhead stockpiles) — each stated where it is made.
This script is never imported at run time.
"""
from __future__ import annotations

import argparse
import logging
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import country_converter as coco
import numpy as np
import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
Y0, Y1 = 1990, 2024
logging.getLogger("country_converter").setLevel(logging.ERROR)



def _converter() -> coco.CountryConverter:
    """country_converter with its table read so that Namibia's ISO2 'NA' is not parsed as missing
    (country_converter 1.3.2 fails to build its regexes under pandas 3 otherwise)."""
    from importlib import resources
    na = ["", "#N/A", "N/A", "NULL", "NaN", "nan", "n/a", "null", "None", "<NA>"]
    with resources.as_file(resources.files("country_converter") / "country_data.tsv") as p:
        data = pd.read_csv(p, sep="\t", dtype=str, keep_default_na=False, na_values=na)
    for c in ["name_short", "name_official", "regex", "ISO2", "ISO3", "continent", "UNregion",
              "EXIO1", "EXIO2", "EXIO3", "WIOD"]:
        data[c] = data[c].fillna("").astype(object)
    data = data.astype({c: object for c in data.columns})
    for c in ["ISOnumeric", "UNcode", "FAOcode", "GBDcode", "EURO", "UN", "UNmember", "obsolete", "GEOnumeric"]:
        data[c] = pd.to_numeric(data[c], errors="coerce").astype("Int64")
    return coco.CountryConverter(country_data=data)


CC = _converter()
CCDATA = CC.data
ISO3 = set(CCDATA["ISO3"].dropna())
# World Bank / WGI code quirks -> ISO3
WB_FIX = {"ROM": "ROU", "ZAR": "COD", "TMP": "TLS", "WBG": "PSE", "KSV": "XKX", "ADO": "AND",
          "XKX": "XKX", "KOS": "XKX", "UVK": "XKX",
          # Gapminder / open-numbers ids that are not ISO3
          "HOS": "VAT", "BONAIRE": "BES", "STBAR": "BLM", "STMAR": "MAF", "NLD_CURACAO": "CUW"}
# names country_converter's regexes miss
NAME_FIX = {"Timor": "TLS", "South Yemen": None, "Yemen Arab Republic": None}


# ----------------------------------------------------------------------------- sources
@dataclass
class Src:
    id: str
    name: str
    citation: str
    licence: str
    url: str
    non_commercial: bool
    origin: list[str]            # origin lines for SOURCE.md (shared path + upstream repo/commit)
    frames: list[pd.DataFrame] = field(default_factory=list)
    dropped: dict[str, list[str]] = field(default_factory=dict)   # origin file -> dropped keys
    notes: list[str] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)           # indicator -> unit/description
    vintage: int = 1             # shipped vintage: 1 = the first release shipped, 2 = the 2026-12 re-curation
    release: str = ""            # the upstream release this vintage holds
    last_actual: int | None = None  # later years of that release are projections (None: no projections)

    def add(self, df: pd.DataFrame, ind: str, unit: str) -> None:
        """Add one indicator; where two source keys map to one entity-year (e.g. G&W 340/345 Serbia,
        renamed countries in one edition), the row with the lower ``_prio`` is kept and the clash noted."""
        cols = ["entity", "period", "value"] + (["_prio"] if "_prio" in df.columns else [])
        df = df[cols].dropna(subset=["entity", "value"]).copy()
        if "_prio" in df.columns:
            df = df.sort_values("_prio", kind="stable")
        dup = df.duplicated(["entity", "period"])
        if dup.any():
            ents = sorted(df.loc[dup, "entity"].unique())
            self.notes.append(f"`{ind}`: {int(dup.sum())} entity-year(s) given by two source keys ({', '.join(ents)}); "
                              "kept the current-name / primary-code row")
            df = df[~dup]
        df = df[["entity", "period", "value"]]
        df["indicator"] = ind
        self.frames.append(df)
        self.units[ind] = unit


SOURCES: dict[str, Src] = {}
#: later shipped vintages: vintage number -> source id -> Src (the re-curated indicators only)
LATER: dict[int, dict[str, Src]] = {}


def src(**kw) -> Src:
    """Register a source (``vintage=1``: the first shipped release) or a later vintage of one."""
    s = Src(**kw)
    if s.vintage == 1:
        SOURCES[s.id] = s
    else:
        LATER.setdefault(s.vintage, {})[s.id] = s
    return s


# ----------------------------------------------------------------------------- keys
def _report(s: Src, origin: str, keys) -> None:
    keys = sorted({str(k) for k in keys if not (isinstance(k, float) and np.isnan(k))})
    if keys:
        s.dropped.setdefault(origin, [])
        s.dropped[origin] = sorted(set(s.dropped[origin]) | set(keys))
        print(f"  [{s.id}] {origin}: dropped {len(keys)} key(s): {', '.join(keys[:25])}{' ...' if len(keys) > 25 else ''}")


def iso_codes(s: Src, origin: str, codes: pd.Series) -> pd.Series:
    """Upper-case ISO3 (with World Bank quirks fixed); unknown codes -> NaN (reported)."""
    up = codes.astype(str).str.upper().map(lambda c: WB_FIX.get(c, c))
    ok = up.where(up.isin(ISO3))
    _report(s, origin, codes[ok.isna()].unique())
    return ok


_NAME_CACHE: dict[str, str | None] = {}


def _name_to_iso(name: str) -> str | None:
    if name in NAME_FIX:
        return NAME_FIX[name]
    if name not in _NAME_CACHE:
        # region-like labels that country_converter's regexes would otherwise grab
        if re.search(r"\((region|total|excl|incl)|world|income|total|other |^africa|^asia|^europe|"
                     r"^north america|^south america|^oceania|\bunion\b|opec|oecd|cis$|middle east|"
                     r"\bregion\b|countries|^central|^western|^eastern|^non-|^u\.?s\.?s\.?r|ussr|"
                     r"czechoslovakia|yugoslavia|serbia and montenegro|east germany|west germany|"
                     r"^latin america|^sub-saharan|^asia pacific|^cis|^persian gulf|^u\.k\.$",
                     name, re.I) and name.lower() not in {"central african republic", "western sahara"}:
            _NAME_CACHE[name] = None
        else:
            r = CC.convert(names=[name], src="regex", to="ISO3", not_found=None)
            _NAME_CACHE[name] = r if isinstance(r, str) and r in ISO3 else None
    return _NAME_CACHE[name]


def name_codes(s: Src, origin: str, names: pd.Series) -> pd.Series:
    uniq = pd.Series(names.dropna().unique())
    mapping = {n: _name_to_iso(str(n)) for n in uniq}
    out = names.map(mapping)
    _report(s, origin, names[out.isna()].unique())
    return out


_GW = CCDATA[["GWcode", "ISO3"]].dropna()
_GW = _GW[_GW["GWcode"].astype(str).str.strip() != ""]
GW2ISO = {int(float(g)): i for g, i in zip(_GW["GWcode"], _GW["ISO3"])}
# successor convention for G&W codes (as in holisec.data.countries): Yugoslavia/Serbia 345 -> SRB,
# Vietnam 816 -> VNM, Yemen 678 -> YEM; GDR 265, South Yemen 680, South Vietnam 817 have no ISO3
for _k, _v in {816: "VNM", 678: "YEM", 345: "SRB", 347: "XKX", 260: "DEU"}.items():
    GW2ISO[_k] = _v
for _k in (265, 680, 817):
    GW2ISO.pop(_k, None)


GW_PRIMARY = {int(float(g)) for g in _GW["GWcode"]}
GW2ISO.setdefault(316, "CZE")


def gw_prio(gw: pd.Series) -> pd.Series:
    """0 for a G&W code that country_converter itself lists, 1 for a successor-convention code."""
    return (~gw.astype(int).isin(GW_PRIMARY)).astype(int)


def name_prio(names: pd.Series, iso: pd.Series) -> pd.Series:
    """0 where the name equals country_converter's short name for the matched ISO3."""
    short = dict(zip(CCDATA["ISO3"], CCDATA["name_short"].str.lower()))
    return (names.str.lower() != iso.map(short)).astype(int)


def gw_codes(s: Src, origin: str, gw: pd.Series) -> pd.Series:
    out = gw.astype(int).map(GW2ISO)
    _report(s, origin, gw[out.isna()].unique())
    return out


_M49 = CCDATA[["UNcode", "ISO3"]].dropna()
M492ISO = {int(float(u)): i for u, i in zip(_M49["UNcode"], _M49["ISO3"]) if str(u).strip() not in ("", "nan")}


def m49_codes(s: Src, origin: str, m49: pd.Series, names: dict[int, str]) -> pd.Series:
    num = pd.to_numeric(m49, errors="coerce")
    out = num.map(lambda v: M492ISO.get(int(v)) if pd.notna(v) else None)
    bad = num[out.isna()].dropna().astype(int).unique()
    _report(s, origin, [f"{b} {names.get(int(b), '')}".strip() for b in bad])
    return out


def finish(df: pd.DataFrame, last: int = Y1) -> pd.DataFrame:
    """Rows with an entity and a value, years Y0..``last`` (``last``: a release's last actual year)."""
    df = df.dropna(subset=["entity", "value"]).copy()
    if "_prio" not in df.columns:
        df["_prio"] = 0
    df = df[(df["period"] >= Y0) & (df["period"] <= last)]
    return df


# ----------------------------------------------------------------------------- readers
def gapminder(root: Path) -> None:
    s = src(id="gapminder", name="Gapminder Systema Globalis (compiling WDI, ILO, WHO/UN IGME, IHME, SIPRI, "
            "EM-DAT, FAO, UNDP, UN WPP)",
            citation="Gapminder Foundation, Systema Globalis (open-numbers/ddf--gapminder--systema_globalis), "
                     "and the underlying producer named per indicator",
            licence="CC BY 4.0", url="https://github.com/open-numbers/ddf--gapminder--systema_globalis",
            non_commercial=False,
            origin=["shared/data/gapminder_systema_globalis/systema_globalis_long_1900_2030.csv.gz",
                    "upstream: open-numbers/ddf--gapminder--systema_globalis @ c63631abeb62af6db3910f68be7c2b443beca50b "
                    "(2026-03-01), countries-etc-datapoints/ddf--datapoints--<indicator>--by--geo--time.csv"])
    g = pd.read_csv(root / "gapminder_systema_globalis/systema_globalis_long_1900_2030.csv.gz", low_memory=False)
    g = g[(g["time"] >= Y0) & (g["time"] <= Y1)]
    g["value"] = pd.to_numeric(g["value"], errors="coerce")
    g = g.rename(columns={"time": "period"})
    g["entity"] = iso_codes(s, "systema_globalis_long_1900_2030.csv.gz (geo)", g["geo"])
    simple = {
        "gdp_usd": ("total_gdp_us_inflation_adjusted", "GDP, constant US$ (WDI) — denominator"),
        "inflation": ("inflation_annual_percent", "% per year, consumer prices (WDI)"),
        "gdppc_growth": ("gdppercapita_growth_percent_per_year", "% per year, GDP per capita growth (WDI)"),
        "trade_balance": ("trade_balance_percent_of_gdp", "% of GDP, exports minus imports of goods & services (WDI)"),
        "unemployment": ("aged_15plus_unemployment_rate_percent", "% of labour force 15+ (ILO)"),
        "youth_unemployment": ("aged_15_24_unemployment_rate_percent", "% of labour force 15-24 (ILO)"),
        "u5mr": ("under_five_mortality_from_cme_per_1000_born", "deaths under 5 per 1,000 live births (UN IGME)"),
        "hdi": ("hdi_human_development_index", "index 0-1 (UNDP HDI)"),
        "sanitation": ("at_least_basic_sanitation_overall_access_percent", "% population with at least basic sanitation (WHO/UNICEF JMP)"),
        "water_access": ("at_least_basic_water_source_overall_access_percent", "% population with at least basic drinking water (WHO/UNICEF JMP)"),
        "patents": ("patent_applications_total", "patent applications, residents+non-residents (WIPO via WDI), count — per capita via denominator pop"),
        "hitech_exports": ("high_technology_exports_percent_of_manufactured_exports", "% of manufactured exports (WDI/UN Comtrade)"),
        "internet": ("internet_users", "% of population using the Internet (ITU via WDI)"),
        "mobile": ("cell_phones_per_100_people", "mobile cellular subscriptions per 100 people (ITU via WDI)"),
        "broadband": ("broadband_subscribers_per_100_people", "fixed broadband subscriptions per 100 people (ITU via WDI)"),
        "milex_gdp": ("military_expenditure_percent_of_gdp", "% of GDP (SIPRI via WDI)"),
        "armed_forces": ("armed_forces_personnel_percent_of_labor_force", "% of labour force (IISS via WDI)"),
        "arms_imports": ("arms_imports_sipri_tiv", "SIPRI trend-indicator values (TIV), millions — per capita via denominator pop"),
        "homicide": ("murder_per_100000_people", "deaths from interpersonal violence per 100,000, age-standardised (IHME GBD)"),
        "forest_cover": ("forest_coverage_percent", "% of land area (FAO FRA)"),
        "renewable_water": ("renewable_water_cu_meters_per_person", "total renewable water resources, m3 per person (FAO AQUASTAT)"),
        "food_kcal": ("food_supply_kilocalories_per_person_and_day", "kcal per person per day (FAO food balances)"),
    }
    for ind, (col, unit) in simple.items():
        x = finish(g[g["indicator"] == col])
        s.add(x, ind, f"`{col}`: {unit}")
    # population = female + male (UN WPP via Gapminder; totals series stops in 2013)
    p = g[g["indicator"].isin(["female_population_with_projections", "male_population_with_projections"])]
    p = p.dropna(subset=["entity", "value"]).groupby(["entity", "period"])["value"].agg(["sum", "count"]).reset_index()
    p = p[p["count"] == 2].rename(columns={"sum": "value"})
    s.add(finish(p), "pop", "`female_population_with_projections` + `male_population_with_projections` (UN WPP via "
          "Gapminder): persons — denominator; years <= 2024 only (no projections)")
    s.notes.append("`pop` = female + male population (both published by Gapminder from UN WPP); the total series "
                   "`total_population_with_projections` stops in 2013.")
    # disasters: EM-DAT counts summed over the 7 disaster types Gapminder publishes
    types = ["drought", "earthquake", "epidemic", "extreme_temperature", "flood", "storm", "tsunami"]
    for kind, ind in (("affected", "disaster_affected"), ("deaths", "disaster_deaths")):
        cols = [f"{t}_{kind}_annual_number" for t in types]
        x = g[g["indicator"].isin(cols)].dropna(subset=["entity"])
        x = x.groupby(["entity", "period"])["value"].sum(min_count=1).reset_index()
        s.add(finish(x), ind, f"sum of {', '.join(cols)} (EM-DAT via Gapminder): persons — per capita via denominator pop")
    s.notes.append("`disaster_affected` / `disaster_deaths` = sum over the EM-DAT disaster types Gapminder publishes "
                   "(drought, earthquake, epidemic, extreme temperature (affected only in recent years), flood, storm, "
                   "tsunami); Gapminder records 0 for country-years without a recorded event.")


def wgi(root: Path) -> None:
    s = src(id="wgi", name="Worldwide Governance Indicators (World Bank), 2022 update",
            citation="Kaufmann, D. & Kraay, A., Worldwide Governance Indicators, 2022 Update, www.govindicators.org",
            licence="CC BY 4.0", url="https://www.govindicators.org", non_commercial=False,
            origin=["shared/data/wgi/wgi_full_1996_2021.csv",
                    "upstream: info201a-au2022/project-team-2-section-ah data/wgidataset.csv @ "
                    "16212ee32606f106c841a0c096d0b0c6d56034dd (World Bank WGI full dataset)"])
    w = pd.read_csv(root / "wgi/wgi_full_1996_2021.csv")
    w["entity"] = iso_codes(s, "wgi_full_1996_2021.csv (code)", w["code"])
    w = w.rename(columns={"year": "period"})
    names = {"va": "Voice and Accountability", "pv": "Political Stability and Absence of Violence/Terrorism",
             "ge": "Government Effectiveness", "rq": "Regulatory Quality", "rl": "Rule of Law",
             "cc": "Control of Corruption"}
    for k, n in names.items():
        x = w[["entity", "period", f"{k}e"]].rename(columns={f"{k}e": "value"})
        s.add(finish(x), f"wgi_{k}", f"`{k}e`: {n}, estimate (approx. -2.5..2.5, higher = better governance)")
    s.notes.append("WGI has no 1997, 1999, 2001 editions; estimates are re-standardised each year.")


VDEM = {
    "vdem_polyarchy": ("lag0_v2x_polyarchy", "electoral democracy index 0-1 (higher = more democratic)"),
    "vdem_terr": ("lag0_v2svstterr", "state authority over territory, % of territory (higher = more control)"),
    "vdem_physint": ("lag0_v2x_clphy", "physical violence index 0-1 (higher = more physical integrity)"),
    "vdem_ex_military": ("lag0_v2x_ex_military", "military dimension index 0-1 (higher = executive more dependent on the military)"),
    "vdem_censor": ("lag0_v2mecenefm", "government censorship effort — media, latent scale (higher = less censorship)"),
    "vdem_harjrn": ("lag0_v2meharjrn", "harassment of journalists, latent scale (higher = less harassment)"),
    "vdem_relig": ("lag0_v2clrelig", "freedom of religion, latent scale (higher = more freedom)"),
    "vdem_socgrp": ("lag0_v2clsocgrp", "social group equality in respect for civil liberties, latent (higher = more equal)"),
    "vdem_edueq": ("lag0_v2peedueq", "educational equality, latent scale (higher = more equal)"),
    "vdem_acfree": ("lag0_v2clacfree", "freedom of academic and cultural expression, latent (higher = more free)"),
    "vdem_csrepress": ("lag0_v2csreprss", "CSO repression, latent scale (higher = less repression)"),
}


def vdem(root: Path) -> None:
    s = src(id="vdem", name="V-Dem Country-Year v12 (via the V-Dem Democratic Spaces project)",
            citation="Coppedge, M. et al. (2022) V-Dem Country-Year Dataset v12, Varieties of Democracy (V-Dem) Project; "
                     "Pemstein, D. et al. (2022) The V-Dem Measurement Model",
            licence="CC BY-SA 4.0", url="https://www.v-dem.net", non_commercial=False,
            origin=["shared/data/vdem_demspaces/states_v12_vdem_panel.csv.gz",
                    "upstream: vdeminstitute/demspaces @ 1012a66d590d2315c292f2ec745f168abbf84d05, "
                    "2022-update/outcome-v2/data/states-v12-mod.rds (last changed a6f19c3243a1f4833f28a22419279406f33f9823)"])
    v = pd.read_csv(root / "vdem_demspaces/states_v12_vdem_panel.csv.gz", usecols=["gwcode", "year"] + [c for c, _ in VDEM.values()])
    v["entity"] = gw_codes(s, "states_v12_vdem_panel.csv.gz (gwcode)", v["gwcode"])
    v["_prio"] = gw_prio(v["gwcode"])
    v = v.rename(columns={"year": "period"})
    for ind, (col, unit) in VDEM.items():
        s.add(finish(v[["entity", "period", "_prio", col]].rename(columns={col: "value"})), ind, f"`{col}`: {unit}")
    s.notes.append("Share-alike: derived datasets that include V-Dem values must be shared under CC BY-SA 4.0.")


def owid_long(s: Src, root: Path, datasets: list[str], name_dups: bool = True) -> pd.DataFrame:
    """Rows of these OWID datasets with ISO3 entities; a country given under two spellings keeps
    its current-name row (noted, with the spellings if ``name_dups``)."""
    o = pd.read_csv(root / "owid_datasets/owid_datasets_all_long.csv.gz", low_memory=False)
    o = o[o["dataset"].isin(datasets)]
    o["value"] = pd.to_numeric(o["value"], errors="coerce")
    o["entity_name"] = o["entity"]
    o["entity"] = name_codes(s, "owid_datasets_all_long.csv.gz (entity)", o["entity"])
    o = o.rename(columns={"year": "period"}).dropna(subset=["entity"])
    o["_prio"] = name_prio(o["entity_name"], o["entity"])
    o = o.sort_values("_prio", kind="stable")
    dup = o.duplicated(["entity", "period", "variable"])
    if dup.any():
        names = f" ({', '.join(sorted(o.loc[dup, 'entity_name'].unique()))})" if name_dups else ""
        s.notes.append(f"{int(dup.sum())} rows given under two spellings of one country{names}; kept the current-name row")
    return o[~dup]


def owid(root: Path) -> None:
    s = src(id="owid", name="Our World in Data datasets (nuclear weapons: Bleek/NTI, FAS, Arms Control Association; "
            "CO2: Global Carbon Project)",
            citation="Our World in Data (owid/owid-datasets; owid/co2-data); Bleek (2017) & NTI nuclear proliferation "
                     "status; Federation of American Scientists, Status of World Nuclear Forces; Arms Control "
                     "Association, nuclear testing tally; Global Carbon Project",
            licence="CC BY 4.0 (OWID); third-party producers keep their terms, attribution required",
            url="https://ourworldindata.org", non_commercial=False,
            origin=["shared/data/owid_datasets/owid_datasets_all_long.csv.gz (datasets nuclear_proliferation, "
                    "nuclear_stockpiles_fas_2022, nuclear_tests_aca; exact repo path/commit per dataset in "
                    "shared/data/owid_datasets/datasets_index.csv)",
                    "upstream: owid/owid-datasets snapshot 48c9992ae317b35ed327fc36d2af75fe8b3ef7ed",
                    "shared/data/owid_co2/owid-co2-data_2020-12.csv.gz; upstream owid/co2-data @ "
                    "2a6c4a26fafc29000d1ee0deebf083d60b563c78 (2020-12-09)"])
    o = owid_long(s, root, ["nuclear_proliferation", "nuclear_stockpiles_fas_2022", "nuclear_tests_aca"])
    st = o[o["variable"] == "nuclear_weapons_status"][["entity", "period", "value"]]
    s.add(finish(st), "nuc_status", "`nuclear_weapons_status`: 0 no consideration, 1 consideration, 2 pursuit, 3 possession")
    # stockpiles: FAS lists possessors only -> structural zero where status < 3 (not a possessor) that year
    sp = o[o["variable"] == "nuclear_weapons_stockpile"][["entity", "period", "value"]]
    base = st[["entity", "period"]].merge(st[["entity", "period", "value"]].rename(columns={"value": "status"}))
    sp = base.merge(sp, on=["entity", "period"], how="left")
    sp.loc[sp["value"].isna() & (sp["status"] < 3), "value"] = 0.0
    s.add(finish(sp), "nuc_warheads", "`nuclear_weapons_stockpile` (FAS): nuclear warheads; 0 for states with "
          "proliferation status < 3 (not possessing) in that year")
    # tests: ACA tally lists testing states; cumulative since 1945, 0 for states never listed
    allt = pd.read_csv(root / "owid_datasets/owid_datasets_all_long.csv.gz", low_memory=False)
    allt = allt[(allt["dataset"] == "nuclear_tests_aca")]
    allt["value"] = pd.to_numeric(allt["value"], errors="coerce")
    allt["entity"] = allt["entity"].map(lambda n: _name_to_iso(str(n)))
    allt = allt.dropna(subset=["entity"]).sort_values("year")
    allt["cum"] = allt.groupby("entity")["value"].cumsum()
    cum = allt.rename(columns={"year": "period"})[["entity", "period", "cum"]]
    tc = st[["entity", "period"]].merge(cum, on=["entity", "period"], how="left")
    # carry the cumulative count forward after the tally's last year for testing states
    tc = tc.sort_values(["entity", "period"])
    tc["cum"] = tc.groupby("entity")["cum"].ffill()
    tc["value"] = tc["cum"].fillna(0.0)
    tested = set(cum["entity"])
    tc.loc[tc["entity"].isin(tested) & tc["cum"].isna(), "value"] = np.nan
    s.add(finish(tc), "nuc_tests_cum", "cumulative `nuclear_weapons_tests` (ACA) since 1945; 0 for states never in the tally")
    s.notes.append("`nuc_warheads`: the FAS series lists possessor states only; non-possessors (OWID proliferation status "
                   "< 3 in that year) are given 0 warheads (structural zero), possessors without an FAS value stay missing.")
    s.notes.append("`nuc_tests_cum`: running sum of the ACA annual tally from 1945; states never listed are 0; "
                   "the value is carried forward after the tally's last year (2019) since no test is reported later "
                   "except by DPRK (already listed until 2017).")
    c = pd.read_csv(root / "owid_co2/owid-co2-data_2020-12.csv.gz")
    c = c[c["iso_code"].notna()]
    c["entity"] = iso_codes(s, "owid-co2-data_2020-12.csv.gz (iso_code)", c["iso_code"])
    _report(s, "owid-co2-data_2020-12.csv.gz (rows without iso_code: aggregates, historical units, territories OWID left uncoded)",
            pd.read_csv(root / "owid_co2/owid-co2-data_2020-12.csv.gz", usecols=["iso_code", "country"])
            .query("iso_code != iso_code")["country"].unique())
    c = c.rename(columns={"year": "period", "co2_per_capita": "value"})
    s.add(finish(c), "co2_pc", "`co2_per_capita`: tonnes CO2 per person (territorial, Global Carbon Project)")


def owid_energy(root: Path) -> None:
    s = src(id="owid_energy", name="Our World in Data electricity mix (BP Statistical Review & Ember), 2022",
            citation="Our World in Data, Electricity mix (BP Statistical Review of World Energy 2022; Ember)",
            licence="OWID CC BY 4.0; BP/Energy Institute Statistical Review data: free with attribution, "
                    "no commercial redistribution", url="https://ourworldindata.org/electricity-mix",
            non_commercial=True,
            origin=["shared/data/owid_datasets/owid_datasets_all_long.csv.gz (dataset electricity_mix_bp_ember_2022; "
                    "repo path/commit in datasets_index.csv)",
                    "upstream: owid/owid-datasets snapshot 48c9992ae317b35ed327fc36d2af75fe8b3ef7ed"])
    o = owid_long(s, root, ["electricity_mix_bp_ember_2022"], name_dups=False)
    w = o.pivot_table(index=["entity", "period"], columns="variable", values="value").reset_index()
    nuc, gen = "Electricity from nuclear (TWh)", "Electricity generation (TWh)"
    w = w[w[gen] > 0]
    w["value"] = 100.0 * w[nuc] / w[gen]
    s.add(finish(w), "nuc_elec_share", f"100 x `{nuc}` / `{gen}`: % of electricity generated by nuclear power")
    s.notes.append("`nuc_elec_share` = nuclear generation / total generation (both published in the same OWID file).")


def unhcr(root: Path) -> None:
    s = src(id="unhcr", name="UNHCR Population Statistics (forcibly displaced populations)",
            citation="UNHCR Refugee Data Finder / Population Statistics Database (via open-numbers/ddf--unhcr--population_statistics)",
            licence="CC BY 4.0", url="https://www.unhcr.org/refugee-statistics/", non_commercial=False,
            origin=["shared/data/unhcr_population_statistics/unhcr_by_geo_year_long.csv.gz",
                    "upstream: open-numbers/ddf--unhcr--population_statistics @ 0ee56a8dcb175fc5264301efb936ed147bd473e5"])
    u = pd.read_csv(root / "unhcr_population_statistics/unhcr_by_geo_year_long.csv.gz")
    u["entity"] = iso_codes(s, "unhcr_by_geo_year_long.csv.gz (geo)", u["geo"])
    u = u.rename(columns={"year": "period"})
    s.add(finish(u[u["indicator"] == "population_left"]), "displaced_origin",
          "`population_left`: persons of concern originating from the country (refugees, asylum-seekers, IDPs, "
          "returnees, stateless, others) — per capita via denominator pop")
    s.add(finish(u[u["indicator"] == "population_arrived"]), "displaced_hosted",
          "`population_arrived`: persons of concern hosted in the country — per capita via denominator pop")
    s.notes.append("UNHCR reports no row where a country has no persons of concern; such country-years are missing, not 0.")


def un_sdg(root: Path) -> None:
    s = src(id="un_sdg", name="UN Global SDG Indicators Database (UNSD), 2020 snapshot",
            citation="United Nations Statistics Division, Global SDG Indicators Database (2020), via "
                     "open-numbers/ddf--unstats--sdg_indicators",
            licence="UN terms of use: free with attribution", url="https://unstats.un.org/sdgs/dataportal",
            non_commercial=False,
            origin=["shared/data/un_sdg_indicators/sdg_by_geo_area_nature_units_year_long.csv.gz, "
                    "sdg_by_geo_area_location_nature_units_year_long.csv.gz, "
                    "sdg_by_age_geo_area_nature_units_year_long.csv.gz, "
                    "sdg_by_geo_area_nature_observation_status_units_year_long.csv.gz",
                    "upstream: open-numbers/ddf--unstats--sdg_indicators @ 1bfae15828a86ad30e86872411534f5c8136d784"])
    d = root / "un_sdg_indicators"
    names = pd.read_csv(d / "ddf--entities--geo_area.csv")
    names = {int(k): v for k, v in zip(pd.to_numeric(names["geo_area"], errors="coerce").fillna(-1), names["name"])}
    spec = {  # indicator -> (file, series, filter, unit)
        "rd_gdp": ("sdg_by_geo_area_nature_units_year_long.csv.gz", "gb_xpd_rsdv", {}, "research and development expenditure, % of GDP (UNESCO UIS)"),
        "researchers": ("sdg_by_geo_area_nature_units_year_long.csv.gz", "gb_pop_scierd", {}, "researchers (FTE) per million inhabitants (UNESCO UIS)"),
        "red_list": ("sdg_by_geo_area_nature_units_year_long.csv.gz", "er_rsk_lsti", {}, "Red List Index 0-1 (IUCN; 1 = no species at risk of extinction)"),
        "kba_protected": ("sdg_by_geo_area_nature_units_year_long.csv.gz", "er_ptd_terrs", {}, "% of terrestrial Key Biodiversity Areas covered by protected areas"),
        "mobile_4g": ("sdg_by_geo_area_nature_units_year_long.csv.gz", "it_mob_4gntwk", {}, "% of population covered by at least a 4G mobile network (ITU)"),
        "pm25": ("sdg_by_geo_area_location_nature_units_year_long.csv.gz", "en_atm_pm25", {"location": "allarea"}, "annual mean PM2.5, micrograms per m3, population-weighted (WHO)"),
        "elec_access": ("sdg_by_geo_area_location_nature_units_year_long.csv.gz", "eg_elc_accs", {"location": "allarea"}, "% of population with access to electricity (World Bank SEforALL)"),
        "undernourishment": ("sdg_by_age_geo_area_nature_units_year_long.csv.gz", "sn_itk_defc", {"age": "notspec"}, "prevalence of undernourishment, % of population (FAO)"),
        "water_stress": ("sdg_by_geo_area_nature_observation_status_units_year_long.csv.gz", "er_h2o_stress", {}, "freshwater withdrawal as % of available freshwater resources (FAO AQUASTAT)"),
    }
    cache: dict[str, pd.DataFrame] = {}
    for ind, (f, series, filt, unit) in spec.items():
        if f not in cache:
            cache[f] = pd.read_csv(d / f, low_memory=False)
        x = cache[f]
        x = x[x["indicator"] == series]
        for k, v in filt.items():
            x = x[x[k] == v]
        x = x.copy()
        x["value"] = pd.to_numeric(x["value"], errors="coerce")
        x["entity"] = m49_codes(s, f"{f} (geo_area, {series})", x["geo_area"], names)
        x = x.rename(columns={"year": "period"}).dropna(subset=["entity", "value"])
        # one value per country-year (several 'nature' codes can co-exist): take the mean and report
        n = x.groupby(["entity", "period"]).size()
        if (n > 1).any():
            s.notes.append(f"`{ind}`: {(n > 1).sum()} country-years with several observation rows averaged")
        x = x.groupby(["entity", "period"], as_index=False)["value"].mean()
        s.add(finish(x), ind, f"`{series}`{' ' + str(filt) if filt else ''}: {unit}")


def epr(root: Path) -> None:
    s = src(id="epr", name="Ethnic Power Relations (EPR Core 2021), country-year summary",
            citation="Vogt, M. et al. (2015) Integrating Data on Ethnicity, Geography, and Conflict: The Ethnic Power "
                     "Relations Data Set Family, JCR 59(7): 1327-42 (country-year summary by A. Beger)",
            licence="free for academic (non-commercial) use with citation (ETH Zurich ICR)",
            url="https://icr.ethz.ch/data/epr/", non_commercial=True,
            origin=["shared/data/epr/epr_country_year_gw.csv",
                    "upstream: andybega/ds-external-data @ e421def8d83acc5b641c38d6800e51517d582f62, epr/output/epr.csv"])
    e = pd.read_csv(root / "epr/epr_country_year_gw.csv")
    e["entity"] = gw_codes(s, "epr_country_year_gw.csv (gwcode)", e["gwcode"])
    e["_prio"] = gw_prio(e["gwcode"])
    e = e.rename(columns={"year": "period"})
    s.add(finish(e.rename(columns={"epr_excluded_group_pop": "value"})), "epr_excluded",
          "`epr_excluded_group_pop`: population share (0-1) of politically relevant ethnic groups excluded from power "
          "(powerless or discriminated)")


def imf_weo(root: Path) -> None:
    s = src(id="imf_weo", name="IMF World Economic Outlook database",
            citation="International Monetary Fund, World Economic Outlook Database (via open-numbers/ddf--imf--weo)",
            licence="IMF copyright and usage terms: free with attribution, non-commercial reuse",
            url="https://www.imf.org/en/Publications/WEO", non_commercial=True, last_actual=2018,
            release="WEO April 2019 (values from 2019 on are projections)",
            origin=["shared/data/imf_weo/weo_by_country_year_long.csv.gz",
                    "upstream: open-numbers/ddf--imf--weo @ 6512ea5e1ec07730f0be7dc60f1e4fe4e236a9ac"])
    w = pd.read_csv(root / "imf_weo/weo_by_country_year_long.csv.gz", low_memory=False)
    w["value"] = pd.to_numeric(w["value"], errors="coerce")
    w["entity"] = iso_codes(s, "weo_by_country_year_long.csv.gz (country)", w["country"])
    w = w.rename(columns={"year": "period"})
    w = w[w["period"] <= 2023]  # 2024 values are projections
    for ind, col, unit in (("gov_debt", "ggxwdg_ngdp", "general government gross debt, % of GDP"),
                           ("fiscal_balance", "ggxcnl_ngdp", "general government net lending (+) / borrowing (-), % of GDP")):
        s.add(finish(w[w["indicator"] == col]), ind, f"`{col}`: {unit}")
    s.notes.append("Years after 2023 dropped (WEO projections).")
    s.notes.append("**Vintage correction (2026-12):** this file is the **April 2019** WEO (not a 2024 release): its "
                   "2019-2023 values are April 2019 *projections*. It is kept unchanged as shipped vintage 1 only so that "
                   "`--as-of` that vintage reproduces the index published with it; shipped vintage 2 (WEO October 2024) "
                   "replaces every value of both indicators.")


def benchmarks(root: Path) -> None:
    s = src(id="benchmarks", name="Composite benchmark indices (FSI total, GPI overall, ND-GAIN) — validation only",
            citation="The Fund for Peace, Fragile States Index; Institute for Economics & Peace, Global Peace Index 2019; "
                     "University of Notre Dame Global Adaptation Index (Chen et al. 2015)",
            licence="free for non-commercial use with attribution (FfP, IEP, ND-GAIN terms)",
            url="https://fragilestatesindex.org; https://www.visionofhumanity.org; https://gain.nd.edu",
            non_commercial=True,
            origin=["shared/data/fsi_fund_for_peace/fsi_2006_2020_and_2023.csv (Excel editions from "
                    "mabenavides/generating-reproducible-research @ 4fef4f17d1363f7317de0b7688b904d7aab36cc7, "
                    "sporella/30daymap @ b2bd8b6ab0cf2cb17ee118dcc35f8a04433a145e, zacharyhkdl/skilltest @ "
                    "cbfa46e9f9df8fb1c6bb29d955c35c0f8fa8186f)",
                    "shared/data/gpi_global_peace_index/gpi_2008_2019_long.csv (mabenavides/generating-reproducible-"
                    "research data/GPI_all.xlsx @ 4fef4f17d1363f7317de0b7688b904d7aab36cc7)",
                    "shared/data/nd_gain/nd_gain_2016release_long.csv.gz (AntoineLucic/COM2030-Data @ "
                    "8b8b49e18518230aa90972ba626862501ff1d1bd)"])
    f = pd.read_csv(root / "fsi_fund_for_peace/fsi_2006_2020_and_2023.csv")
    f["entity"] = name_codes(s, "fsi_2006_2020_and_2023.csv (Country)", f["Country"])
    f["_prio"] = name_prio(f["Country"], f["entity"])
    f = f.rename(columns={"Year": "period", "Total": "value"})
    s.add(finish(f), "bench_fsi", "FSI `Total` 0-120 (higher = more fragile); period = FSI edition year")
    gp = pd.read_csv(root / "gpi_global_peace_index/gpi_2008_2019_long.csv")
    gp = gp[gp["indicator"] == "Overall Scores"]
    gp["entity"] = iso_codes(s, "gpi_2008_2019_long.csv (iso3c)", gp["iso3c"])
    s.add(finish(gp.rename(columns={"year": "period", "score": "value"})), "bench_gpi",
          "GPI `Overall Scores` 1-5 (higher = less peaceful)")
    n = pd.read_csv(root / "nd_gain/nd_gain_2016release_long.csv.gz")
    n = n[(n["indicator"] == "gain") & (n["kind"] == "index")]
    n["entity"] = iso_codes(s, "nd_gain_2016release_long.csv.gz (ISO3)", n["ISO3"])
    s.add(finish(n.rename(columns={"year": "period"})), "bench_ndgain",
          "ND-GAIN index 0-100 (higher = better prepared / less vulnerable), 2016 release")
    s.notes.append("These composite indices are comparison benchmarks; they are NOT indicators of the holistic framework.")


# ----------------------------------------------------------------------------- shipped vintage 2 (2026-12)
# Newer releases staged in shared/data (see its README "Newer releases"). Each reader re-curates whole
# indicators from the newest release: a release that re-estimates past years replaces the whole series (the
# writer withdraws every earlier key that the new release no longer has, so nothing is spliced).
V2 = 2


def owid_grapher(s: Src, path: Path, column: str) -> pd.DataFrame:
    """An OWID grapher export (``Entity, Code, Year, <column>``): ISO3 rows; OWID aggregates and rows
    without a code are reported as dropped."""
    o = pd.read_csv(path, low_memory=False)
    o["value"] = pd.to_numeric(o[column], errors="coerce")
    coded = o["Code"].notna() & ~o["Code"].astype(str).str.startswith("OWID_")
    _report(s, f"{path.name} (rows without an ISO3 code: OWID aggregates/regions)",
            o.loc[~coded, "Entity"].astype(object).fillna(o.loc[~coded, "Code"].astype(object)).unique())
    o = o[coded].copy()
    o["entity"] = iso_codes(s, f"{path.name} (Code)", o["Code"])
    return o.rename(columns={"Year": "period"})


def wgi_v2(root: Path) -> None:
    s = src(id="wgi", vintage=V2, release="WGI 2024 update (data 1996-2023)",
            name="Worldwide Governance Indicators (World Bank), 2024 update",
            citation="Kaufmann, D. & Kraay, A., Worldwide Governance Indicators, 2024 Update, www.govindicators.org",
            licence="CC BY 4.0", url="https://www.govindicators.org", non_commercial=False,
            origin=["shared/data/wgi/wgi_2024update_1996_2023_long.csv.gz",
                    "upstream: lmorgans/WGIdata @ 05f52f816a6c09473096edbf657aa310d5c30507 (wgidataset.xlsx, World Bank "
                    "WGI full dataset, 2024 update)"])
    f = "wgi_2024update_1996_2023_long.csv.gz"
    w = pd.read_csv(root / "wgi" / f)
    w["entity"] = iso_codes(s, f"{f} (code)", w["code"])
    w = w.rename(columns={"year": "period", "estimate": "value"})
    for k in ("va", "pv", "ge", "rq", "rl", "cc"):
        s.add(finish(w[w["indicator"] == k]), f"wgi_{k}", f"`{k}` estimate (approx. -2.5..2.5, higher = better governance)")
    s.notes.append("The 2024 update revised the WGI method (new source weighting, re-estimated all years 1996-2023): the "
                   "whole series replaces the 2022 update.")


VDEM14 = {k: v[0].removeprefix("lag0_") for k, v in VDEM.items() if k not in ("vdem_terr", "vdem_polyarchy")}


def vdem_v2(root: Path) -> None:
    s = src(id="vdem", vintage=V2, release="V-Dem v14 (9 items + CSO repression, to 2023); v15 electoral democracy "
            "(to 2024); v2svstterr stays v12 (no newer release staged)",
            name="V-Dem Country-Year v14 (vdemlite) and v15 (ERT)",
            citation="Coppedge, M. et al. (2024) V-Dem Country-Year Dataset v14; Coppedge, M. et al. (2025) V-Dem "
                     "Country-Year Dataset v15 (via the ERT package, Maerz et al. 2024); Pemstein, D. et al. The V-Dem "
                     "Measurement Model",
            licence="CC BY-SA 4.0", url="https://www.v-dem.net", non_commercial=False,
            origin=["shared/data/vdem_vdemlite_v14/vdem_v14_vdemlite_subset_1970_2023.csv.gz (upstream "
                    "eteitelbaum/vdemlite @ a992948a1cf30282f6ccac4a06f9e53222ce1006, data/vdemlite.rda)",
                    "shared/data/vdem_ert_v15/vdem_ert_v15_country_year_1900_2024.csv.gz (upstream vdeminstitute/ERT @ "
                    "fa95b8bb8d55735019ee10e7cd0f6fa638cc55ef, inst/ert.csv, v15)"])
    f14 = "vdem_v14_vdemlite_subset_1970_2023.csv.gz"
    v = pd.read_csv(root / "vdem_vdemlite_v14" / f14, usecols=["country_text_id", "year"] + list(VDEM14.values()))
    v["entity"] = iso_codes(s, f"{f14} (country_text_id)", v["country_text_id"])
    v = v.rename(columns={"year": "period"})
    for ind, col in VDEM14.items():
        s.add(finish(v[["entity", "period", col]].rename(columns={col: "value"})), ind,
              f"`{col}` (v14): {VDEM[ind][1]}")
    f15 = "vdem_ert_v15_country_year_1900_2024.csv.gz"
    e = pd.read_csv(root / "vdem_ert_v15" / f15, usecols=["country_text_id", "year", "v2x_polyarchy"])
    e["entity"] = iso_codes(s, f"{f15} (country_text_id)", e["country_text_id"])
    s.add(finish(e.rename(columns={"year": "period", "v2x_polyarchy": "value"})), "vdem_polyarchy",
          f"`v2x_polyarchy` (v15): {VDEM['vdem_polyarchy'][1]}")
    s.notes.append("Each V-Dem release re-estimates every year (measurement model): the v14 / v15 series replace the v12 "
                   "series whole, for every country (keys given by v12 only, e.g. G&W states V-Dem v14 lacks, are "
                   "withdrawn). `vdem_polyarchy` comes from v15 (to 2024), the other nine items from v14 (to 2023): "
                   "vdemlite (v14) is the newest staged release with them.")
    s.notes.append("`vdem_terr` (`v2svstterr`) is in neither file: it stays the v12 series (to 2021), shipped vintage 1.")
    s.notes.append("Key: V-Dem `country_text_id` (ISO3-like); non-ISO units (DDR, PSG Gaza, SML Somaliland, VDR, YMD, ZZB "
                   "Zanzibar) are dropped and listed below; `PSE` = Palestine/West Bank.")


def owid_v2(root: Path) -> None:
    s = src(id="owid", vintage=V2, release="Global Carbon Budget 2025 CO2 (to 2024); FAS 2023 warhead stockpiles "
            "(to 2023) and FAS 2025 inventories", name="Our World in Data: Global Carbon Budget 2025, FAS nuclear forces",
            citation="Global Carbon Project (2025) Global Carbon Budget 2025, via Our World in Data; Kristensen, H. M., "
                     "Korda, M. et al., Federation of American Scientists, Status of World Nuclear Forces 2023 and 2025, "
                     "via Our World in Data",
            licence="CC BY 4.0 (OWID); third-party producers keep their terms, attribution required",
            url="https://ourworldindata.org", non_commercial=False,
            origin=["shared/data/owid_co2/owid_grapher_co2_per_capita_gcb2025_1750_2024.csv.gz (see its SOURCE.md)",
                    "shared/data/nuclear_weapons_fas/owid_grapher_nuclear_warhead_stockpiles_fas2023_1945_2023.csv "
                    "(rhen0017/Visualisation2 @ 9da0a8b0696e627ffdd2352c306ae4bea5ae3a8c)",
                    "shared/data/nuclear_weapons_fas/owid_grapher_nuclear_warhead_inventories_fas2025.csv "
                    "(HkGan0910/DV2 @ 5a74d3b618370528007f5481ce123b1ad300903f)"])
    c = owid_grapher(s, root / "owid_co2/owid_grapher_co2_per_capita_gcb2025_1750_2024.csv.gz", "co2_per_capita")
    s.add(finish(c), "co2_pc", "`co2_per_capita`: tonnes CO2 per person (territorial fossil + cement, Global Carbon "
          "Budget 2025)")
    s.notes.append("`co2_pc`: GCB 2025 revises all past years (new cement and land data): the whole series replaces "
                   "the OWID 2020-12 series.")
    # warheads: FAS 2023 stockpiles; structural zero for states OWID's proliferation data (vintage 1) list as
    # non-possessors (status < 3) that year; after 2022 (status series ends) the possessors are FAS's own list.
    fas = owid_grapher(s, root / "nuclear_weapons_fas/owid_grapher_nuclear_warhead_stockpiles_fas2023_1945_2023.csv",
                       "nuclear_weapons_stockpile")[["entity", "period", "value"]]
    inv = pd.read_csv(root / "nuclear_weapons_fas/owid_grapher_nuclear_warhead_inventories_fas2025.csv")
    possessors = set(iso_codes(s, "owid_grapher_nuclear_warhead_inventories_fas2025.csv (Code)", inv["Code"]).dropna())
    v1 = pd.concat(SOURCES["owid"].frames)
    st = v1[v1["indicator"] == "nuc_status"]
    base = st[["entity", "period", "value"]].rename(columns={"value": "status"})
    last = int(base["period"].max())
    ents = sorted(set(base.loc[base["period"] == last, "entity"]))
    extra = pd.DataFrame([(e, y, 3.0 if e in possessors else 0.0) for y in range(last + 1, Y1 + 1) for e in ents],
                         columns=["entity", "period", "status"])
    sp = pd.concat([base, extra]).merge(fas, on=["entity", "period"], how="left")
    sp.loc[sp["value"].isna() & (sp["status"] < 3), "value"] = 0.0
    s.add(finish(sp), "nuc_warheads", "`nuclear_weapons_stockpile` (FAS 2023 release): warheads in military "
          "stockpiles; 0 for non-possessors")
    s.notes.append(f"`nuc_warheads`: FAS 2023 release (revises earlier years, e.g. China 2022 350 -> 390). Non-possessors "
                   f"(OWID proliferation status < 3 to {last}; after {last}, not among the nine FAS 2025 possessors "
                   f"{sorted(possessors)}) are structural zeros. FAS 2024 was not found, so 2024 is missing for the "
                   "possessors (the pipeline interpolates/carries it within the recipe's limit). The FAS 2025 inventory "
                   "(early 2025; deployed + reserve = stockpile) is after the panel's last year 2024 and is used here "
                   "only for the possessor list; it is not shipped as a value.")


def owid_energy_v2(root: Path) -> None:
    s = src(id="owid_energy", vintage=V2, release="OWID electricity production by source, 2025-10 (Ember + Energy "
            "Institute, to 2024)", name="Our World in Data electricity production by source (Ember, Energy Institute), 2025",
            citation="Our World in Data, Electricity production by source (Ember Yearly Electricity Data; Energy Institute "
                     "Statistical Review of World Energy 2025)",
            licence="OWID CC BY 4.0; Ember CC BY 4.0; Energy Institute Statistical Review: free with attribution, "
                    "no commercial redistribution", url="https://ourworldindata.org/electricity-mix", non_commercial=True,
            origin=["shared/data/owid_electricity_mix/owid_grapher_electricity_prod_by_source_2025-10.csv.gz "
                    "(PietroGaldi/iPanda_DataVis_25_26.github.io @ c402384c38a2c25e0b9fd890c1817d742f366e56)"])
    f = root / "owid_electricity_mix/owid_grapher_electricity_prod_by_source_2025-10.csv.gz"
    srcs = ["coal_twh", "gas_twh", "oil_twh", "nuclear_twh", "hydro_twh", "wind_twh", "solar_twh", "bioenergy_twh",
            "other_renewables_twh"]
    o = owid_grapher(s, f, "nuclear_twh")
    total = o[srcs].sum(axis=1)
    o = o[total > 0].assign(value=lambda d: 100.0 * d["nuclear_twh"] / d[srcs].sum(axis=1))
    s.add(finish(o), "nuc_elec_share", "100 x `nuclear_twh` / sum of the nine sources: % of electricity from nuclear")
    s.notes.append("`nuc_elec_share` = nuclear / (sum of the nine generation sources), replacing the whole 2022 series "
                   "(2010-2020: correlation 0.9998 with the old share, mean absolute difference 0.05 points). 2024 covers "
                   "only the countries Ember/EI already report (about 90).")


def unhcr_v2(root: Path) -> None:
    s = src(id="unhcr", vintage=V2, release="UNHCR refugees R package 2025.12.1 (end-year stocks to 2025; shipped to 2024)",
            name="UNHCR Refugee Population Statistics Database, release 2025.12.1",
            citation="UNHCR Refugee Population Statistics Database (refugees R package 2025.12.1, Global Trends 2025)",
            licence="CC BY 4.0", url="https://www.unhcr.org/refugee-statistics/", non_commercial=False,
            origin=["shared/data/unhcr_population_statistics/unhcr_2025.12.1_by_geo_year_long.csv.gz (see its SOURCE.md)"])
    f = "unhcr_2025.12.1_by_geo_year_long.csv.gz"
    u = pd.read_csv(root / "unhcr_population_statistics" / f)
    u["entity"] = iso_codes(s, f"{f} (geo)", u["geo"])
    u = u.rename(columns={"year": "period"})
    s.add(finish(u[u["indicator"] == "population_left"]), "displaced_origin",
          "`population_left`: persons of concern originating from the country — per capita via denominator pop")
    s.add(finish(u[u["indicator"] == "population_arrived"]), "displaced_hosted",
          "`population_arrived`: persons of concern hosted in the country — per capita via denominator pop")
    s.notes.append("Same concept as the 2019 snapshot (incl. other people in need of international protection, `oip`); "
                   "UNHCR revises past years, so the whole series is replaced. End-2025 stocks are after the panel's last "
                   "year (2024) and are not shipped.")


OWID_X = {  # framework code -> (file, value column, unit)
    "elec_access": ("owid_access_to_electricity_2026-03.csv.gz", "elec_access_pct",
                    "% of population with access to electricity (WDI EG.ELC.ACCS.ZS, SDG 7.1.1)"),
    "undernourishment": ("owid_prevalence_of_undernourishment_sdg211_2026-04.csv.gz", "undernourishment_pct",
                         "prevalence of undernourishment, % of population (FAO, SDG 2.1.1; 2.5 = '<2.5')"),
    "red_list": ("owid_red_list_index_sdg1551_2025-02.csv.gz", "red_list_index",
                 "Red List Index 0-1 (IUCN/BirdLife, SDG 15.5.1; 1 = no species threatened)"),
    "rd_gdp": ("owid_research_spending_gdp_2024-06.csv.gz", "rd_expenditure_pct_gdp",
               "research and development expenditure, % of GDP (UNESCO UIS via WDI, SDG 9.5.1)"),
    "water_stress": ("owid_water_stress_sdg642_2026-04.csv.gz", "water_stress_pct",
                     "freshwater withdrawal as % of available freshwater resources (FAO AQUASTAT, SDG 6.4.2)"),
    "pm25": ("owid_pm25_sdg1162_2025-06.csv.gz", "pm25_ugm3",
             "annual mean PM2.5, micrograms per m3, population-weighted (WHO 2022 estimates, SDG 11.6.2)"),
    "kba_protected": ("owid_protected_terrestrial_kba_sdg1512_2025-02.csv.gz", "kba_terrestrial_protected_pct",
                      "% of terrestrial Key Biodiversity Areas covered by protected areas (SDG 15.1.2)"),
}


def un_sdg_v2(root: Path) -> None:
    s = src(id="un_sdg", vintage=V2, release="OWID copies (2024-06 to 2026-04) of the UN SDG database / WDI series",
            name="UN SDG / FAO / IUCN / WHO / UNESCO / WDI series via Our World in Data (2024-2026 downloads)",
            citation="United Nations Statistics Division, Global SDG Indicators Database; FAO; IUCN/BirdLife; WHO; "
                     "UNESCO UIS; World Bank WDI — via Our World in Data grapher exports",
            licence="UN terms of use / producers' terms (FAO CC BY 4.0, WDI CC BY 4.0, UNESCO CC BY-SA 3.0 IGO, IUCN and "
                    "UNEP-WCMC restrict commercial use): free with attribution", url="https://ourworldindata.org",
            non_commercial=False,
            origin=["shared/data/owid_grapher_extracts/ (one OWID grapher export per series; origin repository and "
                    "commit per file in its SOURCE.md)"] + [f"{k}: {v[0]}" for k, v in OWID_X.items()])
    for ind, (f, col, unit) in OWID_X.items():
        x = owid_grapher(s, root / "owid_grapher_extracts" / f, col)
        s.add(finish(x), ind, f"`{col}`: {unit}")
    s.notes.append("Every series is a newer release of the same producer series (FAO re-estimates undernourishment in each "
                   "SOFI report, IUCN back-casts the Red List Index, WHO re-modelled PM2.5 in 2022, AQUASTAT revises water "
                   "stress): each replaces its 2020-snapshot series whole. `undernourishment`: OWID writes FAO's '<2.5' as "
                   "2.5 (the snapshot's '<2.5' text had been dropped), so 2.5 means 'at most 2.5 %'. `pm25` still ends "
                   "in 2019 (no newer WHO release staged). `researchers` and `mobile_4g` have no newer copy: they stay "
                   "vintage 1.")


def gapminder_v2(root: Path) -> None:
    s = src(id="gapminder", vintage=V2, release="FAO food balances (OWID 2026-03, to 2023); ILO modelled unemployment "
            "(WDI via OWID 2025-05, to 2023)", name="FAO and ILO (modelled) series via Our World in Data",
            citation="FAO Food Balances (OWID 'Daily calorie supply per person'); ILO modelled estimates via World Bank WDI "
                     "SL.UEM.TOTL.ZS (OWID 'Unemployment rate')", licence="CC BY 4.0",
            url="https://ourworldindata.org", non_commercial=False,
            origin=["shared/data/owid_grapher_extracts/owid_daily_caloric_supply_2026-03.csv.gz (minh-phung/generalized-"
                    "additive-model-and-life-expectancy @ dcdd9cff9ecc944baaea780c79ea8443b6bbe2c7)",
                    "shared/data/owid_grapher_extracts/owid_unemployment_rate_ilo_modelled_2025-05.csv.gz "
                    "(yaseminm-koc/DSA210-Project @ c173dc6034e23ac7da7981e5b913b8dc05594b5b)"])
    k = owid_grapher(s, root / "owid_grapher_extracts/owid_daily_caloric_supply_2026-03.csv.gz", "kcal_per_person_day")
    s.add(finish(k), "food_kcal", "`kcal_per_person_day`: kcal per person per day (FAO Food Balances)")
    u = owid_grapher(s, root / "owid_grapher_extracts/owid_unemployment_rate_ilo_modelled_2025-05.csv.gz",
                     "unemployment_pct_ilo_modelled")
    s.add(finish(u), "unemployment", "`unemployment_pct_ilo_modelled`: % of labour force 15+, ILO modelled estimate "
          "(WDI SL.UEM.TOTL.ZS)")
    s.notes.append("**Definition change:** `unemployment` is now the ILO *modelled* estimate (about 185 countries every "
                   "year 1991-2023) for all countries, replacing the ILO national estimates of vintage 1 (104 countries in "
                   "2023): the indicator is replaced whole, never mixed country by country.")
    s.notes.append("`food_kcal`: FAO food balances to 2023 (new FBS methodology from 2010), replacing the Gapminder copy.")


def imf_weo_v2(root: Path) -> None:
    s = src(id="imf_weo", vintage=V2, release="WEO October 2024 (actuals/estimates to 2023; 2024+ projections dropped)",
            last_actual=2023, name="IMF World Economic Outlook database, October 2024",
            citation="International Monetary Fund, World Economic Outlook Database, October 2024 (via the imfweo R "
                     "package cache, Teal-Insights/r-imfweo)",
            licence="IMF copyright and usage terms: free with attribution, non-commercial reuse",
            url="https://www.imf.org/en/Publications/WEO", non_commercial=True,
            origin=["shared/data/imf_weo/weo_2024oct_by_country_year_long.csv.gz",
                    "upstream: Teal-Insights/r-imfweo @ 401401aab02fbb1d177f5844d9d5723c80da98bf, imfweo.parquet"])
    f = "weo_2024oct_by_country_year_long.csv.gz"
    w = pd.read_csv(root / "imf_weo" / f)
    w["entity"] = iso_codes(s, f"{f} (country)", w["country"])
    w = w.rename(columns={"year": "period"})
    for ind, col, unit in (("gov_debt", "ggxwdg_ngdp", "general government gross debt, % of GDP"),
                           ("fiscal_balance", "ggxcnl_ngdp", "general government net lending (+) / borrowing (-), % of GDP")):
        s.add(finish(w[w["indicator"] == col], last=s.last_actual), ind, f"`{col}`: {unit}")
    s.notes.append("Projection cut-off: in the October 2024 WEO, 2024 is a current-year projection and 2025-2029 are "
                   "forecasts; the file carries no per-country 'estimates start after' column, so every year after 2023 "
                   "is dropped for every country (2023 = actual or IMF estimate). Replaces the April 2019 vintage whole "
                   "(2021-2023 debt correlates only 0.83-0.90 with the 2019 projections).")


def benchmarks_v2(root: Path) -> None:
    s = src(id="benchmarks", vintage=V2, release="ND-GAIN 2022 release (to 2020); FSI and GPI unchanged",
            name="Composite benchmark indices: ND-GAIN 2022 release",
            citation="University of Notre Dame Global Adaptation Index, 2022 release (Chen et al. 2015 method)",
            licence="free for non-commercial use with attribution (FfP, IEP, ND-GAIN terms)",
            url="https://gain.nd.edu", non_commercial=True,
            origin=["shared/data/nd_gain/nd_gain_2022release_1995_2020_long.csv.gz (see its SOURCE.md)"])
    f = "nd_gain_2022release_1995_2020_long.csv.gz"
    n = pd.read_csv(root / "nd_gain" / f)
    n = n[(n["indicator"] == "gain") & (n["kind"] == "index")]
    n["entity"] = iso_codes(s, f"{f} (ISO3)", n["ISO3"])
    s.add(finish(n.rename(columns={"year": "period"})), "bench_ndgain",
          "ND-GAIN index 0-100 (higher = better prepared / less vulnerable), 2022 release")
    s.notes.append("ND-GAIN recomputes the whole series in each release: the 2022 release replaces the 2016 one whole.")


def itu_gci(root: Path) -> None:
    s = src(id="itu_gci", vintage=V2, release="ITU Global Cybersecurity Index, editions 2014, 2017, 2018, 2020, 2024",
            name="ITU Global Cybersecurity Index (GCI), editions 2014-2024",
            citation="International Telecommunication Union, Global Cybersecurity Index 2014, 2017, 2018, 2020 and 2024 "
                     "(5th edition); transcription in tjmisko/sspi-data-webapp",
            licence="(c) ITU: free to reuse with attribution", url="https://www.itu.int/en/ITU-D/Cybersecurity/Pages/"
            "global-cybersecurity-index.aspx", non_commercial=False,
            origin=["shared/data/itu_gci/itu_gci_2014_2024_long.csv",
                    "upstream: tjmisko/sspi-data-webapp @ 24651797225ecf33163c33184c6d99bbcce0e2c9, "
                    "local/CYBSEC/gci-local-indicator-summary.csv (manual transcription of the ITU reports)"])
    g = pd.read_csv(root / "itu_gci/itu_gci_2014_2024_long.csv")
    g["entity"] = iso_codes(s, "itu_gci_2014_2024_long.csv (iso3)", g["iso3"])
    g = g.rename(columns={"edition": "period", "score_0_100": "value"})
    s.add(finish(g), "cyber_gci_score", "GCI score on 0-100 as published (2020, 2024) or x 100 (2014, 2017, 2018 editions "
          "published on 0-1); levels are not comparable across editions")
    pct = g.dropna(subset=["entity", "value"]).copy()
    pct["value"] = 100.0 * pct.groupby("period")["value"].rank(pct=True, method="average")
    s.add(finish(pct), "cyber_gci", "percentile of the GCI score among the countries of the same edition, 0-100 "
          "(average rank of ties / countries assessed x 100; higher = more cybersecurity commitment)")
    s.notes.append("Editions, not years: period = edition year (2014, 2017, 2018, 2020, 2024; the 2024 edition was collected "
                   "2023-24). No value is shipped between editions; the pipeline interpolates between editions within the "
                   "recipe's limit (linear, at most 10 years) like any gap.")
    s.notes.append("Scales and method changes: the 2014-2018 editions are published on 0-1 and are rescaled x 100; each "
                   "edition changed questionnaire and weights (2014: 17 indicators; 2017/2018: 25; 2020: 82 questions; "
                   "2024: 83 questions, five pillars), so the framework uses `cyber_gci`, the within-edition percentile, "
                   "which is comparable across editions; `cyber_gci_score` keeps the published score.")


# ----------------------------------------------------------------------------- writers
def coverage(df: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for ind, x in df.groupby("indicator"):
        per = x.groupby("period")["entity"].nunique()
        rows.append(dict(indicator=ind, entities=x["entity"].nunique(), first=int(x["period"].min()),
                         last=int(x["period"].max()), rows=len(x),
                         ent_2010_2020=x.loc[x["period"].between(2010, 2020), "entity"].nunique(),
                         max_year_2015_2020=int(per.loc[2015:2020].max()) if len(per.loc[2015:2020]) else 0))
    return pd.DataFrame(rows)


def md_table(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    out += ["| " + " | ".join(str(v) for v in r) + " |" for r in df.itertuples(index=False)]
    return "\n".join(out)


def write_source(s: Src, out: Path) -> dict:
    df = pd.concat(s.frames, ignore_index=True)
    df = df[["entity", "period", "indicator", "value"]]
    df["entity"] = df["entity"].astype(str)
    df["period"] = df["period"].astype("int64")
    df["indicator"] = df["indicator"].astype(str)
    df["value"] = df["value"].astype("float64")
    df = df[np.isfinite(df["value"])]
    dup = df.duplicated(["entity", "period", "indicator"])
    if dup.any():
        raise SystemExit(f"{s.id}: duplicate keys {df[dup].head()}")
    df = df.sort_values(["indicator", "entity", "period"]).reset_index(drop=True)
    d = out / s.id
    d.mkdir(parents=True, exist_ok=True)
    df.to_parquet(d / f"{s.id}.parquet", index=False, compression="zstd")
    cov = coverage(df)
    cov.insert(1, "unit / definition", cov["indicator"].map(s.units))
    lines = [f"# {s.name}", "",
             f"- **Shipped file:** `{s.id}.parquet` — long table `entity` (ISO3), `period` (year), `indicator`, `value` (float64).",
             f"- **Rows:** {len(df):,}; **entities:** {df['entity'].nunique()}; **years:** {df['period'].min()}–{df['period'].max()}.",
             f"- **Licence:** {s.licence}{' — **non-commercial use only**' if s.non_commercial else ''}.",
             f"- **Citation:** {s.citation}.", f"- **URL:** {s.url}", "", "## Origin", ""]
    lines += [f"- {o}" for o in s.origin]
    lines += ["", "Curated by `tools/curate.py` (years 1990–2024, ISO3 via country_converter; no imputation).", "",
              "## Indicators and coverage", "",
              "`ent_2010_2020` = entities with at least one value in 2010–2020; `max_year_2015_2020` = most entities in a "
              "single year 2015–2020.", "", md_table(cov), ""]
    if s.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in s.notes] + [""]
    lines += ["## Dropped keys (aggregates, regions, historical or unmatched names)", ""]
    if s.dropped:
        for origin, keys in s.dropped.items():
            lines.append(f"- {origin}: {len(keys)} — " + ", ".join(f"`{k}`" for k in keys))
    else:
        lines.append("- none")
    (d / "SOURCE.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{s.id}: {len(df):,} rows, {df['entity'].nunique()} entities, {df['indicator'].nunique()} indicators")
    return dict(id=s.id, file=f"{s.id}/{s.id}.parquet", name=s.name, citation=s.citation, licence=s.licence,
                url=s.url, non_commercial=bool(s.non_commercial), indicators=sorted(df["indicator"].unique()))


def _frame(s: Src) -> pd.DataFrame:
    df = pd.concat(s.frames, ignore_index=True)[["entity", "period", "indicator", "value"]]
    df = df.astype({"entity": str, "period": "int64", "indicator": str, "value": "float64"})
    df = df[np.isfinite(df["value"])]
    if df.duplicated(["entity", "period", "indicator"]).any():
        raise SystemExit(f"{s.id}: duplicate keys {df[df.duplicated(['entity', 'period', 'indicator'])].head()}")
    return df


def write_later(s: Src, out: Path, prev: pd.DataFrame | None) -> tuple[dict, pd.DataFrame]:
    """Write shipped vintage ``s.vintage`` of a source: the re-curated indicators whole, plus a withdrawal
    row (value NaN) for every key of those indicators that the earlier vintages hold and this release
    does not, so that the store's latest values are this release alone (never a splice)."""
    df = _frame(s)
    withdrawn = pd.DataFrame(columns=df.columns).astype(df.dtypes.to_dict())
    if prev is not None and len(prev):
        old = prev[prev["indicator"].isin(set(df["indicator"]))]
        keys = ["entity", "period", "indicator"]
        gone = old.merge(df[keys], on=keys, how="left", indicator=True)
        withdrawn = gone.loc[gone["_merge"] == "left_only", keys].assign(value=np.nan)
    full = pd.concat([df, withdrawn], ignore_index=True).sort_values(["indicator", "entity", "period"])
    full = full.reset_index(drop=True).astype({"period": "int64", "value": "float64"})
    d = out / s.id
    d.mkdir(parents=True, exist_ok=True)
    name = f"{s.id}.v{s.vintage}.parquet"
    full.to_parquet(d / name, index=False, compression="zstd")
    cov = coverage(df)
    cov.insert(1, "unit / definition", cov["indicator"].map(s.units))
    wd = withdrawn.groupby("indicator").size() if len(withdrawn) else pd.Series(dtype=int)
    cov["withdrawn"] = cov["indicator"].map(wd).fillna(0).astype(int)
    lines = [f"## Shipped vintage {s.vintage}: {s.release}", "",
             f"- **Shipped file:** `{name}` — same long layout; rows with an empty `value` withdraw an earlier "
             "vintage's value (a key this release no longer has).",
             f"- **Rows:** {len(df):,} values + {len(withdrawn):,} withdrawals; **entities:** {df['entity'].nunique()}; "
             f"**years:** {df['period'].min()}–{df['period'].max()}"
             + (f"; years after {s.last_actual} (projections) dropped." if s.last_actual else "."),
             f"- **Release:** {s.name}. **Licence:** {s.licence}{' — **non-commercial use only**' if s.non_commercial else ''}.",
             f"- **Citation:** {s.citation}.", f"- **URL:** {s.url}", "", "### Origin", ""]
    lines += [f"- {o}" for o in s.origin]
    lines += ["", "### Indicators and coverage", "",
              "`withdrawn` = keys of the earlier vintage that this release does not have (withdrawn, not kept).", "",
              md_table(cov), ""]
    if s.notes:
        lines += ["### Notes", ""] + [f"- {n}" for n in s.notes] + [""]
    lines += ["### Dropped keys (aggregates, regions, historical or unmatched codes)", ""]
    lines += ([f"- {o}: {len(k)} — " + ", ".join(f"`{x}`" for x in k) for o, k in s.dropped.items()] or ["- none"])
    md = d / "SOURCE.md"
    if prev is None:  # a source first shipped in this vintage
        head = [f"# {s.name}", "", f"First shipped in vintage {s.vintage}.", "",
                "Curated by `tools/curate.py` (ISO3 via country_converter; no imputation).", ""]
        md.write_text("\n".join(head + lines) + "\n", encoding="utf-8")
    else:
        md.write_text(md.read_text(encoding="utf-8") + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{s.id} vintage {s.vintage}: {len(df):,} rows, {len(withdrawn):,} withdrawals, "
          f"{df['entity'].nunique()} entities, {df['indicator'].nunique()} indicators")
    entry = dict(vintage=s.vintage, file=f"{s.id}/{name}", release=s.release, name=s.name, citation=s.citation,
                 indicators=sorted(df["indicator"].unique()), withdrawn=int(len(withdrawn)))
    if s.last_actual:
        entry["last_actual_year"] = int(s.last_actual)
    return entry, full


def effective(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Latest value per key over vintages in order (a NaN row withdraws the key) — the store's rule."""
    df = pd.concat(frames, ignore_index=True).drop_duplicates(["entity", "period", "indicator"], keep="last")
    return df.dropna(subset=["value"]).reset_index(drop=True)


def gdl(root: Path, out: Path) -> dict:
    d0 = root / "gdl_subnational_hdi"
    x = pd.read_csv(d0 / "shdi_by_subnat_year_long.csv.gz")
    keep = {"shdi": "subnational HDI 0-1", "healthindex": "health index 0-1", "edindex": "education index 0-1",
            "incindex": "income index 0-1", "lifexp": "life expectancy at birth, years", "pop": "population, millions"}
    x = x[x["indicator"].isin(keep) & (x["year"] >= 2000)]
    ent = pd.read_csv(d0 / "ddf--entities--level--subnat.csv")
    nat = pd.read_csv(d0 / "ddf--entities--level--national.csv")
    ent["parent"] = ent["gdlcode"].str[:3].str.upper().map(lambda c: WB_FIX.get(c, c))
    bad = ent[~ent["parent"].isin(ISO3)]
    if len(bad):
        print(f"  [gdl] regions whose parent code is not ISO3: {sorted(bad['parent'].unique())}")
    code = dict(zip(ent["subnat"], ent["gdlcode"]))
    x = x.assign(entity=x["subnat"].map(code), period=x["year"].astype("int64"))
    x["value"] = pd.to_numeric(x["value"], errors="coerce").astype("float64")
    x = x.dropna(subset=["entity", "value"])[["entity", "period", "indicator", "value"]]
    x = x[x["entity"].isin(ent.loc[ent["parent"].isin(ISO3), "gdlcode"])]
    d = out / "gdl_subnational_hdi"
    d.mkdir(parents=True, exist_ok=True)
    x = x.sort_values(["indicator", "entity", "period"]).reset_index(drop=True)
    x.to_parquet(d / "gdl_subnational_hdi.parquet", index=False, compression="zstd")
    e = ent[ent["parent"].isin(ISO3)].rename(columns={"gdlcode": "entity"})[["entity", "name", "parent"]]
    e.insert(2, "entity_type", "region")
    e.to_parquet(d / "entities.parquet", index=False, compression="zstd")
    cov = coverage(x.rename(columns={}))
    cov.insert(1, "unit", cov["indicator"].map(keep))
    md = ["# Global Data Lab Subnational Human Development Index (SHDI) — sub-national layer", "",
          "- **Shipped files:** `gdl_subnational_hdi.parquet` (long: `entity` = GDL region code e.g. `AFGr101`, "
          "`period`, `indicator`, `value`), `entities.parquet` (`entity`, `name`, `entity_type`=\"region\", `parent` = ISO3).",
          f"- **Rows:** {len(x):,}; **regions:** {x['entity'].nunique()} in {e['parent'].nunique()} countries; "
          f"**years:** {x['period'].min()}–{x['period'].max()} (2000 onward to keep the package small).",
          "- **Licence:** GDL data free to use with citation (CC BY 4.0 article); attribution required.",
          "- **Citation:** Smits, J. & Permanyer, I. (2019) The Subnational Human Development Database, Scientific Data 6:190038.",
          "- **URL:** https://globaldatalab.org/shdi/", "", "## Origin", "",
          "- shared/data/gdl_subnational_hdi/shdi_by_subnat_year_long.csv.gz and ddf--entities--level--subnat.csv",
          "- upstream: open-numbers/ddf--gdl--shdi @ 044b3e07d16d0e68f9515df89c67018c75e7d7ed (SHDI v4-era, 1990–2019)",
          "", "## Indicators and coverage", "", md_table(cov), "",
          "## Dropped keys", "",
          f"- national rows (`{len(nat)}` national entities) are not shipped here: the country panel uses other sources.",
          "- regions whose code prefix is not an ISO3 code: " + (", ".join(sorted(bad["gdlcode"])) or "none"), ""]
    (d / "SOURCE.md").write_text("\n".join(md), encoding="utf-8")
    print(f"gdl_subnational_hdi: {len(x):,} rows, {x['entity'].nunique()} regions")
    return dict(id="gdl_subnational_hdi", file="gdl_subnational_hdi/gdl_subnational_hdi.parquet",
                entities="gdl_subnational_hdi/entities.parquet",
                name="Global Data Lab Subnational Human Development Index (SHDI)",
                citation="Smits, J. & Permanyer, I. (2019) The Subnational Human Development Database, Scientific Data 6:190038",
                licence="free with attribution (GDL; CC BY 4.0 article)", url="https://globaldatalab.org/shdi/",
                non_commercial=False, indicators=sorted(keep))


def entities(root: Path, out: Path, used: set[str]) -> None:
    g = pd.read_csv(root / "gapminder_systema_globalis/ddf--entities--geo--country.csv")
    inc = dict(zip(g["iso3166_1_alpha3"].str.upper(), g["income_groups"]))
    rows = []
    data = CCDATA.drop_duplicates("ISO3").set_index("ISO3")
    for e in sorted(used):
        r = data.loc[e]
        rows.append(dict(entity=e, name=r["name_short"], entity_type="country", parent=None,
                         continent=r["continent"], un_region=r["UNregion"],
                         income_group=inc.get(e) if isinstance(inc.get(e), str) else None))
    df = pd.DataFrame(rows)
    df["parent"] = df["parent"].astype("object")
    df.to_parquet(out / "entities.parquet", index=False, compression="zstd")
    print(f"entities.parquet: {len(df)} countries; income group for {df['income_group'].notna().sum()}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("shared", nargs="?", default=str(REPO.parent / "shared" / "data"),
                    help="path to shared/data (default ../shared/data relative to the repo)")
    ap.add_argument("--out", default=str(REPO / "src/holisec/data/shipped"))
    a = ap.parse_args(argv)
    root, out = Path(a.shared).resolve(), Path(a.out)
    if not (root / "README.md").exists():
        sys.exit(f"{root}: not the shared data folder (no README.md)")
    out.mkdir(parents=True, exist_ok=True)
    for reader in (gapminder, wgi, vdem, owid, owid_energy, unhcr, un_sdg, epr, imf_weo, benchmarks):
        print(f"== {reader.__name__}")
        reader(root)
    for reader in (gapminder_v2, wgi_v2, vdem_v2, owid_v2, owid_energy_v2, unhcr_v2, un_sdg_v2, imf_weo_v2,
                   benchmarks_v2, itu_gci):
        print(f"== {reader.__name__} (shipped vintage {V2})")
        reader(root)
    manifest, used, state = [], set(), {}
    for s in SOURCES.values():
        m = write_source(s, out)
        first = dict(vintage=1, file=m["file"], release=s.release or m["name"], indicators=m["indicators"])
        if s.last_actual:
            first["last_actual_year"] = int(s.last_actual)
        m["vintages"] = [first]
        manifest.append(m)
        state[s.id] = pd.read_parquet(out / m["file"])
        used |= set(state[s.id]["entity"])
    by_id = {m["id"]: m for m in manifest}
    for vintage in sorted(LATER):
        for s in LATER[vintage].values():
            prev = state.get(s.id)
            entry, frame = write_later(s, out, prev)
            state[s.id] = effective([prev, frame]) if prev is not None else effective([frame])
            used |= set(frame["entity"])
            if s.id not in by_id:  # first shipped in this vintage
                by_id[s.id] = dict(id=s.id, file=entry["file"], name=s.name, citation=s.citation, licence=s.licence,
                                   url=s.url, non_commercial=bool(s.non_commercial), indicators=[], vintages=[])
                manifest.append(by_id[s.id])
            m = by_id[s.id]
            m["vintages"].append(entry)
            m["indicators"] = sorted(set(m["indicators"]) | set(entry["indicators"]))
    manifest.append(gdl(root, out))
    entities(root, out, used)
    # keep entries other curation scripts (e.g. tools/curate_outcomes.py) added for their own folders
    mine = {m["id"] for m in manifest}
    if (out / "manifest.yaml").exists():
        old = yaml.safe_load((out / "manifest.yaml").read_text(encoding="utf-8")) or {}
        manifest += [m for m in old.get("sources", []) if m.get("id") not in mine]
    (out / "manifest.yaml").write_text(
        "# Shipped real data of holisec, written by tools/curate.py — one folder per source. `vintages` are loaded in\n"
        "# order (every source's vintage 1, then every vintage 2, ...): each later file adds a vintage in the store.\n"
        + yaml.safe_dump({"sources": manifest}, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"total shipped size: {size / 1e6:.2f} MB, {len(used)} country entities")


if __name__ == "__main__":
    main()
