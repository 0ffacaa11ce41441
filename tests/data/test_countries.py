import pandas as pd

from holisec.data.countries import country_names, harmonise


def test_names_iso2_iso3_any_case():
    r = harmonise(pd.Series(["France", "fr", "deu", "DEU", "Korea, Rep.", "Congo, Dem. Rep.", "NA"]))
    assert r.codes.tolist() == ["FRA", "FRA", "DEU", "DEU", "KOR", "COD", "NAM"]
    assert r.aggregates == [] and r.unmatched == []


def test_aggregates_kept_apart():
    vals = pd.Series(["World", "WLD", "OWID_WRL", "High income", "EUU", "Sub-Saharan Africa", "LMY",
                      "Middle East, North Africa, Afghanistan & Pakistan", "Africa (UN)", "Chile"])
    r = harmonise(vals)
    assert r.codes.isna().sum() == 9 and r.codes.iloc[-1] == "CHL"
    assert set(r.aggregates) == set(vals[:-1])
    assert r.aggregate_codes.iloc[0] == "WLD" and r.aggregate_codes.iloc[1] == "WLD"
    assert r.aggregate_codes.iloc[3] == "HIC"
    assert r.unmatched == []


def test_unmatched_reported_not_dropped():
    vals = pd.Series(["Atlantis", "France", "Atlantis", None])
    r = harmonise(vals)
    assert r.unmatched == ["Atlantis"]
    assert len(r.codes) == 4 and r.codes.isna().tolist() == [True, False, True, True]
    assert list(r.codes.index) == list(vals.index)


def test_gwcode_and_ccode():
    gw = harmonise(pd.Series([2, 260, 816, 365, 2.0]), key="gwcode")
    assert gw.codes.tolist() == ["USA", "DEU", "VNM", "RUS", "USA"]
    cow = harmonise(pd.Series(["255", "2", "679"]), key="ccode")
    assert cow.codes.tolist() == ["DEU", "USA", "YEM"]


def test_explicit_iso3_key_rejects_names_and_wb_quirks():
    r = harmonise(pd.Series(["fra", "ROM", "KSV", "France"]), key="iso3")
    assert r.codes.tolist()[:3] == ["FRA", "ROU", "XKX"]
    assert r.unmatched == ["France"]


def test_converts_unique_values_only(monkeypatch):
    from holisec.data import countries

    seen = []
    real = countries._resolve

    def spy(uniq, key):
        seen.append(len(uniq))
        return real(uniq, key)

    monkeypatch.setattr(countries, "_resolve", spy)
    r = harmonise(pd.Series(["France", "Germany"] * 5000))
    assert seen == [2] and r.codes.nunique() == 2


def test_country_names():
    assert country_names(["FRA", "XXX"]).tolist()[0] == "France"
