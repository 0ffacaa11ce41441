"""The shipped real panel: schema, keys, coverage, vintages and provenance (no network, no ../shared)."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from holisec.framework import load_framework

SHIPPED = Path(str(resources.files("holisec.data") / "shipped"))
FIXTURES = Path(__file__).parents[1] / "fixtures"
MANIFEST = yaml.safe_load((SHIPPED / "manifest.yaml").read_text(encoding="utf-8"))["sources"]
COUNTRY = [m for m in MANIFEST if m["id"] != "gdl_subnational_hdi"]
FILES = [(m, v) for m in MANIFEST for v in (m.get("vintages") or [{"vintage": 1, "file": m["file"],
                                                                    "indicators": m["indicators"]}])]


def _effective(entry: dict) -> pd.DataFrame:
    """The latest value per key over a source's vintages in order (an empty value withdraws a key),
    with the vintage each value comes from — the store's rule (``Store.observations``)."""
    frames = [pd.read_parquet(SHIPPED / v["file"]).assign(vintage=int(v["vintage"])) for v in entry["vintages"]]
    df = pd.concat(frames, ignore_index=True).drop_duplicates(["entity", "period", "indicator"], keep="last")
    return df.dropna(subset=["value"]).reset_index(drop=True)
AGG = {"WLD", "EUU", "EAS", "ECS", "LCN", "MEA", "NAC", "SAS", "SSF", "HIC", "LIC", "LMC", "UMC", "OED", "ARB",
       "EMU", "EAP", "ECA", "LAC", "MNA", "SSA", "IDA", "IBRD", "LDC", "FCS"}


def _iso3() -> set[str]:
    p = resources.files("country_converter") / "country_data.tsv"
    with resources.as_file(p) as f:
        t = pd.read_csv(f, sep="\t", dtype=str, keep_default_na=False)
    return set(t["ISO3"]) - {""}


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    """The latest shipped country panel (every source's vintages applied in order)."""
    return pd.concat([_effective(m) for m in COUNTRY], ignore_index=True)


def test_manifest_entries():
    assert {"gapminder", "wgi", "vdem", "benchmarks", "gdl_subnational_hdi", "itu_gci"} <= {m["id"] for m in MANIFEST}
    for m in MANIFEST:
        for k in ("id", "file", "name", "citation", "licence", "url", "non_commercial"):
            assert k in m, (m.get("id"), k)
        assert isinstance(m["non_commercial"], bool)
        assert (SHIPPED / m["file"]).exists()
    for m in COUNTRY:
        numbers = [v["vintage"] for v in m["vintages"]]
        assert numbers == sorted(set(numbers)) and m["vintages"][0]["file"] == m["file"]
        assert all(v.get("release") for v in m["vintages"])


@pytest.mark.parametrize("m,v", FILES, ids=lambda x: x.get("id") or f"v{x.get('vintage', 1)}")
def test_parquet_schema(m, v):
    df = pd.read_parquet(SHIPPED / v["file"])
    assert list(df.columns) == ["entity", "period", "indicator", "value"]
    assert pd.api.types.is_string_dtype(df["entity"]) and pd.api.types.is_string_dtype(df["indicator"])
    assert df["period"].dtype == "int64"
    assert df["value"].dtype == "float64"
    assert not df.duplicated(["entity", "period", "indicator"]).any()
    assert df["period"].min() >= 1990 and df["period"].max() <= 2024
    assert sorted(df["indicator"].unique()) == sorted(v["indicators"])
    assert set(v["indicators"]) <= set(m["indicators"])
    empty = df[df["value"].isna()]
    if v.get("vintage", 1) == 1 or m["vintages"][0] is v:
        assert empty.empty, "the first vintage of a source has no withdrawals"
    else:  # an empty value only withdraws a key an earlier vintage gave
        earlier = pd.concat([pd.read_parquet(SHIPPED / w["file"]) for w in m["vintages"] if w["vintage"] < v["vintage"]])
        keys = ["entity", "period", "indicator"]
        assert len(empty.merge(earlier[keys], on=keys)) == len(empty) == v["withdrawn"]


