"""The shipped real panel: schema, keys, coverage and provenance (no network, no ../shared)."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd
import pytest
import yaml

from holisec.framework import load_framework

SHIPPED = Path(str(resources.files("holisec.data") / "shipped"))
MANIFEST = yaml.safe_load((SHIPPED / "manifest.yaml").read_text(encoding="utf-8"))["sources"]
COUNTRY = [m for m in MANIFEST if m["id"] != "gdl_subnational_hdi"]
AGG = {"WLD", "EUU", "EAS", "ECS", "LCN", "MEA", "NAC", "SAS", "SSF", "HIC", "LIC", "LMC", "UMC", "OED", "ARB",
       "EMU", "EAP", "ECA", "LAC", "MNA", "SSA", "IDA", "IBRD", "LDC", "FCS"}


def _iso3() -> set[str]:
    p = resources.files("country_converter") / "country_data.tsv"
    with resources.as_file(p) as f:
        t = pd.read_csv(f, sep="\t", dtype=str, keep_default_na=False)
    return set(t["ISO3"]) - {""}


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return pd.concat([pd.read_parquet(SHIPPED / m["file"]) for m in COUNTRY], ignore_index=True)


def test_manifest_entries():
    assert {"gapminder", "wgi", "vdem", "benchmarks", "gdl_subnational_hdi"} <= {m["id"] for m in MANIFEST}
    for m in MANIFEST:
        for k in ("id", "file", "name", "citation", "licence", "url", "non_commercial"):
            assert k in m, (m.get("id"), k)
        assert isinstance(m["non_commercial"], bool)
        assert (SHIPPED / m["file"]).exists()


@pytest.mark.parametrize("m", MANIFEST, ids=lambda m: m["id"])
def test_parquet_schema(m):
    df = pd.read_parquet(SHIPPED / m["file"])
    assert list(df.columns) == ["entity", "period", "indicator", "value"]
    assert pd.api.types.is_string_dtype(df["entity"]) and pd.api.types.is_string_dtype(df["indicator"])
    assert df["period"].dtype == "int64"
    assert df["value"].dtype == "float64"
    assert df["value"].notna().all()
    assert not df.duplicated(["entity", "period", "indicator"]).any()
    assert df["period"].min() >= 1990
    assert sorted(df["indicator"].unique()) == sorted(m["indicators"])


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
