"""Store: vintages, as_of, no-op re-ingest, atomic ingests, aggregates, coverage, shipped loader."""
from __future__ import annotations

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from holisec.data.errors import InputError
from holisec.data.shipped import load_shipped, sources
from holisec.data.store import Store, VintageError
from holisec.framework import Framework

V1 = "country,year,indicator,value\nFrance,2020,gdp,1.5\nDEU,2020,gdp,2\nWorld,2020,gdp,9\nAtlantis,2020,gdp,1\n"
V2 = "country,year,indicator,value\nFrance,2020,gdp,1.7\nDEU,2020,gdp,2\nWorld,2020,gdp,9\nFRA,2021,gdp,3\n"


def snapshot(store: Store) -> dict:
    """Row count and content hash of every table."""
    out = {}
    for t in ("ingests", "observations", "entities", "sources", "indicators"):
        out[t] = store.con.execute(
            f"SELECT count(*), md5(coalesce(string_agg(t::VARCHAR, chr(10) ORDER BY t::VARCHAR), '')) FROM {t} t"
        ).fetchone()
    return out


def test_ingest_report_and_observations(store, write):
    rep = store.ingest(write("v1.csv", V1), "src")
    assert rep.ingest_id == 1 and rep.rows_added == 3 and rep.rows_read == 4
    assert rep.entities == ["DEU", "FRA"] and rep.indicators == ["gdp"]
    assert rep.aggregates == ["World"] and rep.unmatched == ["Atlantis"] and rep.unmatched_rows == 1
    assert len(rep.sha256) == 64 and "Atlantis" in str(rep)
    obs = store.observations()
    assert obs.to_dict("list") == {"entity": ["DEU", "FRA"], "period": [2020, 2020],
                                   "indicator": ["gdp", "gdp"], "value": [2.0, 1.5]}


def test_aggregates_kept_apart(store, write):
    store.ingest(write("v1.csv", V1), "src")
    assert "WLD" not in set(store.observations()["entity"])
    agg = store.observations(entity_type="aggregate")
    assert agg["entity"].tolist() == ["WLD"] and agg["value"].tolist() == [9.0]
    ents = store.entities().set_index("entity")
    assert ents.loc["WLD", "entity_type"] == "aggregate" and ents.loc["FRA", "name"] == "France"
    assert len(store.observations(entity_type=None)) == 3


def test_unmatched_can_be_an_error(store, write):
    with pytest.raises(InputError, match=r"v1.csv, row 5: unknown country 'Atlantis'"):
        store.ingest(write("v1.csv", V1), "src", on_unmatched="error")
    assert store.vintages().empty


def test_same_file_is_a_noop(store, write):
    p = write("v1.csv", V1)
    store.ingest(p, "src")
    before = snapshot(store)
    rep = store.ingest(p, "src")
    assert rep.skipped and rep.ingest_id == 1 and rep.rows_added == 0 and "unchanged" in str(rep)
    assert snapshot(store) == before


def test_same_dataframe_is_a_noop(store):
    df = pd.DataFrame({"iso3": ["FRA"], "year": [2020], "indicator": ["x"], "value": [1.0]})
    assert store.ingest(df, "s").rows_added == 1
    assert store.ingest(df.copy(), "s").skipped


def test_revision_appends_only_changes_and_as_of(store, write):
    store.ingest(write("v1.csv", V1), "src")
    rep = store.ingest(write("v2.csv", V2), "src")
    assert rep.ingest_id == 2 and rep.rows_added == 2  # FRA 2020 revised, FRA 2021 new
    assert store.con.execute("SELECT count(*) FROM observations").fetchone()[0] == 5
    latest = store.observations().set_index(["entity", "period"])["value"]
    assert latest[("FRA", 2020)] == 1.7 and latest[("FRA", 2021)] == 3.0 and latest[("DEU", 2020)] == 2.0
    old = store.observations(as_of=1).set_index(["entity", "period"])["value"]
    assert old[("FRA", 2020)] == 1.5 and ("FRA", 2021) not in old.index
    v = store.vintages()
    assert v["ingest_id"].tolist() == [1, 2] and v["rows"].tolist() == [3, 2]
    # as_of a timestamp between the two ingests
    t1 = v["time"].iloc[0]
    assert store.observations(as_of=t1).equals(store.observations(as_of=1))
    with pytest.raises(VintageError, match="before the first ingest"):  # was: silently empty
        store.observations(as_of="1990-01-01")


