"""Read indicator data files into one long table: ``entity, period, indicator, value, row``.

Formats (detected from the column names unless ``fmt`` is given):

``long``
    one row per observation: an entity column (``entity|country|iso3|geo|code|...``), a period
    column (``period|year|time``), ``indicator`` and ``value``. CSV, Parquet, Excel.
``wide``
    World-Bank style: ``Country Name, Country Code, Indicator Name, Indicator Code`` and one
    column per year (``2020`` or DataBank's ``2020 [YR2020]``); World Bank preamble lines are
    skipped. CSV or Excel.
``coinr``
    a COINr ``iData`` table: ``uCode`` (entity), ``uName``, optional ``Time``, group columns and
    one column per indicator. Which columns are indicators comes from ``indicators`` (an iMeta
    table: Type Indicator/Denominator are data, Type Group are entity attributes; or a list of
    codes). Any table with an entity column and one column per indicator (e.g. OWID grapher
    files: ``Entity, Code, Year, <indicator>``) is read the same way.

Column names are matched case-insensitively. ``row`` is the 1-based line number in the file
(header = line 1; Excel: the sheet row; Parquet/DataFrame: record number + 1). Problems raise
:class:`~holisec.data.errors.InputError` naming file, row and column. Empty cells and the usual
missing markers (``NA``, ``..``, ``-``) are kept as NaN values.
"""
from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from holisec.data.errors import MAX_LISTED, InputError, Problems

Format = Literal["auto", "long", "wide", "coinr"]

ENTITY_CODE_COLUMNS = ["entity_code", "iso3", "iso3c", "iso_code", "iso", "code", "country code",
                       "countrycode", "country_code", "ucode", "geo", "gwcode", "ccode", "country_iso3"]
ENTITY_NAME_COLUMNS = ["entity", "country", "country name", "countryname", "country_name", "uname",
                       "location", "area"]
PERIOD_COLUMNS = ["period", "year", "time", "time_period"]
INDICATOR_COLUMNS = ["indicator", "indicator code", "indicator_code", "series code", "series_code",
                     "icode", "indicator_id", "variable"]
INDICATOR_NAME_COLUMNS = ["indicator name", "indicator_name", "series name", "series_name", "iname"]
VALUE_COLUMNS = ["value", "obs_value", "val"]
NA_TOKENS = {"", "na", "n/a", "nan", "null", "none", "..", "...", "-", "--", "#n/a", "<na>"}

_YEAR_COL = re.compile(r"^\s*(?:X|YR)?(\d{4})(?:\.0+)?(?:\s*\[YR\d{4}\])?\s*$", re.IGNORECASE)
_BAD_YEAR_COL = re.compile(r"^\s*(?:X|YR)?\d{4}\S+", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})(?:\.0+)?$")


@dataclass
class ReadResult:
    """What :func:`read` found.

    ``data``: entity (as written in the file), period (int64), indicator, value (float64, NaN =
    explicitly missing), row (line number), column (the file column the value came from).
    ``entity_names``: entity -> name when the file has both. ``entity_attributes``: entity plus
    one column per group/attribute column. ``indicator_names``: indicator -> name.
    ``entity_key``: hint for :func:`~holisec.data.countries.harmonise` (``gwcode`` for a gwcode column).
    """

    data: pd.DataFrame
    file: str
    format: str
    entity_key: str = "auto"
    entity_names: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))
    entity_attributes: pd.DataFrame = field(default_factory=pd.DataFrame)
    indicator_names: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))
    collapsed: int = 0


# --- loading raw tables -----------------------------------------------------------------------------

@dataclass
class _Raw:
    table: pd.DataFrame  # columns as in the file, cells str (CSV) or native (Excel/Parquet)
    rows: np.ndarray  # line number of each table row
    file: str


