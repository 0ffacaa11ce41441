"""Harmonise country names and codes to ISO3, keeping aggregates and unknowns apart.

Accepted keys: ISO3 (any case, plus World Bank quirks such as ``ROM``/``ZAR``/``KSV``), ISO2,
names and spelling variants (``country_converter`` regexes), Gleditsch-Ward ``gwcode`` and
Correlates-of-War ``ccode``. Only the unique values are converted; rows are then mapped.

Historic states map to their successor (GFR -> DEU, Yugoslavia -> SRB, Yemen Arab Rep. -> YEM,
DR Vietnam -> VNM, Soviet Union -> RUS): the usual convention for country-year panels.

Aggregates (World, regions, income and lending groups, ``OWID_*`` codes, World Bank aggregate
codes such as ``WLD``, ``EUU``, ``HIC``, ``LMY``, ``SSF``, ``EAS``) are returned separately.
"""
from __future__ import annotations

import difflib
import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Literal

import pandas as pd

Key = Literal["auto", "iso3", "iso2", "name", "gwcode", "ccode"]

#: World Bank aggregate codes and names (WDI "Country" entries that are not economies).
WB_AGGREGATES: dict[str, str] = {
    "AFE": "Africa Eastern and Southern", "AFW": "Africa Western and Central", "ARB": "Arab World",
    "CEB": "Central Europe and the Baltics", "CSS": "Caribbean small states",
    "EAP": "East Asia & Pacific (excluding high income)", "EAR": "Early-demographic dividend",
    "EAS": "East Asia & Pacific", "ECA": "Europe & Central Asia (excluding high income)",
    "ECS": "Europe & Central Asia", "EMU": "Euro area", "EUU": "European Union",
    "FCS": "Fragile and conflict affected situations", "HIC": "High income",
    "HPC": "Heavily indebted poor countries (HIPC)", "IBD": "IBRD only", "IBT": "IDA & IBRD total",
    "IDA": "IDA total", "IDB": "IDA blend", "IDX": "IDA only", "INX": "Not classified",
    "LAC": "Latin America & Caribbean (excluding high income)", "LCN": "Latin America & Caribbean",
    "LDC": "Least developed countries: UN classification", "LIC": "Low income",
    "LMC": "Lower middle income", "LMY": "Low & middle income", "LTE": "Late-demographic dividend",
    "MEA": "Middle East, North Africa, Afghanistan & Pakistan", "MIC": "Middle income",
    "MNA": "Middle East, North Africa, Afghanistan & Pakistan (excluding high income)",
    "NAC": "North America", "OED": "OECD members", "OSS": "Other small states",
    "PRE": "Pre-demographic dividend", "PSS": "Pacific island small states",
    "PST": "Post-demographic dividend", "SAS": "South Asia",
    "SSA": "Sub-Saharan Africa (excluding high income)", "SSF": "Sub-Saharan Africa",
    "SST": "Small states", "TEA": "East Asia & Pacific (IDA & IBRD countries)",
    "TEC": "Europe & Central Asia (IDA & IBRD countries)",
    "TLA": "Latin America & the Caribbean (IDA & IBRD countries)",
    "TMN": "Middle East & North Africa (IDA & IBRD countries)", "TSA": "South Asia (IDA & IBRD)",
    "TSS": "Sub-Saharan Africa (IDA & IBRD countries)", "UMC": "Upper middle income", "WLD": "World",
}
_EXTRA_AGG_NAMES = {
    "world": "WLD", "middle east & north africa": "MEA", "middle east and north africa": "MEA",
    "europe and central asia": "ECS", "east asia and pacific": "EAS", "latin america and caribbean": "LCN",
    "latin america and the caribbean": "LCN", "european union (27)": "EUU", "euro area": "EMU",
    "high-income countries": "HIC", "low-income countries": "LIC", "lower-middle-income countries": "LMC",
    "upper-middle-income countries": "UMC", "low and middle income": "LMY", "middle-income countries": "MIC",
}
#: Continents and other region names seen in OWID, UN and Gapminder files.
_REGION_NAMES = {
    "africa", "asia", "europe", "oceania", "americas", "north america", "south america",
    "latin america", "central america", "caribbean", "central asia", "eastern africa", "western africa",
    "northern africa", "southern africa", "middle africa", "eastern asia", "south-eastern asia",
    "southern asia", "western asia", "eastern europe", "northern europe", "southern europe",
    "western europe", "australia and new zealand", "melanesia", "micronesia (region)", "polynesia",
    "asia and pacific", "middle east", "sub-saharan africa", "north africa", "east asia", "south asia",
    "southeast asia", "european union", "g20", "g7", "opec", "oecd", "non-oecd", "arab states",
}
_AGG_PATTERN = re.compile(
    r"\((?:UN|WB|WHO|FAO|GCP|EI|Ember|Shift|BP|IEA|EIA|IMF|OWID|UNHCR|ILO)\)|\(excluding|\bincome\b"
    r"|\bIDA\b|\bIBRD\b|\bHIPC\b|dividend|small states|\bOECD\b|^world\b|\(total\)|\bregion\b"
    r"|\bcountries\b|\beconomies\b|\bEU-?\d\d\b|^EU\s*\(|&\s*Pacific|Asia\s*&|Africa\s*&",
    re.IGNORECASE,
)
#: OWID codes for historic or disputed units (not aggregates, not ISO3): reported as unmatched.
_OWID_NOT_AGG = {"OWID_CZS", "OWID_USS", "OWID_YGS", "OWID_SRM", "OWID_CYN", "OWID_SML", "OWID_ABK",
                 "OWID_SOS", "OWID_TRS", "OWID_NCY"}