def test_withdrawn_value_and_absent_key(store, write):
    store.ingest(write("a.csv", "iso3,year,indicator,value\nFRA,2020,x,1\nFRA,2021,x,2\nDEU,2020,x,3\n"), "s")
    store.ingest(write("b.csv", "iso3,year,indicator,value\nFRA,2020,x,\n"), "s")  # withdrawn; others absent
    now = store.observations()
    assert now[["entity", "period"]].values.tolist() == [["DEU", 2020], ["FRA", 2021]]
    assert len(store.observations(as_of=1)) == 3


def test_stored_values_never_change(store, write):
    store.ingest(write("v1.csv", V1), "src")
    first = store.con.execute("SELECT * FROM observations ORDER BY ALL").df()
    store.ingest(write("v2.csv", V2), "src")
    again = store.con.execute("SELECT * FROM observations WHERE ingest_id = 1 ORDER BY ALL").df()
    pd.testing.assert_frame_equal(first, again)


def test_bad_file_leaves_store_unchanged(store, write):
    store.ingest(write("v1.csv", V1), "src")
    before = snapshot(store)
    with pytest.raises(InputError, match=r"bad.csv, row 3, column 'value'"):
        store.ingest(write("bad.csv", "iso3,year,indicator,value\nFRA,2020,gdp,9\nDEU,2020,gdp,12x\n"), "src")
    assert snapshot(store) == before


def test_failure_midway_rolls_back_everything(store, write, monkeypatch):
    store.ingest(write("v1.csv", V1), "src")
    before = snapshot(store)

    def boom(self, *a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Store, "_upsert_metadata", boom)  # runs after observations/entities are written
    with pytest.raises(RuntimeError, match="disk full"):
        store.ingest(write("v2.csv", V2 + "Spain,2020,gdp,4\n"), "src")
    assert snapshot(store) == before
    monkeypatch.undo()
    rep = store.ingest(write("v2.csv", V2), "src")
    assert rep.ingest_id == 2 and rep.rows_added == 2


def test_duplicates_after_harmonisation_name_both_rows(store, write):
    p = write("d.csv", "country,year,indicator,value\nFrance,2020,x,1\nFRA,2020,x,2\n")
    with pytest.raises(InputError, match=r"d.csv, row 3, column 'value': duplicate key .* row 2"):
        store.ingest(p, "s")
    assert store.vintages().empty


def test_allowed_indicators(store, write):
    with pytest.raises(InputError, match="unknown indicator 'gpd'"):
        store.ingest(write("u.csv", "iso3,year,indicator,value\nFRA,2020,gpd,1\n"), "s", indicators=["gdp"])


def test_coinr_groups_become_entity_attributes(store, write):
    p = write("iData.csv", "uCode,uName,Group_income,Time,ind1\nFRA,France,high,2020,1\nNGA,Nigeria,low,2020,2\n")
    store.ingest(p, "coin", indicators=["ind1"])
    ents = store.entities().set_index("entity")
    assert ents.loc["NGA", "Group_income"] == "low" and ents.loc["FRA", "entity_type"] == "country"


def test_regions_with_gdl_parent(store, write):
    p = write("gdl.csv", "entity,year,indicator,value\nAFGr101,2020,shdi,0.5\nAFGr102,2020,shdi,0.4\n")
    rep = store.ingest(p, "gdl", entity_type="region")
    assert rep.entities == ["AFGr101", "AFGr102"] and rep.aggregates == []
    assert store.observations().empty
    assert len(store.observations(entity_type="region")) == 2
    ents = store.entities("region")
    assert set(ents["parent"]) == {"AFG"}


def test_panel_and_filters(store, write):
    store.ingest(write("v2.csv", V2), "src")
    da = store.panel(indicators=["gdp"], entities=["FRA"])
    assert da.dims == ("entity", "period", "indicator") and da.shape == (1, 2, 1)
    assert da.sel(entity="FRA", period=2021, indicator="gdp").item() == 3.0
    assert store.observations(periods=slice(2021, None))["period"].tolist() == [2021]


def test_coverage(store, write):
    store.ingest(write("c.csv", "iso3,year,indicator,value\nFRA,2018,a,1\nFRA,2020,a,1\nDEU,2020,a,2\n"
                                "DEU,2020,b,1\n"), "s")
    cov = store.coverage().set_index("indicator")
    assert cov.loc["a", "entities"] == 2 and cov.loc["a", "first_year"] == 2018 and cov.loc["a", "years"] == 2
    assert cov.loc["a", "share_missing"] == pytest.approx(1 - 3 / 6)
    assert cov.loc["b", "share_missing"] == pytest.approx(0.5)  # DEU only, of 2 countries
    fw = Framework(id="t", name="T", groups=[{"id": "idx", "name": "Index"}, {"id": "d1", "name": "D", "parent": "idx"}],
                   indicators=[{"id": "a", "name": "A", "parent": "d1"}, {"id": "z", "name": "Z", "parent": "d1"}])
    cf = store.coverage(fw).set_index("indicator")
    assert list(cf.index) == ["a", "z"] and (cf["domain"] == "d1").all()
    assert cf.loc["z", "entities"] == 0 and cf.loc["z", "share_missing"] == 1.0