def test_vintages_in_load_order():
    from holisec.data.shipped import vintages

    t = vintages()
    assert t["vintage"].is_monotonic_increasing
    assert set(t.loc[t["vintage"] == 2, "source"]) >= {"wgi", "vdem", "imf_weo", "unhcr", "un_sdg", "itu_gci", "owid"}
    assert t.loc[(t["source"] == "imf_weo") & (t["vintage"] == 1), "last_actual_year"].item() == 2018


def test_no_projection_in_the_latest_panel():
    """IMF WEO: no value of the latest shipped panel comes from a year after its release's last actual
    year (the April 2019 WEO's 2019-2023 values were projections); published facts: the COVID deficits."""
    weo = next(m for m in MANIFEST if m["id"] == "imf_weo")
    eff = _effective(weo)
    last = {int(v["vintage"]): int(v["last_actual_year"]) for v in weo["vintages"]}
    assert (eff["period"] <= eff["vintage"].map(last)).all(), eff[eff["period"] > eff["vintage"].map(last)].head()
    fb = eff.set_index(["indicator", "entity", "period"])["value"]
    # WEO October 2024: US general government deficit 2020 -13.9 % of GDP, gross debt 131.8 %; April 2019 projected
    # -4.4 % and 107.5 %
    assert fb["fiscal_balance", "USA", 2020] < -10 and fb["gov_debt", "USA", 2020] > 120
    assert fb["fiscal_balance", "DEU", 2020] < -3 and fb["fiscal_balance", "ITA", 2020] < -8


@pytest.mark.parametrize("m", MANIFEST, ids=lambda m: m["id"])
def test_source_md_beside_parquet(m):
    md = (SHIPPED / m["file"]).parent / "SOURCE.md"
    assert md.exists()
    text = md.read_text(encoding="utf-8")
    assert "Licence" in text and "Origin" in text and "Dropped" in text


def test_entities_are_iso3_not_aggregates(panel):
    ents = set(panel["entity"].unique())
    assert ents <= _iso3(), sorted(ents - _iso3())
    assert not ents & AGG
    assert not any(e.startswith("OWID") for e in ents)
    assert all(e == e.upper() and len(e) == 3 for e in ents)
    assert len(ents) >= 150


def test_framework_indicators_have_coverage(panel):
    fw = load_framework("holistic")
    recent = panel[panel["period"].between(2015, 2020)]
    best = recent.groupby(["indicator", "period"])["entity"].nunique().groupby("indicator").max()
    for ind in fw.indicator_ids:
        assert ind in best.index, f"{ind} not shipped"
        assert best[ind] >= 100, f"{ind}: only {best[ind]} entities in the best year 2015-2020"


def test_newer_releases_reach_2023_2024(panel):
    """What the 2026-12 re-curation was for (counts measured by tools/coverage_report.py)."""
    n = panel[panel["period"] >= 2022].groupby(["indicator", "period"])["entity"].nunique()
    for ind in ("wgi_pv", "vdem_physint", "gov_debt", "elec_access", "undernourishment", "unemployment", "food_kcal"):
        assert n[ind, 2023] >= 150, (ind, n[ind, 2023])
    for ind in ("vdem_polyarchy", "co2_pc", "red_list", "displaced_origin"):
        assert n[ind, 2024] >= 170, (ind, n[ind, 2024])
    assert n["cyber_gci", 2024] >= 190 and n["nuc_warheads", 2023] >= 190


def test_cyber_gci_is_a_within_edition_percentile(panel):
    g = panel[panel["indicator"].isin(["cyber_gci", "cyber_gci_score"])]
    assert sorted(g["period"].unique()) == [2014, 2017, 2018, 2020, 2024]
    w = g.pivot_table(index=["entity", "period"], columns="indicator", values="value")
    assert w["cyber_gci"].between(0, 100).all() and w["cyber_gci_score"].between(0, 100).all()
    for year, x in w.groupby(level="period"):  # the percentile orders countries as the score does
        assert x["cyber_gci"].rank().corr(x["cyber_gci_score"].rank()) > 0.999, year
    assert w.loc[("USA", 2014), "cyber_gci_score"] == pytest.approx(82.4)  # published 0.824 on 0-1