#: Non-standard ISO3-like codes used by the World Bank, WGI and others.
ISO3_ALIASES = {"ROM": "ROU", "ZAR": "COD", "TMP": "TLS", "KSV": "XKX", "XKV": "XKX", "WBG": "PSE",
                "ADO": "AND", "OWID_KOS": "XKX", "SCG": "SRB", "YUG": "SRB", "SUN": "RUS", "DDR": "DEU"}
# Gleditsch-Ward corrections/additions to country_converter's GWcode column (successor convention).
_GW_FIX = {816: "VNM", 817: None, 678: "YEM", 680: None, 345: "SRB", 265: None}
# Correlates of War codes that differ from Gleditsch-Ward.
_COW_FIX = {255: "DEU", 260: "DEU", 345: "SRB", 340: None, 679: "YEM", 678: "YEM", 680: None, 265: None,
            816: "VNM", 817: None}


@dataclass
class HarmoniseResult:
    """Outcome of :func:`harmonise`, aligned with the input.

    ``codes``: ISO3 or NA per input row. ``aggregate_codes``: the aggregate's code (e.g. ``WLD``,
    ``OWID_WRL``, or its name if it has no code) or NA. ``aggregates`` / ``unmatched``: the
    distinct input values recognised as aggregates / not recognised at all.
    """

    codes: pd.Series
    aggregates: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    aggregate_codes: pd.Series | None = None


@contextmanager
def _quiet_coco():
    log = logging.getLogger("country_converter")
    old = log.level
    log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        log.setLevel(old)