def test_file_store_persists_and_env_default(tmp_path, write, monkeypatch):
    path = tmp_path / "sub" / "s.duckdb"
    path.parent.mkdir()
    monkeypatch.setenv("HOLISEC_STORE", str(path))
    with Store() as s:
        s.ingest(write("v1.csv", V1), "src")
    with Store(path) as s:
        assert len(s.observations()) == 2 and s.path == str(path)


def _tiny_shipped(tmp_path):
    base = tmp_path / "shipped"
    (base / "a").mkdir(parents=True)
    (base / "gdl").mkdir()
    pd.DataFrame({"entity": ["FRA", "DEU"], "period": [2020, 2020], "indicator": ["x", "x"],
                  "value": [1.0, 2.0]}).to_parquet(base / "a" / "a.parquet")
    pd.DataFrame({"entity": ["FRA", "DEU"], "name": ["France", "Germany"], "entity_type": "country",
                  "parent": None, "continent": ["Europe", "Europe"]}).to_parquet(base / "entities.parquet")
    pd.DataFrame({"entity": ["FRAr101"], "period": [2020], "indicator": ["shdi"], "value": [0.9]}).to_parquet(
        base / "gdl" / "gdl.parquet")
    pd.DataFrame({"entity": ["FRAr101"], "name": ["Ile-de-France"], "entity_type": ["region"],
                  "parent": ["FRA"]}).to_parquet(base / "gdl" / "entities.parquet")
    entries = [
        {"id": "a", "file": "a/a.parquet", "name": "A", "citation": "A et al.", "licence": "CC BY 4.0",
         "url": "https://a", "non_commercial": False, "indicators": ["x"]},
        {"id": "gdl", "file": "gdl/gdl.parquet", "name": "GDL", "citation": "GDL", "licence": "CC BY-NC",
         "url": "https://gdl", "non_commercial": True},
    ]
    (base / "manifest.yaml").write_text(yaml.safe_dump({"sources": entries}), encoding="utf-8")
    return base / "manifest.yaml"


def test_load_shipped_from_manifest(store, tmp_path):
    manifest = _tiny_shipped(tmp_path)
    seen = []
    reps = load_shipped(store, manifest=manifest, progress=lambda i, n, r: seen.append((i, n, r.source)))
    assert [r.rows_added for r in reps] == [2, 1] and seen == [(1, 2, "a"), (2, 2, "gdl")]
    ents = store.entities().set_index("entity")
    assert ents.loc["FRA", "continent"] == "Europe"
    assert ents.loc["FRAr101", "entity_type"] == "region" and ents.loc["FRAr101", "parent"] == "FRA"
    assert store.sources().set_index("source").loc["gdl", "non_commercial"]
    assert all(r.skipped for r in load_shipped(store, manifest=manifest))
    assert [r.source for r in load_shipped(Store(":memory:"), sources=["gdl"], manifest=manifest)] == ["gdl"]
    with pytest.raises(ValueError, match="unknown shipped source"):
        load_shipped(store, sources=["nope"], manifest=manifest)


def test_sources_table(tmp_path):
    df = sources(_tiny_shipped(tmp_path))
    assert df["id"].tolist() == ["a", "gdl"] and df["non_commercial"].tolist() == [False, True]
    assert {"name", "citation", "licence", "url", "file"} <= set(df.columns)


cells = st.dictionaries(
    st.tuples(st.sampled_from(["FRA", "DEU", "NGA", "BRA"]), st.integers(2000, 2005), st.sampled_from(["a", "b"])),
    st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(v1=cells, v2=cells)
def test_vintages_property(v1, v2):
    """Latest = v1 updated by v2; as_of=1 = v1; appended rows = new or changed keys only."""
    def frame(d):
        return pd.DataFrame([(*k, v) for k, v in d.items()], columns=["iso3", "year", "indicator", "value"])

    with Store(":memory:") as s:
        s.ingest(frame(v1), "p")
        rep = s.ingest(frame(v2), "p")
        assert rep.rows_added == sum(1 for k, v in v2.items() if v1.get(k) != v)
        got = {tuple(r[:3]): r[3] for r in s.observations().itertuples(index=False)}
        assert got == {**v1, **v2}
        old = {tuple(r[:3]): r[3] for r in s.observations(as_of=1).itertuples(index=False)}
        assert old == v1
