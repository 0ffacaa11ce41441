"""Top-level commands: ``build``, ``audit``, ``rank`` and ``demo``."""
from __future__ import annotations

import sys
from pathlib import Path

import typer

from holisec.cli.common import (
    StoreOpt, check_in, check_out, cli_store, console, err_console, fail, frame_records, print_json, print_notes, score_notes,
    show_table, user_errors,
)

FrameworkOpt = typer.Option(None, "--framework", "-f", help="Framework name, YAML file or COINr iMeta "
                            "(default: holistic for countries, subnational for regions).")
RecipeOpt = typer.Option(None, "--recipe", "-r", help="Recipe YAML/JSON or built-in name (default: 'default').")
AsOfOpt = typer.Option(None, "--as-of", help="Data vintage: ingest id or timestamp (default: latest).")
EntityTypeOpt = typer.Option("country", "--entity-type", help="country | region (sub-national GDL regions).")
JsonOpt = typer.Option(False, "--json", help="Machine-readable output on stdout (NaN -> null).")
IDataOpt = typer.Option(None, "--idata", help="COINr-style iData table (instead of the store).")
IMetaOpt = typer.Option(None, "--imeta", help="COINr-style iMeta table (with --idata).")
TABLES = (".csv", ".xlsx", ".xls", ".parquet")


def _check_common(entity_type: str, idata: Path | None = None, imeta: Path | None = None) -> None:
    """Usage checks before any work: entity type, COINr tables given together and readable."""
    if entity_type not in ("country", "region"):
        fail(f"--entity-type must be 'country' or 'region', not {entity_type!r}")
    if (idata is None) != (imeta is None):
        fail("--idata and --imeta go together: give both COINr tables")
    if idata is not None:
        check_in(idata, "--idata", TABLES)
        check_in(imeta, "--imeta", TABLES)


def _recipe(recipe: str | None):
    """The --recipe read before any data are (a broken recipe fails at once), or None."""
    if recipe is None:
        return None
    from holisec.pipeline.recipe import Recipe

    with user_errors():
        return Recipe.load(Path(recipe)) if Path(recipe).suffix else Recipe.builtin(recipe)


def _named(result, store, entity_type: str, idata=None):
    """The result with entity names for its exports (the store's names; COINr tables: the codes)."""
    if idata is None:
        result.entity_names = _names(store, entity_type)
    return result


def register(app: typer.Typer) -> None:
    for name, fn in (("build", build), ("audit", audit), ("rank", rank), ("demo", demo)):
        app.command(name)(fn)


RebuildOpt = typer.Option(False, "--rebuild", help="Build afresh instead of reading the build stored for the same "
                          "framework, recipe, vintage and version (the stored copy is kept).")


def _result(store, framework, recipe, as_of, idata=None, imeta=None, entity_type="country", rebuild=False):
    """The build stored in the store for these choices (built and stored on first use), or a
    build from COINr iData/iMeta tables when given."""
    from holisec.pipeline import build as run_build, read_coinr

    if (idata is None) != (imeta is None):
        raise typer.BadParameter("--idata and --imeta go together")
    if idata is not None:
        panel, fw, groups = read_coinr(idata, imeta)
        rec = recipe or "coinr_minmax_amean"
        return run_build(rec, panel, fw, entity_groups=groups, vintage=f"file {Path(idata).name}")
    from holisec.index import stored_build

    with cli_store(store) as st:
        return stored_build(st, framework, recipe, as_of=as_of, entity_type=entity_type, rebuild=rebuild,
                            notify=lambda msg: err_console.print(f"[dim]{msg}[/]", highlight=False))


def build(
    out: Path = typer.Option(..., "--out", "-o", help="results.parquet | .csv | .xlsx"),
    recipe: str = RecipeOpt,
    framework: str = FrameworkOpt,
    as_of: str = AsOfOpt,
    idata: Path = IDataOpt,
    imeta: Path = IMetaOpt,
    entity_type: str = EntityTypeOpt,
    rebuild: bool = RebuildOpt,
    alerts: bool = typer.Option(True, "--alerts/--no-alerts",
                                help="Append this build's alerts to the store's alert register (history kept)."),
    store: str = StoreOpt,
    json_out: bool = JsonOpt,
) -> None:
    """Build the composite index (0-100, higher = more risk), save every score with its provenance
    (name, raw value, imputed flag, observation year, sources), register alerts."""
    from holisec.index import well_observed_periods

    _check_common(entity_type, idata, imeta)
    check_out(out)
    recipe = _recipe(recipe)
    with user_errors():
        result = _named(_result(store, framework, recipe, as_of, idata, imeta, entity_type, rebuild=rebuild),
                        store, entity_type, idata)
        path = result.save(out)
        n_alerts = _register_alerts(store, result) if alerts and idata is None else None
        year = max(well_observed_periods(result))
        notes = score_notes(result, year)
    if n_alerts:
        n_alerts.pop("register")
    note = result.licence_note()
    meta = {**result.metadata(), "licence_note": note, "out": str(path), "alerts": n_alerts,
            "entities": int(result.scores.sizes["entity"]), "periods": int(result.scores.sizes["period"]),
            "codes": int(result.scores.sizes["code"]), "notes": notes}
    if json_out:
        print_json(meta)
        return
    console.print(f"[green]built[/] {meta['entities']} entities x {meta['periods']} periods x "
                  f"{meta['codes']} codes -> {path}  (recipe {result.recipe.name} "
                  f"{result.recipe.hash[:12]}, {result.vintage}, holisec {result.version})", highlight=False)
    print_notes(notes + ["Every saved value carries its entity name, raw value, `imputed` flag, share imputed and "
                         "the year of the observation it comes from (obs_period)."])
    if note:
        console.print(f"[yellow]{note}[/]", highlight=False)
    if n_alerts:
        console.print(f"alert register: {n_alerts['red']} red, {n_alerts['amber']} amber for "
                      f"{n_alerts['periods']} (holisec warn alerts)", highlight=False)