def _decode(data: bytes, file: str, encoding: str | None) -> str:
    if encoding is not None:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as err:
            raise InputError(f"cannot decode as {encoding}: {err}", file=file) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("the file is UTF-16, not UTF-8; re-save it as UTF-8 (e.g. 'CSV UTF-8' in Excel)",
                         file=file)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[err.start]:02x} at byte offset {err.start}); re-save the file "
            "as UTF-8 (in Excel: 'CSV UTF-8'), or pass encoding='latin-1' if you know its encoding",
            file=file, row=line,
        ) from None


def _header_index(lines: list[list[str]]) -> int:
    """Index of the header line: the first whose first cell names an entity column (skips WB preambles)."""
    known = set(ENTITY_CODE_COLUMNS) | set(ENTITY_NAME_COLUMNS)
    for i, cells in enumerate(lines[:12]):
        if cells and str(cells[0]).strip().strip('"').strip().casefold() in known:
            return i
    return 0


def _drop_blank_unnamed(table: pd.DataFrame) -> pd.DataFrame:
    unnamed = [c for c in table.columns if re.fullmatch(r"(Unnamed: \d+|\s*|None|nan)", str(c))]
    empty = [c for c in unnamed if table[c].isna().all() or table[c].astype(str).str.strip().eq("").all()]
    return table.drop(columns=empty)


def _read_csv(path: Path, file: str, encoding: str | None) -> _Raw:
    data = path.read_bytes()
    if not data.strip():
        raise InputError("the file is empty", file=file)
    text = _decode(data, file, encoding)
    head = text.splitlines()[:12]
    first = next((ln for ln in head if ln.strip()), "")
    sep = max([",", ";", "\t"], key=first.count)
    skip = _header_index([ln.split(sep) for ln in head])
    try:
        table = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                            skiprows=skip, skip_blank_lines=False)
    except pd.errors.ParserError as err:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(err))
        if m:
            raise InputError(f"expected {m[1]} fields, found {m[3]} (check the delimiter and quoting)",
                             file=file, row=int(m[2])) from None
        raise InputError(f"cannot parse CSV: {err}", file=file) from None
    except pd.errors.EmptyDataError:
        raise InputError("the file is empty", file=file) from None
    table.columns = [str(c).strip() for c in table.columns]
    rows = np.arange(len(table)) + skip + 2
    return _Raw(_drop_blank_unnamed(table), rows, file)


def _cell_text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()


def _read_excel(path: Path, file: str, sheet: str | int | None) -> _Raw:
    try:
        book = pd.ExcelFile(path)
    except Exception as err:  # openpyxl/zipfile raise many types
        raise InputError(f"cannot open as an Excel workbook: {err}", file=file) from None
    names = book.sheet_names
    if isinstance(sheet, str) and sheet not in names:
        raise InputError(f"no sheet named {sheet!r}; sheets: {names}", file=file)
    name = names[sheet or 0] if not isinstance(sheet, str) else sheet
    label = f"{file} (sheet {name!r})"
    grid = pd.read_excel(book, sheet_name=name, header=None, dtype=object)
    if grid.dropna(how="all").empty:
        raise InputError("the sheet is empty", file=label)
    top = [[_cell_text(v) for v in r] for r in grid.head(12).itertuples(index=False)]
    h = _header_index(top)
    header = [_cell_text(v) for v in grid.iloc[h]]
    table = grid.iloc[h + 1:].reset_index(drop=True)
    table.columns = header
    rows = np.arange(len(table)) + h + 2
    return _Raw(_drop_blank_unnamed(table), rows, label)


def _load(source, file: str | None, sheet, encoding) -> _Raw:
    if isinstance(source, pd.DataFrame):
        t = source.reset_index(drop=True)
        t.columns = [str(c).strip() for c in t.columns]
        return _Raw(t, np.arange(len(t)) + 2, file or "<DataFrame>")
    path = Path(source)
    file = file or str(source)
    if not path.exists():
        raise InputError("file not found", file=file)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return _read_excel(path, file, sheet)
    if suffix in (".parquet", ".pq"):
        if path.stat().st_size == 0:
            raise InputError("the file is empty", file=file)
        try:
            t = pd.read_parquet(path)
        except Exception as err:
            raise InputError(f"cannot read as Parquet: {err}", file=file) from None
        t.columns = [str(c).strip() for c in t.columns]
        return _Raw(t.reset_index(drop=True), np.arange(len(t)) + 2, file)
    return _read_csv(path, file, encoding)


