"""Readers: one tiny hand-made file per format and per error class."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from holisec.data.errors import InputError, InputErrors
from holisec.data.ingest import detect_format, read

LONG = "country,year,indicator,value\nFrance,2020,gdp,1.5\nDEU,2020,gdp,2\nFrance,2021,gdp,\n"


def _err(excinfo) -> str:
    return str(excinfo.value)


# --- formats -------------------------------------------------------------------------------------------

def test_long_csv_case_insensitive_columns(write):
    p = write("long.csv", "ISO3;Year;Indicator;Value\nFRA;2020;gdp;1.5\nDEU;2020;gdp;2\n")
    r = read(p)
    assert r.format == "long"
    assert list(r.data.columns[:5]) == ["entity", "period", "indicator", "value", "row"]
    assert r.data["entity"].tolist() == ["FRA", "DEU"]
    assert r.data["period"].dtype == np.int64 and r.data["value"].tolist() == [1.5, 2.0]
    assert r.data["row"].tolist() == [2, 3]


def test_long_keeps_empty_as_nan(write):
    r = read(write("long.csv", LONG))
    assert np.isnan(r.data["value"].iloc[2])


def test_long_parquet(tmp_path):
    df = pd.DataFrame({"geo": ["fra", "deu"], "time": [2020, 2021], "indicator": ["x", "x"], "value": [1.0, 2.0]})
    df.to_parquet(tmp_path / "d.parquet")
    r = read(tmp_path / "d.parquet")
    assert r.data[["entity", "period", "value"]].values.tolist() == [["fra", 2020, 1.0], ["deu", 2021, 2.0]]


def test_dataframe_input():
    df = pd.DataFrame({"entity": ["FRA"], "period": [2020], "indicator": ["x"], "value": [3.0]})
    assert read(df).data["value"].tolist() == [3.0]


WB = ('"Data Source","World Development Indicators",\n\n"Last Updated Date","2024-06-28",\n\n'
      '"Country Name","Country Code","Indicator Name","Indicator Code","2019","2020",\n'
      '"France","FRA","GDP (current US$)","NY.GDP.MKTP.CD","1","2",\n'
      '"World","WLD","GDP (current US$)","NY.GDP.MKTP.CD","10","",\n')


def test_wide_world_bank_csv_with_preamble(write):
    r = read(write("API_NY.csv", WB))
    assert r.format == "wide"
    d = r.data.sort_values(["entity", "period"])
    assert d["entity"].tolist() == ["FRA", "FRA", "WLD", "WLD"]
    assert d["period"].tolist() == [2019, 2020, 2019, 2020]
    assert d["value"].tolist()[:3] == [1.0, 2.0, 10.0]
    assert d["row"].tolist() == [6, 6, 7, 7]  # line numbers in the file
    assert r.indicator_names["NY.GDP.MKTP.CD"] == "GDP (current US$)"
    assert r.entity_names["FRA"] == "France"


def test_wide_databank_headers(write):
    p = write("db.csv", "Country Name,Country Code,Series Name,Series Code,2019 [YR2019],2020 [YR2020]\n"
                        "France,FRA,GDP,gdp,1,..\n")
    r = read(p)
    assert r.data["period"].tolist() == [2019, 2020]
    assert r.data["value"].iloc[0] == 1 and np.isnan(r.data["value"].iloc[1])


def test_excel_wide_and_named_sheet(tmp_path):
    p = tmp_path / "wb.xlsx"
    wide = pd.DataFrame({"Country Name": ["France"], "Country Code": ["FRA"], "Indicator Name": ["GDP"],
                         "Indicator Code": ["gdp"], 2019: [1.0], 2020: [2.0]})
    long = pd.DataFrame({"entity": ["DEU", "DEU"], "year": [2020, 2021], "indicator": ["x", "x"], "value": [5, "6"]})
    with pd.ExcelWriter(p) as xw:
        wide.to_excel(xw, sheet_name="Data", index=False)
        long.to_excel(xw, sheet_name="Long", index=False)
    r = read(p)
    assert r.format == "wide" and r.data["value"].tolist() == [1.0, 2.0]
    r2 = read(p, sheet="Long")
    assert r2.format == "long" and r2.data["value"].tolist() == [5.0, 6.0] and r2.data["row"].tolist() == [2, 3]
    with pytest.raises(InputError, match="no sheet named 'Nope'"):
        read(p, sheet="Nope")


def test_excel_bad_cell_names_sheet_row_column(tmp_path):
    p = tmp_path / "bad.xlsx"
    pd.DataFrame({"iso3": ["FRA", "DEU"], "year": [2020, 2020], "indicator": ["x", "x"],
                  "value": [1, "12,x"]}).to_excel(p, index=False)
    with pytest.raises(InputError) as ei:
        read(p)
    assert "bad.xlsx" in _err(ei) and "row 3" in _err(ei) and "column 'value'" in _err(ei)


IMETA = pd.DataFrame({
    "iCode": ["ind1", "ind2", "GDP_group", "Index"], "iName": ["One", "Two", "GDP group", "Index"],
    "Type": ["Indicator", "Indicator", "Group", "Aggregate"],
})


def test_coinr_idata_with_imeta(write):
    p = write("iData.csv", "uCode,uName,GDP_group,Time,ind1,ind2\nFRA,France,H,2020,1,2\nDEU,Germany,H,2020,3,\n")
    r = read(p, indicators=IMETA)
    assert r.format == "coinr"
    d = r.data.sort_values(["entity", "indicator"])
    assert d["indicator"].tolist() == ["ind1", "ind2", "ind1", "ind2"]
    np.testing.assert_array_equal(d["value"].to_numpy(), [3.0, np.nan, 1.0, 2.0])
    assert r.entity_attributes.set_index("entity").loc["FRA", "GDP_group"] == "H"
    assert r.indicator_names["ind1"] == "One"
    assert d["column"].tolist() == d["indicator"].tolist()


def test_coinr_without_time_needs_period(write):
    p = write("iData.csv", "uCode,uName,ind1\nFRA,France,1\n")
    with pytest.raises(InputError, match="Time"):
        read(p, indicators=["ind1"])
    assert read(p, indicators=["ind1"], period=2022).data["period"].tolist() == [2022]


def test_coinr_list_unknown_numeric_column(write):
    p = write("iData.csv", "uCode,Time,ind1,oops\nFRA,2020,1,2\n")
    with pytest.raises(InputError) as ei:
        read(p, indicators=["ind1"])
    assert "unknown indicator 'oops'" in _err(ei) and "column 'oops'" in _err(ei)


def test_owid_style_table_code_falls_back_to_name(write):
    p = write("owid.csv", "Entity,Code,Year,co2\nFrance,FRA,2020,1\nAfrica (UN),,2020,5\n")
    r = read(p)
    assert r.format == "coinr"
    assert r.data["entity"].tolist() == ["FRA", "Africa (UN)"]
    assert r.data["indicator"].unique().tolist() == ["co2"]


def test_detect_format():
    assert detect_format(["uCode", "x"]) == "coinr"
    assert detect_format(["Country", "Year", "Indicator", "Value"]) == "long"
    assert detect_format(["Country Code", "Indicator Code", "2020"]) == "wide"


def test_identical_duplicates_collapsed(write):
    r = read(write("d.csv", "iso3,year,indicator,value\nFRA,2020,x,1\nFRA,2020,x,1.0\n"))
    assert len(r.data) == 1 and r.collapsed == 1


def test_latin1_accepted_only_when_explicit(write):
    p = write("l1.csv", "country,year,indicator,value\nCôte d'Ivoire,2020,x,1\n".encode("latin-1"))
    assert read(p, encoding="latin-1").data["entity"].tolist() == ["Côte d'Ivoire"]


# --- errors --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["12,x", "abc", "1.2.3"])
def test_unparseable_number(write, bad):
    p = write("num.csv", f'iso3,year,indicator,value\nFRA,2020,x,1\nDEU,2020,x,"{bad}"\n')
    with pytest.raises(InputError) as ei:
        read(p)
    e = ei.value
    assert (e.file, e.row, e.column) == (str(p), 3, "value")
    assert f"not a number: '{bad}'" in _err(ei) and "num.csv, row 3, column 'value'" in _err(ei)


def test_unparseable_number_in_wide_names_year_column(write):
    p = write("w.csv", "Country Code,Indicator Code,2019,2020\nFRA,x,1,2\nDEU,x,3,4a\n")
    with pytest.raises(InputError) as ei:
        read(p)
    assert "w.csv, row 3, column '2020': not a number: '4a'" in _err(ei)


def test_unknown_indicator(write):
    p = write("u.csv", "iso3,year,indicator,value\nFRA,2020,gdp,1\nFRA,2020,gpd,2\n")
    with pytest.raises(InputError) as ei:
        read(p, indicators=["gdp", "pop"])
    assert "u.csv, row 3, column 'indicator'" in _err(ei)
    assert "unknown indicator 'gpd'" in _err(ei) and "did you mean 'gdp'" in _err(ei)


def test_duplicate_keys_with_different_values_name_both_rows(write):
    p = write("dup.csv", "iso3,year,indicator,value\nFRA,2020,x,1\nDEU,2020,x,5\nFRA,2020,x,2\n")
    with pytest.raises(InputError) as ei:
        read(p)
    msg = _err(ei)
    assert "dup.csv, row 4, column 'value'" in msg and "row 2" in msg and "different values" in msg


@pytest.mark.parametrize("bad", ["2020Q1", "20x0", "20", "2020-01"])
def test_wrong_period_format(write, bad):
    p = write("p.csv", f"iso3,year,indicator,value\nFRA,{bad},x,1\n")
    with pytest.raises(InputError) as ei:
        read(p)
    assert _err(ei) == f"{p}, row 2, column 'year': period must be a 4-digit year such as 2020, got '{bad}'"


def test_wide_bad_year_header(write):
    p = write("w.csv", "Country Code,Indicator Code,2019,2020Q1\nFRA,x,1,2\n")
    with pytest.raises(InputError, match=r"w.csv, row 1, column '2020Q1'"):
        read(p)


@pytest.mark.parametrize("content", ["", "   \n\n"])
def test_empty_file(write, content):
    with pytest.raises(InputError, match=r"e.csv: the file is empty"):
        read(write("e.csv", content))


def test_header_only(write):
    with pytest.raises(InputError, match=r"h.csv: no data rows"):
        read(write("h.csv", "iso3,year,indicator,value\n"))


def test_wrong_encoding_says_so(write):
    p = write("enc.csv", "country,year,indicator,value\nFRA,2020,x,1\nCôte d'Ivoire,2020,x,1\n".encode("latin-1"))
    with pytest.raises(InputError) as ei:
        read(p)
    msg = _err(ei)
    assert msg.startswith(f"{p}, row 3: ")
    assert "not valid UTF-8" in msg and "re-save" in msg and "encoding='latin-1'" in msg


def test_missing_required_columns(write):
    p = write("m.csv", "iso3,year,indicator\nFRA,2020,x\n")
    with pytest.raises(InputError) as ei:
        read(p, fmt="long")
    assert "m.csv, row 1" in _err(ei) and "missing required column(s): value" in _err(ei)
    with pytest.raises(InputError, match="missing required column"):
        read(write("n.csv", "foo,bar\n1,2\n"))


def test_ragged_csv_names_line(write):
    with pytest.raises(InputError, match=r"r.csv, row 3: expected 4 fields, found 5"):
        read(write("r.csv", "iso3,year,indicator,value\nFRA,2020,x,1\nFRA,2021,x,1,5\n"))


def test_many_problems_reported_together(write):
    body = "".join(f"FRA,{2000 + i},x,bad{i}\n" for i in range(30))
    p = write("many.csv", "iso3,year,indicator,value\nFRA,20x0,x,1\n" + body)
    with pytest.raises(InputErrors) as ei:
        read(p)
    msg = _err(ei)
    assert msg.startswith("31 problems") and "... and 11 more" in msg
    assert "many.csv, row 2, column 'year'" in msg and "many.csv, row 3, column 'value'" in msg


def test_missing_entity(write):
    with pytest.raises(InputError, match=r"x.csv, row 3, column 'iso3': missing entity"):
        read(write("x.csv", "iso3,year,indicator,value\nFRA,2020,x,1\n,2020,x,1\n"))