def _register_alerts(store, result) -> dict:
    """Append the build's alerts (latest well-observed years) to the store; counts by level."""
    from holisec.warning.register import register_alerts

    build_id = f"{result.framework.id}:{result.recipe.hash[:12]}:{result.vintage}:holisec {result.version}"
    with cli_store(store, read_only=False) as st:  # an identical build (same id) is registered once
        register = register_alerts(st, result, build_id, skip_existing=True)
    counts = register["level"].value_counts()
    periods = sorted(int(p) for p in register["period"].unique())
    return {"build_id": build_id, "red": int(counts.get("red", 0)), "amber": int(counts.get("amber", 0)),
            "periods": f"{periods[0]}-{periods[-1]}" if periods else "", "register": register}


def rank(
    year: int = typer.Option(..., "--year", "-y", help="Period to rank."),
    domain: str = typer.Option(None, "--domain", "-d", help="A domain/group code or an element id (default: the index)."),
    top: int = typer.Option(0, "--top", min=0, help="Show only the first N (0 = all)."),
    out: Path = typer.Option(None, "--out", "-o", help="Also write the ranking to FILE (.csv | .parquet | .xlsx)."),
    recipe: str = RecipeOpt,
    framework: str = FrameworkOpt,
    as_of: str = AsOfOpt,
    entity_type: str = EntityTypeOpt,
    rebuild: bool = RebuildOpt,
    store: str = StoreOpt,
    json_out: bool = JsonOpt,
) -> None:
    """Rank entities in one year by the index or a domain (1 = highest risk)."""
    _check_common(entity_type)
    if out is not None:
        check_out(out)
    recipe = _recipe(recipe)
    with user_errors():
        if domain is not None:
            _check_code(domain, framework, entity_type)
        result = _result(store, framework, recipe, as_of, entity_type=entity_type, rebuild=rebuild)
    _show_rank(result, year, domain, top, store, entity_type, json_out, out)


def _check_code(code: str, framework, entity_type: str) -> None:
    """A --domain that the framework has (a group, an indicator or an element), before any build."""
    from holisec.framework import load_framework

    fw = load_framework(framework or ("subnational" if entity_type == "region" else "holistic"))
    known = [g.id for g in fw.groups] + list(fw.indicator_ids) + [e.id for e in fw.elements]
    if code not in known:
        fail(f"--domain {code!r} is not in framework {fw.id!r}: groups {', '.join(g.id for g in fw.groups)}; "
             f"elements {', '.join(e.id for e in fw.elements) or '(none)'}; or an indicator code")


def _ranking(result, year: int, code: str, names: dict[str, str]):
    """The ranking table: name, score, rank and the share of the entity's values imputed."""
    from holisec.pipeline.provenance import code_shares

    table = result.rank(year, code).dropna(subset=["score"])
    table.insert(0, "name", [names.get(e, e) for e in table.index])
    if code in result.scores["code"].values:
        share = code_shares(result)["imputed_share"].sel(period=year, code=code).to_series()
        table["imputed"] = share.reindex(table.index).to_numpy()
    return table.rename_axis("entity")


def _title(result, code: str, year: int) -> str:
    fw = result.framework
    if code == result.root:
        what = f"{fw.id} framework: {fw.tree.at[code, 'name'] if code in fw.tree.index else code}"
    else:
        name = fw.tree.at[code, "name"] if code in fw.tree.index else next(
            (e.name for e in fw.elements if e.id == code), code)
        what = f"{fw.id} framework, {code} ({name})"
    return f"{what}, {year} (rank 1 = highest risk)"