# --- cell parsing (vectorised) ----------------------------------------------------------------------

def _text(s: pd.Series) -> pd.Series:
    """Stripped strings, NA for empty; integral floats (2.0) become '2'."""
    if pd.api.types.is_float_dtype(s):
        out = s.astype("Int64").astype("string") if s.dropna().mod(1).eq(0).all() else s.astype("string")
    else:
        out = s.astype("string").str.strip()
        out = out.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    return out.mask(out.eq(""))


def _numbers(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Floats (NaN for missing markers) and a mask of unparseable cells."""
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        v = s.astype("float64").to_numpy(na_value=np.nan) if hasattr(s, "array") else np.asarray(s, float)
        return v, np.isinf(v)
    t = s.astype("string").str.strip()
    na = (t.isna() | t.str.casefold().isin(NA_TOKENS)).to_numpy(bool)
    num = pd.to_numeric(t.mask(na), errors="coerce").astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = (np.isnan(num) & ~na) | np.isinf(num)
    return num, bad


def _periods(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """int64 years, a mask of malformed cells and a mask of empty cells."""
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        v = s.astype("float64").to_numpy(na_value=np.nan)
        empty = np.isnan(v)
        ok = ~empty & (np.mod(np.nan_to_num(v), 1) == 0) & (v >= 1000) & (v <= 9999)
        return np.where(ok, np.nan_to_num(v), 0).astype(np.int64), ~ok & ~empty, empty
    t = s.astype("string").str.strip()
    empty = (t.isna() | t.eq("")).to_numpy(bool)
    year = t.str.extract(_YEAR, expand=False)
    ok = year.notna().to_numpy(bool)
    return pd.to_numeric(year.where(ok, "0")).astype(np.int64).to_numpy(), ~ok & ~empty, empty


def _find(columns: list[str], aliases: list[str]) -> str | None:
    low = {c.casefold(): c for c in reversed(columns)}
    return next((low[a] for a in aliases if a in low), None)


# --- indicator lists / iMeta --------------------------------------------------------------------------

def _indicator_spec(indicators) -> tuple[set[str] | None, set[str], pd.Series]:
    """(allowed data codes or None, group columns, names) from a list, an iMeta table/path or a Framework."""
    if indicators is None:
        return None, set(), pd.Series(dtype=object)
    if hasattr(indicators, "indicator_ids"):  # a Framework
        codes = set(indicators.indicator_ids) | {i.denominator for i in indicators.indicators if i.denominator}
        names = pd.Series({i.id: i.name for i in indicators.indicators}, dtype=object)
        return codes, set(), names
    if isinstance(indicators, (str, Path)):
        p = Path(indicators)
        indicators = pd.read_excel(p) if p.suffix.lower() in (".xlsx", ".xls") else pd.read_csv(p)
    if isinstance(indicators, pd.DataFrame):
        meta = indicators
        if "iCode" not in meta.columns:
            raise ValueError(f"iMeta needs an iCode column; has {list(meta.columns)}")
        typ = meta["Type"].astype(str) if "Type" in meta.columns else pd.Series("Indicator", index=meta.index)
        data = meta.loc[typ.isin(["Indicator", "Denominator"]), "iCode"].astype(str)
        groups = set(meta.loc[typ.eq("Group"), "iCode"].astype(str))
        names = (meta.loc[typ.isin(["Indicator", "Denominator"])].set_index("iCode")["iName"]
                 if "iName" in meta.columns else pd.Series(dtype=object))
        return set(data), groups, names.astype(object)
    return {str(c) for c in indicators}, set(), pd.Series(dtype=object)


def _unknown_indicator(code: str, allowed: set[str]) -> str:
    close = difflib.get_close_matches(code, sorted(allowed), n=3)
    hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
    return f"unknown indicator {code!r} (not among the {len(allowed)} allowed indicators){hint}"


# --- format detection and reshaping --------------------------------------------------------------------

def _entity_values(t: pd.DataFrame, ent: str, name: str | None) -> pd.Series:
    """The entity column, falling back to the name where the code is empty (e.g. OWID regions)."""
    e = t[ent]
    return e.where(_text(e).notna().to_numpy(), t[name]) if name else e


def _entity_columns(cols: list[str]) -> tuple[str | None, str | None]:
    code = _find(cols, ENTITY_CODE_COLUMNS)
    name = _find(cols, ENTITY_NAME_COLUMNS)
    return code or name, (name if code else None)


def detect_format(columns) -> str:
    """``long``, ``wide`` or ``coinr`` from a table's column names (``coinr`` = one column per indicator)."""
    cols = [str(c) for c in columns]
    if _find(cols, ["ucode"]):
        return "coinr"
    if _find(cols, VALUE_COLUMNS) and _find(cols, INDICATOR_COLUMNS):
        return "long"
    if any(_YEAR_COL.match(c) for c in cols):
        return "wide"
    if _find(cols, VALUE_COLUMNS):
        return "long"
    return "coinr"


def _missing_columns(file: str, cols: list[str], what: dict[str, list[str]]) -> None:
    needs = [f"{k} (one of: {', '.join(v)})" for k, v in what.items() if not _find(cols, v)]
    if needs:
        raise InputError(f"missing required column(s): {'; '.join(needs)}; found columns {cols}",
                         file=file, row=1)


def _long(raw: _Raw, indicator: str | None, period: int | None) -> tuple[pd.DataFrame, dict]:
    t, cols = raw.table, list(raw.table.columns)
    need = {"entity": ENTITY_CODE_COLUMNS[:12] + ENTITY_NAME_COLUMNS[:2], "value": VALUE_COLUMNS}
    if period is None:
        need["period"] = PERIOD_COLUMNS
    if indicator is None:
        need["indicator"] = INDICATOR_COLUMNS
    _missing_columns(raw.file, cols, need)
    ent, name = _entity_columns(cols)
    per, ind, val = _find(cols, PERIOD_COLUMNS), _find(cols, INDICATOR_COLUMNS), _find(cols, VALUE_COLUMNS)
    df = pd.DataFrame({
        "entity": _entity_values(t, ent, name), "name": t[name] if name else None,
        "period": t[per] if per else str(period), "indicator": t[ind] if ind else indicator,
        "value": t[val], "row": raw.rows, "column": val,
    })
    iname = _find(cols, INDICATOR_NAME_COLUMNS)
    cols_used = dict(entity=ent, period=per or "period", indicator=ind or "indicator", value=val)
    names = pd.Series(t[iname].to_numpy(object), index=_text(t[ind]).to_numpy(object)) if iname and ind else None
    return df, dict(columns=cols_used, indicator_names=names, name_col=name)


def _wide(raw: _Raw, indicator: str | None) -> tuple[pd.DataFrame, dict]:
    t, cols = raw.table, list(raw.table.columns)
    need = {"entity": ["Country Code", "Country Name", *ENTITY_CODE_COLUMNS, *ENTITY_NAME_COLUMNS[:2]]}
    if indicator is None:
        need["indicator"] = ["Indicator Code", "Series Code", *INDICATOR_COLUMNS]
    _missing_columns(raw.file, cols, need)
    bad = [c for c in cols if _BAD_YEAR_COL.match(c) and not _YEAR_COL.match(c)]
    if bad:
        raise InputError(f"column header {bad[0]!r} is not a 4-digit year such as 2020", file=raw.file,
                         row=raw.rows[0] - 1 if len(raw.rows) else 1, column=bad[0])
    years = {c: int(_YEAR_COL.match(c)[1]) for c in cols if _YEAR_COL.match(c)}
    ent, name = _entity_columns(cols)
    ind = _find(cols, INDICATOR_COLUMNS)
    iname = _find(cols, INDICATOR_NAME_COLUMNS)
    base = pd.DataFrame({"entity": _entity_values(t, ent, name), "name": t[name] if name else None,
                         "indicator": t[ind] if ind else indicator, "row": raw.rows})
    vals = t[list(years)].copy()
    vals.columns = list(years)
    vals["_i"] = np.arange(len(t))
    m = vals.melt(id_vars="_i", var_name="column", value_name="value")
    df = base.iloc[m["_i"].to_numpy()].reset_index(drop=True)
    df["period"] = m["column"].map(years).to_numpy()
    df["value"] = m["value"].to_numpy(object)
    df["column"] = m["column"].to_numpy(object)
    names = pd.Series(t[iname].to_numpy(object), index=_text(t[ind]).to_numpy(object)) if iname and ind else None
    cols_used = dict(entity=ent, period="period", indicator=ind or "indicator", value=None)
    return df, dict(columns=cols_used, indicator_names=names, name_col=name)


def _table(raw: _Raw, spec, period: int | None) -> tuple[pd.DataFrame, dict, Problems]:
    t, cols = raw.table, list(raw.table.columns)
    _missing_columns(raw.file, cols, {"entity": ["uCode", *ENTITY_CODE_COLUMNS, *ENTITY_NAME_COLUMNS]})
    allowed, groups, _ = spec
    ent, name = _entity_columns(cols)
    per = _find(cols, PERIOD_COLUMNS)
    if per is None and period is None:
        raise InputError("missing column 'Time' (or 'year'/'period'); add it or pass period=YEAR",
                         file=raw.file, row=1)
    if _find(cols, VALUE_COLUMNS) and not _find(cols, INDICATOR_COLUMNS):
        raise InputError(f"missing required column: indicator (one of: {', '.join(INDICATOR_COLUMNS)}) "
                         "next to 'value'; or pass indicator=CODE", file=raw.file, row=1)
    used = {c for c in (ent, name, per) if c}
    rest = [c for c in cols if c not in used]
    problems = Problems(raw.file)
    if allowed is not None:
        data_cols = [c for c in rest if c in allowed]
        others = [c for c in rest if c not in allowed]
        group_cols = [c for c in others if c in groups or c.casefold().startswith("group")
                      or (groups == set() and _numbers(t[c])[1][t[c].notna().to_numpy()].all())]
        for c in others:
            if c not in group_cols:
                problems.add(_unknown_indicator(c, allowed), row=int(raw.rows[0]) - 1 if len(raw.rows) else 1,
                             column=c)
    else:
        def numeric(c):
            v, bad = _numbers(t[c])
            filled = int((~np.isnan(v) | bad).sum())
            return not c.casefold().startswith("group") and (filled == 0 or bad.sum() <= filled / 2)
        data_cols = [c for c in rest if numeric(c)]
        group_cols = [c for c in rest if c not in data_cols]
    vals = t[data_cols].copy()
    vals["_i"] = np.arange(len(t))
    m = vals.melt(id_vars="_i", var_name="column", value_name="value")
    idx = m["_i"].to_numpy()
    df = pd.DataFrame({
        "entity": _entity_values(t, ent, name).to_numpy(object)[idx],
        "name": t[name].to_numpy(object)[idx] if name else None,
        "period": t[per].to_numpy(object)[idx] if per else str(period),
        "indicator": m["column"].to_numpy(object), "value": m["value"].to_numpy(object),
        "row": raw.rows[idx], "column": m["column"].to_numpy(object),
    })
    attrs = t[[ent, *group_cols]].copy() if group_cols else None
    if attrs is not None:
        attrs[ent] = _entity_values(t, ent, name)
    cols_used = dict(entity=ent, period=per or "period", indicator=None, value=None)
    return df, dict(columns=cols_used, indicator_names=None, name_col=name, attributes=attrs), problems


# --- public API ----------------------------------------------------------------------------------------

def read(source, *, fmt: Format = "auto", indicators=None, sheet: str | int | None = None,
         encoding: str | None = None, period: int | None = None, indicator: str | None = None,
         file: str | None = None) -> ReadResult:
    """Read a long, wide (World Bank) or COINr/table file (CSV, Parquet, Excel) or a DataFrame.

    ``indicators``: allowed indicator codes (list), a COINr iMeta (DataFrame or path) or a
    Framework. In long/wide files other indicators are errors; in tables they say which columns
    hold data. ``sheet``: Excel sheet name or index (default first). ``encoding``: only if the
    file is not UTF-8 (e.g. ``"latin-1"``). ``period``/``indicator``: constants for files that
    lack that column. ``file``: name used in messages (default: the path).
    """
    if fmt not in ("auto", "long", "wide", "coinr", "table"):
        raise ValueError(f"fmt must be auto, long, wide or coinr; got {fmt!r}")
    raw = _load(source, file, sheet, encoding)
    file = raw.file
    # keep row numbers, drop fully blank lines
    cells = raw.table.astype("string").apply(lambda c: c.str.strip()) if len(raw.table.columns) else raw.table
    blank = (cells.isna() | cells.eq("")).all(axis=1).to_numpy(bool) if len(raw.table.columns) else np.array([], bool)
    if blank.any():
        raw = _Raw(raw.table.loc[~blank].reset_index(drop=True), raw.rows[~blank], file)
    if raw.table.empty:
        raise InputError("no data rows (only a header)" if len(raw.table.columns) else "the file is empty",
                         file=file)
    cols = list(raw.table.columns)
    kind = detect_format(cols) if fmt == "auto" else ("coinr" if fmt == "table" else fmt)
    spec = _indicator_spec(indicators)
    problems = Problems(file)
    if kind == "long":
        df, info = _long(raw, indicator, period)
    elif kind == "wide":
        df, info = _wide(raw, indicator)
    else:
        df, info, problems = _table(raw, spec, period)
    out, collapsed = _validate(df, info["columns"], spec[0] if kind != "coinr" else None, problems, file)

    key = "auto"
    ent_col = info["columns"]["entity"]
    if ent_col.casefold() in ("gwcode", "ccode"):
        key = ent_col.casefold()
    ent_text = _text(df["entity"]).to_numpy(object)
    names = pd.Series(dtype=object)
    if info.get("name_col"):
        nm = pd.DataFrame({"entity": ent_text, "name": _text(df["name"]).to_numpy(object)}).dropna()
        names = nm.drop_duplicates("entity").set_index("entity")["name"]
        # entities given only by name (e.g. OWID regions without a code) are named by themselves
    attrs = info.get("attributes")
    if attrs is not None:
        attrs = attrs.copy()
        attrs.iloc[:, 0] = _text(attrs.iloc[:, 0])
        attrs = attrs.rename(columns={attrs.columns[0]: "entity"}).dropna(subset=["entity"])
        attrs = attrs.drop_duplicates("entity").reset_index(drop=True)
    ind_names = info.get("indicator_names")
    if ind_names is None:
        ind_names = spec[2]
    ind_names = ind_names[~ind_names.index.duplicated()].dropna() if len(ind_names) else ind_names
    return ReadResult(data=out, file=file, format=kind, entity_key=key, entity_names=names,
                      entity_attributes=attrs if attrs is not None else pd.DataFrame(),
                      indicator_names=ind_names, collapsed=collapsed)


def _validate(df: pd.DataFrame, cols: dict, allowed: set[str] | None, problems: Problems, file: str):
    """Parse cells, collect problems (raised together), collapse identical duplicates."""
    rows = df["row"].to_numpy()
    vcol = df["column"].astype(str).to_numpy(object)
    entity = _text(df["entity"])
    e_missing = entity.isna().to_numpy(bool)
    indicator = _text(df["indicator"])
    i_missing = indicator.isna().to_numpy(bool)
    period, p_bad, p_empty = _periods(df["period"])
    value, v_bad = _numbers(df["value"])
    # whole-line checks are reported once per line
    first_of_row = ~pd.Series(rows).duplicated().to_numpy()
    m = e_missing & first_of_row
    problems.add_many(rows[m][:MAX_LISTED], cols["entity"], "missing entity (country code or name)")
    m = (p_bad | p_empty) & first_of_row
    raw_p = df["period"].astype("string").to_numpy(object)
    problems.add_many(rows[m][:MAX_LISTED], cols["period"],
                      (f"period must be a 4-digit year such as 2020, got {str(v)!r}" if not pd.isna(v)
                       else "missing period" for v in raw_p[m][:MAX_LISTED]))
    if cols["indicator"]:
        m = i_missing & first_of_row
        problems.add_many(rows[m][:MAX_LISTED], cols["indicator"], "missing indicator code")
    if allowed is not None:
        unknown = ~indicator.isin(allowed).to_numpy(bool) & ~i_missing
        if unknown.any():  # one problem per distinct unknown code, at its first row
            u = pd.DataFrame({"ind": indicator[unknown].to_numpy(object), "row": rows[unknown]})
            u = u.drop_duplicates("ind")
            problems.add_many(u["row"].to_numpy(), cols["indicator"] or "indicator",
                              (_unknown_indicator(i, allowed) for i in u["ind"].head(MAX_LISTED)))
    if v_bad.any():
        where = np.flatnonzero(v_bad)
        raw_v = df["value"].to_numpy(object)[where[:MAX_LISTED]]
        for i, v in zip(where[:MAX_LISTED], raw_v):
            hint = " (use '.' as decimal separator and no thousands separator)" if "," in str(v) else ""
            problems.add(f"not a number: {str(v)!r}{hint}", row=int(rows[i]), column=cols["value"] or vcol[i])
        problems.total += len(where) - min(len(where), MAX_LISTED)
    problems.raise_if_any()

    out = pd.DataFrame({"entity": entity.to_numpy(object), "period": period,
                        "indicator": indicator.to_numpy(object), "value": value, "row": rows,
                        "column": vcol})
    out, collapsed = collapse_duplicates(out, file, value_column=cols["value"])
    return out.reset_index(drop=True), collapsed


def collapse_duplicates(df: pd.DataFrame, file: str, keys=("entity", "period", "indicator"),
                        value_column: str | None = "value") -> tuple[pd.DataFrame, int]:
    """Drop repeated identical rows; raise naming both rows if a key has different values."""
    keys = list(keys)
    dup = df.duplicated(keys, keep=False).to_numpy()
    if not dup.any():
        return df, 0
    sub = df[dup].sort_values([*keys, "row"], kind="stable")
    vals, rows = sub["value"].to_numpy(np.float64), sub["row"].to_numpy()
    is_first = ~sub.duplicated(keys).to_numpy()
    gid = np.cumsum(is_first) - 1
    first = np.flatnonzero(is_first)[gid]
    fv, fr = vals[first], rows[first]
    same = (vals == fv) | (np.isnan(vals) & np.isnan(fv))
    if not same.all():
        problems = Problems(file)
        bad = np.flatnonzero(~same)
        for i in bad[:MAX_LISTED]:
            r = sub.iloc[i]
            problems.add(f"duplicate key (entity {r['entity']!r}, period {int(r['period'])}, indicator "
                         f"{r['indicator']!r}) with different values: {vals[i]!r} here, {fv[i]!r} in row {int(fr[i])}",
                         row=int(rows[i]), column=value_column or str(r["column"]))
        problems.total += len(bad) - min(len(bad), MAX_LISTED)
        problems.raise_if_any()
    keep = ~df.duplicated(keys, keep="first").to_numpy()
    return df[keep], int((~keep).sum())


def read_long(source, **kw) -> ReadResult:
    """:func:`read` with ``fmt="long"``."""
    return read(source, fmt="long", **kw)


def read_wide(source, **kw) -> ReadResult:
    """:func:`read` with ``fmt="wide"`` (World Bank layout)."""
    return read(source, fmt="wide", **kw)


def read_coinr(source, indicators=None, **kw) -> ReadResult:
    """:func:`read` with ``fmt="coinr"``: a COINr iData table (``indicators``: iMeta or codes)."""
    return read(source, fmt="coinr", indicators=indicators, **kw)
