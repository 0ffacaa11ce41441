"""The built-in holistic framework: structure, elements, coverage of domains, sources."""
from __future__ import annotations

from importlib import resources

import pytest
import yaml

from holisec.framework import load_framework

DOMAINS = ["political", "homeland", "military", "economic", "cultural", "social", "scitech",
           "information", "ecological", "resource", "nuclear"]
ELEMENTS = {"people", "political", "economic", "guarantee", "international"}


@pytest.fixture(scope="module")
def fw():
    return load_framework("holistic")


@pytest.fixture(scope="module")
def manifest():
    p = resources.files("holisec.data") / "shipped" / "manifest.yaml"
    return yaml.safe_load(p.read_text(encoding="utf-8"))["sources"]


def test_loads_with_identity(fw):
    assert fw.id == "holistic"
    assert fw.polarity == "higher = more risk"
    assert fw.root == "index"


def test_eleven_domains_under_root(fw):
    assert sorted(fw.children("index")) == sorted(DOMAINS)
    assert {g.id for g in fw.groups} == {"index", *DOMAINS}


def test_five_elements_cover_every_domain(fw):
    assert {e.id for e in fw.elements} == ELEMENTS
    covered = {g for e in fw.elements for g in e.groups}
    assert covered == set(DOMAINS)
    roles = {e.id: e.role for e in fw.elements}
    assert roles["people"] == "purpose" and roles["political"] == "foundation"
    assert roles["economic"] == "basis" and roles["international"] == "support"


@pytest.mark.parametrize("domain", DOMAINS)
def test_domain_has_three_indicators_or_documented_gap(fw, domain):
    n = len([i for i in fw.indicators if i.parent == domain])
    assert n >= 3 or fw.group(domain).gap, f"{domain}: {n} indicators and no gap"


def test_indicator_metadata_complete(fw):
    for ind in fw.indicators:
        assert ind.direction in (1, -1)
        assert ind.source and ind.licence and ind.unit and ind.description, ind.id
        assert ind.tags, ind.id


def test_no_benchmark_or_outcome_indicators(fw):
    ids = set(fw.indicator_ids)
    assert not {i for i in ids if i.startswith("bench_")}
    assert not ids & {"pop", "gdp_usd"}, "denominators must stay out of the framework"


def test_sources_in_manifest(fw, manifest):
    shipped = {m["id"]: m for m in manifest}
    for ind in fw.indicators:
        assert ind.source in shipped, f"{ind.id}: source {ind.source} not shipped"
        assert ind.id in shipped[ind.source]["indicators"], f"{ind.id} not in {ind.source}"
    for s in fw.sources:
        assert s.id in shipped
        assert s.non_commercial == shipped[s.id]["non_commercial"], s.id


def test_denominators_are_shipped(fw, manifest):
    panel = {i for m in manifest for i in m["indicators"]}
    for ind in fw.indicators:
        if ind.denominator:
            assert ind.denominator in panel


def test_direction_spot_checks(fw):
    # governance estimates: higher = better -> lowers risk; homicide raises risk
    assert fw.indicator("wgi_rl").direction == -1
    assert fw.indicator("homicide").direction == 1
    assert fw.indicator("u5mr").direction == 1
    assert fw.indicator("hdi").direction == -1
    assert fw.indicator("gov_debt").direction == 1