def _show_rank(result, year: int, domain: str | None, top: int, store, entity_type: str, json_out: bool,
               out: Path | None = None) -> None:
    """Print the ranking of one code (default: the index) in one year, as a table or JSON."""
    from holisec.pipeline.result import export_table

    with user_errors():
        code = domain or result.root
        table = _ranking(result, year, code, _names(store, entity_type))
        notes = score_notes(result, year, code)
        meta = {**result.metadata(), "code": code, "period": str(year), "licence_note": result.licence_note()}
        if top:
            table = table.head(top)
        if out is not None:
            export_table(table.reset_index(), out, {**meta, "scale": notes[0]})
    if json_out:
        print_json({**meta, "period": year, "polarity": "higher = more risk", "notes": notes,
                    "ranking": frame_records(table)})
        return
    shown = table.assign(imputed=table["imputed"].map(lambda v: "" if v != v else f"{100 * v:.0f}%")) \
        if "imputed" in table else table
    show_table(shown.rename(columns={"imputed": "imputed %"}), _title(result, code, year), floatfmt="{:.1f}",
               max_rows=top or 300)
    print_notes(notes)
    console.print(f"{result.vintage}; recipe {result.recipe.name} {result.recipe.hash[:12]}. "
                  f"{result.licence_note()}", highlight=False)
    if out is not None:
        console.print(f"ranking -> {out}", highlight=False)


def _names(store, entity_type: str = "country") -> dict[str, str]:
    try:
        with cli_store(store) as st:
            ents = st.entities(entity_type=entity_type)
        return dict(zip(ents["entity"], ents["name"]))
    except Exception:  # noqa: BLE001 - names are cosmetic
        return {}


def audit(
    year: int = typer.Option(None, "--year", "-y", help="Audit one period (default: all, pooled)."),
    importance: str = typer.Option("groups", "--importance", help="Leave-one-out: none | groups | all."),
    recipe: str = RecipeOpt,
    framework: str = FrameworkOpt,
    as_of: str = AsOfOpt,
    rebuild: bool = RebuildOpt,
    idata: Path = IDataOpt,
    imeta: Path = IMetaOpt,
    store: str = StoreOpt,
    json_out: bool = JsonOpt,
) -> None:
    """Statistical audit: coverage, correlations, alpha, PCA, effective weights, leave-one-out, external validity
    (COINr users: --idata/--imeta audit a COINr iData/iMeta pair)."""
    from holisec.index import audit_result, benchmarks

    if importance not in ("none", "groups", "all"):
        fail(f"--importance must be 'none', 'groups' or 'all', not {importance!r}")
    _check_common("country", idata, imeta)
    recipe = _recipe(recipe)
    with user_errors():
        result = _result(store, framework, recipe, as_of, idata, imeta, rebuild=rebuild)
        published = None
        if idata is None:
            with cli_store(store) as st:
                published = benchmarks(st, as_of=as_of)
        report = audit_result(result, period=year, importance=importance, benchmarks=published)
    if json_out:
        print_json({**result.metadata(), **report.to_dict()})
    else:
        console.print(report.summary(), highlight=False)


def demo(
    store: str = StoreOpt,
    serve: bool = typer.Option(None, "--serve/--no-serve", help="Then serve the dashboard until Ctrl-C "
                               "(default: when run in a terminal; `make demo` passes --serve)."),
    port: int = typer.Option(8000, "--port", help="Port of the dashboard."),
) -> None:
    """Load the shipped real data, build the default index, show the latest ranking and red alerts, serve the dashboard."""
    from holisec.cli.data import coverage, load_into_store
    from holisec.cli.warn import alert_legend
    from holisec.index import well_observed_periods

    load_into_store(None, store, shipped=True)  # unchanged files: no-op
    coverage(framework="holistic", store=store, as_of=None, json_out=False)
    with user_errors():
        result = _result(store, "holistic", None, None)
    year = max(well_observed_periods(result))
    console.print(f"Showing {year}: the latest year whose raw data are at least half as complete as the best-covered year "
                  "(later years rest on carried-forward data).")
    _show_rank(result, year, None, 25, store, "country", json_out=False)
    with user_errors():
        n = _register_alerts(store, result)
    reg = n["register"]
    red = reg[(reg["level"] == "red") & (reg["kind"] != "indicator") & (reg["period"] == year)]
    red = (red.sort_values(["code", "value"], ascending=[True, False])
           .assign(score=lambda d: d["value"].round(1))[["entity", "code", "score", "stale", "explanation"]])
    show_table(red.set_axis(["entity", "code", "score", "stale", "why"], axis=1),
               title=f"Red alerts {year} on the index and domains ({len(red)}; {n['red']} red, {n['amber']} amber "
                     f"in {n['periods']} incl. indicators)", floatfmt="{:.1f}")
    print_notes(alert_legend())
    console.print("More: holisec warn alerts --year YEAR, holisec warn show ISO3, holisec audit --year YEAR")
    if serve if serve is not None else sys.stdin.isatty() and sys.stdout.isatty():
        from holisec.cli.serve import serve_app

        serve_app(store, port=port)
