"""Country profile and index report on a hand-made panel whose numbers are worked out here."""
from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from holisec.framework import from_dict
from holisec.pipeline import build
from holisec.report.profile import country_profile
from holisec.report.render import index_html, profile_html, to_pdf
from holisec.report.summary import index_summary

NAN = np.nan


@pytest.fixture(scope="module")
def result():
    fw = from_dict({
        "id": "tiny", "name": "tiny", "polarity": "higher = more risk",
        "groups": [{"id": "R", "name": "Tiny index"}, {"id": "A", "name": "Alpha security", "parent": "R"},
                   {"id": "B", "name": "Beta security", "parent": "R"},
                   {"id": "C", "name": "Gamma security", "parent": "R", "gap": "no data on gamma rays"}],
        "indicators": [{"id": "a", "name": "Alpha raw", "parent": "A", "unit": "per cent", "source": "src1"},
                       {"id": "b", "name": "Beta raw", "parent": "B", "unit": "count", "source": "src1"},
                       {"id": "c", "name": "Gamma raw", "parent": "C", "unit": "index", "source": "src1"}],
        "sources": [{"id": "src1", "name": "Source One", "licence": "CC BY 4.0"}],
    })
    # (entity, period, indicator): a = 0/5/10, b = 10/0/20 (Y's 2002 value missing), c = 1/2/3
    vals = np.array([[[0, 10, 1]] * 3, [[5, 0, 2], [5, 0, 2], [5, NAN, 2]], [[10, 20, 3]] * 3], dtype=float)
    panel = xr.DataArray(vals, dims=("entity", "period", "indicator"),
                         coords={"entity": ["X", "Y", "Z"], "period": [2000, 2001, 2002], "indicator": ["a", "b", "c"]})
    recipe = {"name": "tiny", "steps": [
        {"step": "impute", "method": "locf", "params": {}},
        {"step": "normalise", "method": "minmax", "params": {"lo": 0.0, "hi": 100.0, "scope": "panel"}},
        {"step": "weight", "method": "equal", "params": {}},
        {"step": "aggregate", "method": "amean", "params": {}}]}
    return build(recipe, panel, fw, vintage="test vintage")


META = pd.DataFrame({"name": ["X-land", "Y-land", "Z-land"], "un_region": ["North", "North", "South"],
                     "income_group": ["high", "low", "low"]}, index=pd.Index(["X", "Y", "Z"], name="entity"))


def test_profile_numbers_are_the_hand_computed_ones(result):
    p = country_profile(result, "Y", 2002, meta=META)
    # min-max over the panel: a -> 0/50/100, b -> 50/0/100 (Y carried from 2001), c -> 0/50/100
    assert p["index"]["score"] == pytest.approx((50 + 0 + 50) / 3)
    assert (p["index"]["rank"], p["index"]["n"]) == (2, 3)  # Z (100) > Y (33.3) > X (16.7)
    assert {d["code"]: d["score"] for d in p["domains"]} == pytest.approx({"A": 50, "B": 0, "C": 50})
    inds = {i["code"]: i for i in p["indicators"]}
    assert inds["b"]["status"] == "stale" and inds["b"]["year_observed"] == 2001 and inds["b"]["value"] == 0
    assert inds["a"]["status"] == "observed" and inds["a"]["value"] == 5 and inds["a"]["unit"] == "per cent"
    assert inds["a"]["licence"] == "CC BY 4.0" and inds["a"]["source_name"] == "Source One"
    assert p["peers"]["group"] == "North" and [r["entity"] for r in p["peers"]["rows"]] == ["Y", "X"]
    assert p["uncertainty"]["available"] is False


def test_profile_errors_name_what_to_do(result):
    with pytest.raises(KeyError, match="unknown entity"):
        country_profile(result, "Q", 2002)
    with pytest.raises(ValueError, match="covers 2000-2002"):
        country_profile(result, "Y", 1999)


def test_profile_html_is_self_contained_with_charts_and_sources(result):
    html = profile_html(country_profile(result, "Y", 2002, meta=META))
    assert "Y-land" in html and "33.3" in html and "higher = more risk" in html
    assert html.count("<svg") == 2 and "Source One" in html and "CC BY 4.0" in html
    assert not re.search(r'(src|href)=["\']https?:', html) and "<script" not in html and "<link" not in html


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_profile_pdf_text(result):
    pdf = to_pdf(profile_html(country_profile(result, "Y", 2002, meta=META)))
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    assert "Y-land" in text and "33.3" in text and "rank 2 of 3" in text and "higher = more risk" in text
    assert "Beta raw" in text and "stale" in text


def test_index_report_html_and_pdf(result):
    s = index_summary(result, 2002, meta=META)
    assert [r["entity"] for r in s["ranking"]] == ["Z", "Y", "X"]
    assert [r["score"] for r in s["ranking"]] == pytest.approx([100, 100 / 3, 50 / 3])
    gamma = next(d for d in s["framework"]["domains"] if d["code"] == "C")
    assert gamma["gap"] == "no data on gamma rays" and gamma["weight"] == pytest.approx(1 / 3)
    html = index_html(s, audit="audit text here")
    assert "Z-land" in html and "audit text here" in html and "no data on gamma rays" in html
    text = _pdf_text(to_pdf(html))
    assert "Z-land" in text and "100.0" in text and "higher = more risk" in text
