"""Vintages that do not exist, indicator codes owned by their source, files with no country."""
from __future__ import annotations

import pytest

from holisec.data.countries import did_you_mean, suggest
from holisec.data.errors import InputError
from holisec.data.store import IndicatorConflict, VintageError
from holisec.framework import Framework
from holisec.index import framework_panel

from .test_store import snapshot

A = "country,year,indicator,value\nFrance,2020,hdi,0.914\nGermany,2020,hdi,0.95\n"
B = "country,year,indicator,value\nFrance,2020,hdi,0.01\n"


def test_as_of_an_unknown_ingest_lists_the_vintages(store, write):
    store.ingest(write("a.csv", A), "gapminder")
    store.ingest(write("b.csv", A.replace("hdi", "gdp")), "weo")
    for bad in (7, "7", "#9", 0):
        with pytest.raises(VintageError) as err:
            store.observations(as_of=bad)
        text = str(err.value)
        assert "no ingest" in text and "#1" in text and "gapminder" in text and "#2" in text and "weo" in text
        assert "a.csv" in text and "1-2" in text
    with pytest.raises(VintageError, match="before the first ingest"):
        store.panel(as_of="2001-05-01")
    with pytest.raises(VintageError, match="neither an ingest id nor a timestamp"):
        store.observations(as_of="last tuesday-ish")
    assert len(store.observations(as_of="2")) == 4 and len(store.observations(as_of=1)) == 2


def test_as_of_on_an_empty_store_says_so(store):
    with pytest.raises(VintageError, match="no vintages yet"):
        store.observations(as_of=1)


def _fw(*codes_sources):
    return Framework.model_validate({
        "id": "t", "name": "T", "groups": [{"id": "idx", "name": "I"}, {"id": "d", "name": "D", "parent": "idx"}],
        "indicators": [{"id": c, "name": c, "parent": "d", "source": s} for c, s in codes_sources]})


def test_as_of_before_an_indicators_first_ingest_names_its_source_and_ingest(store, write):
    store.ingest(write("a.csv", A), "gapminder")
    store.ingest(write("b.csv", A.replace("hdi", "gdp") + "France,2020,debt,3\n"), "weo")
    fw = _fw(("hdi", "gapminder"), ("gdp", "weo"), ("debt", "weo"), ("gpi", "vision"))
    with pytest.raises(ValueError) as err:
        framework_panel(store, fw, as_of=1)
    text = str(err.value)
    assert "3 of framework 't''s 4 indicators" in text
    assert "weo: 2 indicator(s), first in ingest #2" in text and "debt, gdp" in text.replace("gdp, debt", "debt, gdp")
    assert "vision: 1 indicator(s), not loaded in this store: gpi" in text
    assert "later vintage" in text and "load them" in text
    with pytest.raises(ValueError, match="1 of framework 't''s 4 indicators") as err:
        framework_panel(store, fw)  # latest: only the never-loaded one
    assert "weo" not in str(err.value)


def test_many_missing_indicators_are_summarised_not_listed(store, write):
    store.ingest(write("a.csv", A), "gapminder")
    rows = "".join(f"France,2020,x{i},1\n" for i in range(30))
    store.ingest(write("b.csv", "country,year,indicator,value\n" + rows), "vdem")
    fw = _fw(("hdi", "gapminder"), *[(f"x{i}", "vdem") for i in range(30)])
    with pytest.raises(ValueError) as err:
        framework_panel(store, fw, as_of=1)
    text = str(err.value)
    assert "vdem: 30 indicator(s), first in ingest #2" in text and "(+24 more)" in text
    assert "x29" not in text  # not a wall of names


def test_another_source_writing_an_owned_code_is_refused(store, write):
    store.ingest(write("a.csv", A), "gapminder", source_meta={"licence": "CC-BY-4.0"})
    store.con.execute("UPDATE indicators SET name = 'Human Development Index'")
    before = snapshot(store)
    with pytest.raises(IndicatorConflict) as err:
        store.ingest(write("b.csv", B), "my_survey")
    text = str(err.value)
    assert "'hdi' (source 'gapminder')" in text and "--revise" in text and "'my_survey:hdi'" in text
    assert snapshot(store) == before  # nothing written, no vintage
    assert store.observations().query("entity == 'FRA'")["value"].item() == 0.914