@lru_cache(maxsize=1)
def _tables():
    """Country table and the converter (built once; works around pandas-3 NA parsing of 'NA')."""
    import country_converter as coco

    must_str = ["name_short", "name_official", "regex", "ISO2", "ISO3", "continent", "UNregion",
                "EXIO1", "EXIO2", "EXIO3", "WIOD"]
    na = sorted({"", "#N/A", "N/A", "NULL", "NaN", "nan", "n/a", "null", "None", "<NA>"})
    with resources.as_file(resources.files("country_converter") / "country_data.tsv") as p:
        data = pd.read_csv(p, sep="\t", dtype=str, keep_default_na=False, na_values=na)
    for c in must_str:
        data[c] = data[c].fillna("").astype(object)
    data = data.astype({c: object for c in data.columns})
    int_cols = ["ISOnumeric", "UNcode", "FAOcode", "GBDcode", "EURO", "UN", "UNmember", "obsolete", "GEOnumeric"]
    for c in int_cols:
        if c in data:
            data[c] = pd.to_numeric(data[c], errors="coerce").astype("Int64")
    with _quiet_coco():
        conv = coco.CountryConverter(country_data=data)
    cur = conv.data
    iso3 = cur["ISO3"].str.upper()
    iso2 = pd.Series(iso3.values, index=cur["ISO2"].str.upper()).loc[lambda s: s.index != ""]
    names = pd.Series(cur["name_short"].values, index=iso3.values)
    gw = pd.to_numeric(cur["GWcode"], errors="coerce")
    gw_map = {int(g): i for g, i in zip(gw, iso3) if pd.notna(g)}
    for k, v in _GW_FIX.items():
        gw_map.pop(k, None) if v is None else gw_map.__setitem__(k, v)
    cow_map = dict(gw_map)
    for k, v in _COW_FIX.items():
        cow_map.pop(k, None) if v is None else cow_map.__setitem__(k, v)
    gw_map.setdefault(260, "DEU")
    return conv, set(iso3), iso2[~iso2.index.duplicated()], names[~names.index.duplicated()], gw_map, cow_map


def country_names(codes: pd.Series | list) -> pd.Series:
    """Short English names for ISO3 codes (NA where unknown)."""
    names = _tables()[3]
    return pd.Series(codes).map(names)


def _agg_name_code(text: pd.Series) -> pd.Series:
    """Aggregate code for values that are aggregate names, else NA."""
    low = text.str.casefold()
    by_name = {v.casefold(): k for k, v in WB_AGGREGATES.items()} | _EXTRA_AGG_NAMES
    code = low.map(by_name)
    named = low.isin(_REGION_NAMES) | text.str.contains(_AGG_PATTERN, na=False)
    return code.where(code.notna(), text.where(named))


def _resolve(uniq: pd.Series, key: str) -> pd.DataFrame:
    """Map unique stripped strings to (iso3, agg) columns; both NA = unmatched."""
    conv, iso3_set, iso2_map, _, gw_map, cow_map = _tables()
    up = uniq.str.upper()
    iso3 = pd.Series(pd.NA, index=uniq.index, dtype=object)
    agg = pd.Series(pd.NA, index=uniq.index, dtype=object)

    def fill(target, mask, values):
        m = mask & target.isna() & iso3.isna() & agg.isna()
        target[m] = values[m] if isinstance(values, pd.Series) else values
        return m

    if key in ("auto", "iso3", "name"):
        fill(agg, up.isin(set(WB_AGGREGATES)) & up.str.len().eq(3), up)
        owid = up.str.startswith("OWID_") & ~up.isin(_OWID_NOT_AGG | {"OWID_KOS"})
        fill(agg, owid, up)
    if key in ("auto", "iso3"):
        fill(iso3, up.isin(iso3_set), up)
        fill(iso3, up.isin(set(ISO3_ALIASES)), up.map(ISO3_ALIASES))
    if key in ("auto", "iso2"):
        fill(iso3, up.str.len().eq(2) & up.isin(set(iso2_map.index)), up.map(iso2_map))
    if key in ("auto", "gwcode", "ccode"):
        num = pd.to_numeric(uniq.where(uniq.str.fullmatch(r"\d+(\.0+)?")), errors="coerce")
        table = cow_map if key == "ccode" else gw_map
        fill(iso3, num.notna() & num.isin(list(table)), num.map(lambda v: table.get(int(v)) if pd.notna(v) else None))
    if key in ("auto", "name", "iso3"):
        names = _agg_name_code(uniq)
        fill(agg, names.notna(), names)
    if key in ("auto", "name"):
        rest = iso3.isna() & agg.isna() & ~up.str.startswith("OWID_") & ~uniq.str.fullmatch(r"[\d.]+")
        if rest.any():
            with _quiet_coco():
                out = conv.convert(list(uniq[rest]), src="regex", to="ISO3", not_found=None)
            out = pd.Series(out if isinstance(out, list) else [out], index=uniq.index[rest], dtype=object)
            ok = out.map(lambda v: isinstance(v, str) and v.upper() in iso3_set)
            iso3[out.index[ok.to_numpy(bool)]] = out[ok.to_numpy(bool)].str.upper()
    return pd.DataFrame({"iso3": iso3, "agg": agg})


