"""The outcome of a build: every intermediate panel, the scores, weights, reports and provenance."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
import yaml

from holisec.framework import Framework
from holisec.pipeline._panel import PipelineError
from holisec.pipeline.recipe import Recipe

#: Fixed timestamp written into xlsx files so that equal results give equal bytes.
_FIXED_CREATED = datetime.datetime(2000, 1, 1)


def _wide(panel: xr.DataArray, dim: str = "indicator") -> pd.DataFrame:
    """``entity, period`` rows and one column per ``dim`` label, in the array's order."""
    table = panel.transpose("entity", "period", dim).to_series().unstack(dim)
    return table[list(panel[dim].values)].reset_index()


def _write_xlsx(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    """Write data frames as sheets with XlsxWriter, column by column from numpy arrays.

    XlsxWriter stamps zip entries with a fixed date; the document date is fixed here, so
    equal inputs give byte-identical workbooks.
    """
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": False, "strings_to_numbers": False})
    book.set_properties({"created": _FIXED_CREATED})
    for name, frame in sheets.items():
        sheet = book.add_worksheet(name[:31])
        sheet.write_row(0, 0, [str(c) for c in frame.columns])
        for j, column in enumerate(frame.columns):
            values = frame[column].to_numpy()
            if values.dtype.kind == "f":
                cells = [None if v != v else float(v) for v in values.tolist()]
            else:
                cells = [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v
                         for v in frame[column].astype(object).tolist()]
            sheet.write_column(1, j, cells)
    book.close()


def export_table(frame: pd.DataFrame, path: str | Path, provenance: dict[str, str]) -> Path:
    """Write a table (a ranking, an alert register) to ``.csv``/``.parquet`` with the
    ``provenance`` as constant columns, or to ``.xlsx`` with a second ``provenance`` sheet;
    equal inputs give byte-identical files."""
    path = Path(path)
    suffix = path.suffix.lower()
    table = frame.reset_index(drop=True)
    if suffix in (".csv", ".parquet"):
        table = table.assign(**{k: v for k, v in provenance.items() if k not in table.columns})
        if suffix == ".csv":
            table.to_csv(path, index=False, lineterminator="\n")
        else:
            table.to_parquet(path, index=False)
    elif suffix == ".xlsx":
        _write_xlsx(path, {"table": table, "provenance": pd.DataFrame(list(provenance.items()),
                                                                      columns=["key", "value"])})
    else:
        raise PipelineError(f"{path}: unsupported format {suffix!r}; use .parquet, .csv or .xlsx")
    return path


@dataclass
class Result:
    """A built index (see ``docs/CONTRACTS.md``).

    Attributes
    ----------
    datasets
        Every intermediate panel in order: ``raw``, then ``denominated``, ``imputed``,
        ``treated``, ``normalised`` as the recipe has them (repeats get ``_2``, ``_3``).
    scores
        ``(entity, period, code)``: normalised indicators and every aggregate, higher = more
        risk; coordinate ``level``, attribute ``polarity``.
    weights
        Weight of each code within its parent, as used.
    reports
        ``imputed``, ``treated``, ``exclusions``, ``denominated``, ``normalisation``,
        ``weights``, ``aggregation`` tables (those the recipe produced).
    """

    datasets: dict[str, xr.DataArray]
    scores: xr.DataArray
    weights: pd.Series
    framework: Framework
    recipe: Recipe
    vintage: str
    version: str
    reports: dict[str, pd.DataFrame] = field(default_factory=dict)
    entity_groups: pd.DataFrame | None = None
    #: entity code -> name written into exports (default: short country names for ISO3 codes)
    entity_names: dict[str, str] | None = None

    @property
    def root(self) -> str:
        return self.framework.root

    def to_frame(self, level: int | None = None) -> pd.DataFrame:
        """Long table ``entity, period, code, level, value`` (optionally one level only)."""
        scores = self.scores
        if level is not None:
            scores = scores.where(scores["level"] == level, drop=True)
        table = scores.to_series().rename("value").reset_index()
        levels = dict(zip(scores["code"].values, scores["level"].values.astype(int)))
        table.insert(3, "level", table["code"].map(levels).astype("int64"))
        return table[["entity", "period", "code", "level", "value"]]

    def elements(self) -> xr.DataArray:
        """Scores of the framework's elements (overlapping views), ``(entity, period, element)``.

        Each element is the equally weighted mean of the scores of its groups that are present
        (the five elements of the holistic approach: people, political, economic, guarantee,
        international). Not part of the aggregation tree, so the index is unaffected.
        """
        have = set(self.scores["code"].values)
        parts = []
        for el in self.framework.elements:
            groups = [g for g in el.groups if g in have]
            parts.append(self.scores.sel(code=groups).mean("code", skipna=True).expand_dims(element=[el.id]))
        if not parts:
            return xr.DataArray(np.empty(self.scores.shape[:2] + (0,)), dims=("entity", "period", "element"),
                                coords={"entity": self.scores["entity"], "period": self.scores["period"], "element": []})
        return xr.concat(parts, dim="element").transpose("entity", "period", "element")

    def rank(self, period: int, code: str | None = None) -> pd.DataFrame:
        """Scores and ranks (1 = highest risk, ties share the best rank) of one code in one period.

        ``code`` is any code of the tree (default: the index) or an element id.
        """
        code = code or self.root
        element_ids = [e.id for e in self.framework.elements]
        codes = set(self.scores["code"].values)
        if code not in codes and code not in element_ids:
            raise ValueError(f"unknown code {code!r}; groups are {[g.id for g in self.framework.groups]}, "
                             f"elements {element_ids}")
        if period not in self.scores["period"].values:
            p = self.scores["period"].values
            raise ValueError(f"no period {period}; the index covers {p.min()}-{p.max()}")
        if code not in codes:
            series = self.elements().sel(period=period, element=code).to_series().rename("score")
        else:
            series = self.scores.sel(period=period, code=code).to_series().rename("score")
        table = series.to_frame()
        table["rank"] = series.rank(ascending=False, method="min").astype("Int64")
        return table.sort_values(["rank", "score"], ascending=[True, False], na_position="last", kind="stable")

    def sources(self) -> pd.DataFrame:
        """Per code: the sources and licences behind it (an aggregate: those of its indicators).

        Columns ``code, sources, licences, non_commercial``; sources are the framework's
        source ids (``;``-joined), so every score can be traced to where its numbers come from.
        """
        fw = self.framework
        known = {src.id: src for src in fw.sources}
        present = set(self.scores["code"].values)
        rows = []
        for code in self.scores["code"].values:
            leaves = [c for c in fw.leaves(code) if c in present] or [code]
            inds = [fw.indicator(c) for c in leaves if c in fw.indicator_ids]
            ids = sorted({i.source for i in inds if i.source})
            licences = sorted({(i.licence or (known[i.source].licence if i.source in known else "")) for i in inds} - {""})
            rows.append((code, ";".join(ids), ";".join(licences),
                         any(known[i].non_commercial for i in ids if i in known)))
        return pd.DataFrame(rows, columns=["code", "sources", "licences", "non_commercial"])

    def licence_note(self, sources: pd.DataFrame | None = None) -> str:
        """One line naming the sources whose data are free for non-commercial use only ('' if none);
        ``sources``: :meth:`sources` if already computed."""
        known = {src.id: src for src in self.framework.sources}
        sources = self.sources() if sources is None else sources
        used = set(";".join(sources["sources"]).split(";")) - {""}
        restricted = sorted(s for s in used if s in known and known[s].non_commercial)
        if not restricted:
            return ""
        names = ", ".join(f"{known[s].name} ({known[s].licence})" for s in restricted)
        return f"Includes data free for non-commercial use only: {names}."

    def metadata(self) -> dict[str, str]:
        """Provenance columns written next to every saved value."""
        return {
            "framework": self.framework.id, "recipe": self.recipe.name, "recipe_hash": self.recipe.hash,
            "vintage": self.vintage, "version": self.version, "polarity": str(self.scores.attrs.get("polarity", "")),
        }

    def names(self) -> pd.Series:
        """Entity code -> name (``entity_names``, else short country names; the code where unknown)."""
        from holisec.data.countries import country_names

        codes = pd.Index(self.scores["entity"].values.astype(str))
        given = pd.Series(self.entity_names or {}, dtype=object).reindex(codes)
        fallback = pd.Series(country_names(list(codes)).to_numpy(dtype=object), index=codes)
        return given.fillna(fallback).fillna(pd.Series(codes, index=codes)).astype(str)

    def long_table(self) -> pd.DataFrame:
        """:meth:`to_frame` with, per value: the entity's ``name``; ``raw`` (the observed value in
        source units, indicators only); ``imputed`` (indicator: not observed; aggregate: more
        than half of its indicator values imputed), ``imputed_share`` and ``obs_period`` (the
        year of the own observation it comes from, see :mod:`holisec.pipeline.provenance`);
        each code's sources (licences: :meth:`sources`) and :meth:`metadata`."""
        from holisec.pipeline.provenance import cell_sources, code_shares

        table = self.to_frame()
        table.insert(1, "name", table["entity"].map(self.names()).astype(str))
        cells = cell_sources(self)
        inds = list(cells["indicator"].values)
        raw = self.datasets["raw"].reindex(entity=self.scores["entity"].values, period=self.scores["period"].values,
                                           indicator=inds).rename(indicator="code")
        extra = xr.Dataset({
            "raw": raw.reindex(code=self.scores["code"].values),
            "imputed_share": code_shares(self, cells)["imputed_share"],
            "obs_period": cells["obs_period"].rename(indicator="code").reindex(code=self.scores["code"].values),
        }).transpose(*self.scores.dims)
        flat = {k: extra[k].values.reshape(-1) for k in extra.data_vars}  # same order as to_frame's rows
        table["raw"] = flat["raw"]
        table["imputed"] = pd.array(np.where(np.isnan(flat["imputed_share"]), None, flat["imputed_share"] > 0.5),
                                    dtype="boolean")
        table["imputed_share"] = flat["imputed_share"]
        table["obs_period"] = pd.array(np.where(np.isnan(flat["obs_period"]), None, flat["obs_period"]), dtype="Int64")
        table = table.merge(self.sources().drop(columns="licences"), on="code", how="left", sort=False)
        for key, value in self.metadata().items():
            table[key] = value
        return table

    def save(self, path: str | Path) -> Path:
        """Write the long table to ``.parquet``, ``.csv`` or ``.xlsx``.

        The long table (:meth:`long_table`) carries names, raw values, imputation flags and
        provenance beside every score. The xlsx workbook has the scores wide (entity, name,
        period, one column per code), the share imputed and the observation year of every
        value (wide), the provenance, a sheet per intermediate dataset (wide), the weights, the
        recipe and the reports. Equal results give byte-identical files.
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            self.long_table().to_csv(path, index=False, lineterminator="\n")
        elif suffix == ".parquet":
            self.long_table().to_parquet(path, index=False)
        elif suffix == ".xlsx":
            sources = self.sources()
            provenance = [*self.metadata().items(), ("licence_note", self.licence_note(sources))]
            from holisec.pipeline.provenance import cell_sources, code_shares

            cells = cell_sources(self)
            names = self.names()

            def named(frame: pd.DataFrame) -> pd.DataFrame:
                return frame.assign(name=frame["entity"].map(names))[["entity", "name", *frame.columns[1:]]]

            sheets = {"scores": named(_wide(self.scores, "code")),
                      "imputed_share": named(_wide(code_shares(self, cells)["imputed_share"], "code")),
                      "obs_period": named(_wide(cells["obs_period"])),
                      "provenance": pd.DataFrame(provenance, columns=["key", "value"]),
                      "sources": sources}
            sheets.update({name: _wide(panel) for name, panel in self.datasets.items()})
            sheets["weights"] = self.weights.rename_axis("code").reset_index()
            recipe_lines = yaml.safe_dump(self.recipe.canonical(), sort_keys=False).splitlines()
            sheets["recipe"] = pd.DataFrame({"recipe": recipe_lines})
            sheets.update({f"report_{name}": report for name, report in self.reports.items() if len(report)})
            _write_xlsx(path, sheets)
        else:
            raise PipelineError(f"{path}: unsupported format {suffix!r}; use .parquet, .csv or .xlsx")
        return path

    def rebuild(self, recipe: Recipe | None = None, framework: Framework | None = None) -> Result:
        """Build again from the same raw data, optionally with another recipe or framework."""
        from holisec.pipeline.build import build

        return build(recipe or self.recipe, self.datasets["raw"], framework or self.framework,
                     entity_groups=self.entity_groups, vintage=self.vintage)