def test_old_vintage_rebuilds_the_published_index(tmp_path):
    """``--as-of`` the last ingest of shipped vintage 1, with the framework published with it
    (``holistic_v1``), rebuilds the default index of 2026-11 exactly: the 2019 and 2022 index and domain
    scores stored in tests/fixtures/ were computed on main before the re-curation."""
    from holisec.data.shipped import load_shipped, vintage_ingest
    from holisec.data.store import Store
    from holisec.index import build_from_store

    with Store(tmp_path / "s.duckdb") as st:
        load_shipped(st, sources=[m["id"] for m in COUNTRY])
        as_of = vintage_ingest(st, 1)
        assert as_of < int(st.vintages()["ingest_id"].max())
        result = build_from_store(st, framework="holistic_v1", as_of=as_of)
    want = pd.read_parquet(FIXTURES / "default_build_vintage1_2019_2022.parquet")
    got = result.scores.sel(period=[2019, 2022]).to_dataframe(name="got").reset_index().dropna(subset=["got"])
    got = got[got["code"].isin(set(want["code"]))]
    m = want.merge(got, on=["entity", "period", "code"], how="outer")
    assert len(m) == len(want) == 4152
    assert np.abs(m["got"] - m["value"]).max() <= 1e-12


def test_benchmarks_not_in_framework():
    fw = load_framework("holistic")
    bench = next(m for m in MANIFEST if m["id"] == "benchmarks")
    assert set(bench["indicators"]) == {"bench_fsi", "bench_gpi", "bench_ndgain"}
    assert not set(bench["indicators"]) & set(fw.indicator_ids)
    assert bench["non_commercial"] is True


def test_entities_table(panel):
    e = pd.read_parquet(SHIPPED / "entities.parquet")
    assert {"entity", "name", "entity_type", "parent", "continent", "un_region", "income_group"} <= set(e.columns)
    assert (e["entity_type"] == "country").all()
    assert e["parent"].isna().all()
    assert set(panel["entity"].unique()) <= set(e["entity"])
    assert e["income_group"].notna().sum() >= 150


def test_gdl_subnational_layer():
    d = SHIPPED / "gdl_subnational_hdi"
    x = pd.read_parquet(d / "gdl_subnational_hdi.parquet")
    e = pd.read_parquet(d / "entities.parquet")
    assert {"shdi", "healthindex", "edindex", "incindex"} <= set(x["indicator"])
    assert (e["entity_type"] == "region").all()
    assert set(x["entity"]) <= set(e["entity"])
    assert set(e["parent"]) <= _iso3()
    assert x["entity"].nunique() > 1000
    s = x[x["indicator"] == "shdi"]["value"]
    assert s.between(0, 1).all()


def test_total_size_small():
    size = sum(p.stat().st_size for p in SHIPPED.rglob("*") if p.is_file())
    assert size < 8e6, f"shipped data {size / 1e6:.1f} MB"


def test_coverage_shows_last_observed_year_and_its_entities(store, write):
    store.ingest(write("c.csv", "iso3,year,indicator,value\nFRA,2018,a,1\nFRA,2020,a,1\nDEU,2020,a,2\n"
                                "DEU,2019,b,1\nFRA,2018,b,3\n"), "s")
    cov = store.coverage().set_index("indicator")
    assert cov.loc["a", "last_year"] == 2020 and cov.loc["a", "entities_last_year"] == 2  # FRA, DEU in 2020
    assert cov.loc["b", "last_year"] == 2019 and cov.loc["b", "entities_last_year"] == 1  # DEU only
    fw = load_framework("holistic")
    assert (store.coverage(fw)["entities_last_year"] == 0).all()  # none of its indicators loaded: 0, not NaN