def harmonise(values: pd.Series | list, key: Key = "auto") -> HarmoniseResult:
    """Convert country names/codes to ISO3, converting each distinct value once.

    ``key="auto"`` tries, per value: aggregate codes, ISO3 (any case), ISO2, numeric
    Gleditsch-Ward codes, aggregate names, then name regexes. Ambiguous names (matching
    several countries) are reported as unmatched. Missing values stay NA and are not reported.
    """
    if key not in ("auto", "iso3", "iso2", "name", "gwcode", "ccode"):
        raise ValueError(f"key must be one of auto, iso3, iso2, name, gwcode, ccode; got {key!r}")
    s = values if isinstance(values, pd.Series) else pd.Series(list(values))
    text = s.astype("string").str.strip()
    text = text.str.replace(r"\.0+$", "", regex=True) if pd.api.types.is_float_dtype(s) else text
    text = text.mask(text.eq(""))
    uniq = pd.Series(pd.unique(text.dropna().astype(object)), dtype=object)
    table = _resolve(uniq.astype("string"), key) if len(uniq) else pd.DataFrame({"iso3": [], "agg": []})
    table.index = uniq.to_numpy()
    codes = text.astype(object).map(table["iso3"]).astype("string")
    codes.index = s.index
    agg_codes = text.astype(object).map(table["agg"]).astype("string")
    agg_codes.index = s.index
    unmatched = table.index[table["iso3"].isna() & table["agg"].isna()]
    aggregates = table.index[table["agg"].notna()]
    return HarmoniseResult(codes=codes, aggregates=sorted(map(str, aggregates)),
                           unmatched=sorted(map(str, unmatched)), aggregate_codes=agg_codes)


@lru_cache(maxsize=1)
def _suggestion_keys() -> dict[str, str]:
    """casefolded short name / official name / ISO3 -> short name, for :func:`suggest`."""
    cur = _tables()[0].data
    keys: dict[str, str] = {}
    for col in ("ISO3", "name_official", "name_short"):  # short names win on a clash
        keys.update({str(k).casefold(): str(v) for k, v in zip(cur[col], cur["name_short"]) if str(k).strip()})
    return keys


def suggest(name: str, n: int = 3, cutoff: float = 0.6, spread: float = 0.1) -> list[str]:
    """Country short names closest to ``name``, best first: difflib ratio >= ``cutoff`` and
    within ``spread`` of the best match (so a clear winner comes alone).

    Compared against every country's short name, official name and ISO3 code, ignoring case:
    ``suggest("Germny") == ["Germany"]``, ``suggest("DEUU") == ["Germany"]``. Empty if nothing is close.
    """
    text = str(name).strip().casefold()
    if not text:
        return []
    keys = _suggestion_keys()
    scored = []
    for key in difflib.get_close_matches(text, list(keys), n=3 * n, cutoff=cutoff):
        scored.append((difflib.SequenceMatcher(None, text, key).ratio(), keys[key]))
    out: list[str] = []
    for score, short in scored:  # already best first
        if score >= scored[0][0] - spread and short not in out:
            out.append(short)
    return out[:n]


def did_you_mean(name: str) -> str:
    """``' (did you mean Germany?)'`` for a name close to a country, else ``''``."""
    found = suggest(name)
    return f" (did you mean {' or '.join(found)}?)" if found else ""