def test_a_revision_keeps_the_owners_metadata(store, write):
    store.ingest(write("a.csv", A), "gapminder")
    store.con.execute("UPDATE indicators SET name = 'Human Development Index'")
    rep = store.ingest(write("b.csv", B), "my_survey", revise=True)
    assert rep.revised == {"hdi": "gapminder"} and "revises gapminder's 'hdi'" in str(rep)
    assert store.observations().query("entity == 'FRA'")["value"].item() == 0.01
    assert store.observations(as_of=1).query("entity == 'FRA'")["value"].item() == 0.914
    ind = store.indicators().set_index("indicator")
    assert ind.loc["hdi", "source"] == "gapminder" and ind.loc["hdi", "name"] == "Human Development Index"
    assert store.vintages()["source"].tolist() == ["gapminder", "my_survey"]


def test_qualified_codes_are_new_indicators(store, write):
    store.ingest(write("a.csv", A), "gapminder")
    rep = store.ingest(write("b.csv", B), "my_survey", qualify=True)
    assert rep.qualified == {"hdi": "my_survey:hdi"} and rep.indicators == ["my_survey:hdi"]
    obs = store.observations().set_index(["entity", "indicator"])["value"]
    assert obs[("FRA", "hdi")] == 0.914 and obs[("FRA", "my_survey:hdi")] == 0.01
    assert store.indicators().set_index("indicator").loc["my_survey:hdi", "source"] == "my_survey"
    # a code written source-qualified in the file is simply a new indicator
    rep = store.ingest(write("c.csv", B.replace("hdi", "my_survey:hdi2")), "my_survey")
    assert rep.rows_added == 1 and not rep.qualified
    with pytest.raises(ValueError, match="exclude each other"):
        store.ingest(write("d.csv", B.replace("0.01", "0.02")), "other", qualify=True, revise=True)


def test_the_owner_may_rename_its_indicator(store, write):
    store.ingest(write("a.csv", A), "gapminder")
    store.ingest(write("a2.csv", A.replace("0.95", "0.96").replace("indicator,value", "indicator,value")),
                 "gapminder")
    assert store.indicators().set_index("indicator").loc["hdi", "source"] == "gapminder"


@pytest.mark.parametrize("text, needle", [
    ("country,year,indicator,value\nGermny,2020,x,1\nFrnace,2020,x,2\n", "did you mean Germany?"),
    ("country,year,indicator,value\nWorld,2020,x,1\nEuropean Union,2020,x,2\n", "2 aggregates"),
])
def test_a_file_with_no_country_row_is_an_error_and_no_vintage(store, write, text, needle):
    before = snapshot(store)
    with pytest.raises(InputError) as err:
        store.ingest(write("f.csv", text), "s")
    assert needle in str(err.value) and "none of the 2 rows is a country" in str(err.value)
    assert "f.csv" in str(err.value)
    assert snapshot(store) == before and store.vintages().empty


def test_unmatched_names_get_suggestions(store, write):
    rep = store.ingest(write("f.csv", "country,year,indicator,value\nFrance,2020,x,1\nGermny,2020,x,2\n"), "s")
    assert rep.unmatched == ["Germny"] and "'Germny' (did you mean Germany?)" in str(rep)
    with pytest.raises(InputError, match=r"unknown country 'Germny' \(did you mean Germany\?\)"):
        store.ingest(write("g.csv", "country,year,indicator,value\nFrance,2021,x,1\nGermny,2021,x,2\n"), "s",
                     on_unmatched="error")


def test_suggest():
    assert suggest("Germny") == ["Germany"]
    assert suggest("germany ") == ["Germany"]
    assert suggest("DEUU") == ["Germany"]
    assert "France" in suggest("Frnace")
    assert suggest("xyzzy qwerty") == [] and suggest("") == []
    assert did_you_mean("Germny") == " (did you mean Germany?)" and did_you_mean("zzzzzz") == ""


def test_owners_are_per_entity_type(store, write):
    """GDL's regional `pop` does not clash with Gapminder's national `pop` (both shipped)."""
    store.ingest(write("a.csv", A.replace("hdi", "pop")), "gapminder")
    rep = store.ingest(write("r.csv", "entity,year,indicator,value\nAFGr101,2020,pop,5\n"), "gdl",
                       entity_type="region")
    assert rep.rows_added == 1 and not rep.revised
    with pytest.raises(IndicatorConflict, match="'pop' \\(source 'gdl'\\)"):
        store.ingest(write("r2.csv", "entity,year,indicator,value\nAFGr102,2020,pop,6\n"), "mine",
                     entity_type="region")
