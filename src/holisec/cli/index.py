"""Top-level commands: ``build``, ``audit``, ``rank`` and ``demo``."""
from __future__ import annotations

import sys
from pathlib import Path

import typer

from holisec.cli.common import StoreOpt, cli_store, console, frame_records, print_json, show_table, user_errors
FrameworkOpt = typer.Option(None, "--framework", "-f", help="Framework name, YAML file or COINr iMeta "
                            "(default: holistic for countries, subnational for regions).")
RecipeOpt = typer.Option(None, "--recipe", "-r", help="Recipe YAML/JSON or built-in name (default: 'default').")
AsOfOpt = typer.Option(None, "--as-of", help="Data vintage: ingest id or timestamp (default: latest).")
EntityTypeOpt = typer.Option("country", "--entity-type", help="country | region (sub-national GDL regions).")


def register(app: typer.Typer) -> None:
    for name, fn in (("build", build), ("audit", audit), ("rank", rank), ("demo", demo)):
        app.command(name)(fn)


def _result(store, framework, recipe, as_of, idata=None, imeta=None, entity_type="country"):
    """Build from the store, or from COINr iData/iMeta tables when given."""
    from holisec.pipeline import build as run_build, default_recipe, read_coinr

    if (idata is None) != (imeta is None):
        raise typer.BadParameter("--idata and --imeta go together")
    if idata is not None:
        panel, fw, groups = read_coinr(idata, imeta)
        rec = recipe or "coinr_minmax_amean"
        return run_build(rec, panel, fw, entity_groups=groups, vintage=f"file {Path(idata).name}")
    from holisec.index import build_from_store

    with cli_store(store) as st:
        return build_from_store(st, framework, recipe or default_recipe(), as_of=as_of, entity_type=entity_type)


def build(
    out: Path = typer.Option(..., "--out", "-o", help="results.parquet | .csv | .xlsx"),
    recipe: str = RecipeOpt,
    framework: str = FrameworkOpt,
    as_of: str = AsOfOpt,
    idata: Path = typer.Option(None, "--idata", help="COINr-style iData table (instead of the store)."),
    imeta: Path = typer.Option(None, "--imeta", help="COINr-style iMeta table (with --idata)."),
    entity_type: str = EntityTypeOpt,
    alerts: bool = typer.Option(True, "--alerts/--no-alerts",
                                help="Append this build's alerts to the store's alert register (history kept)."),
    store: str = StoreOpt,
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Build the composite index (higher = more risk), save every score with its provenance, register alerts."""
    with user_errors():
        result = _result(store, framework, recipe, as_of, idata, imeta, entity_type)
        path = result.save(out)
        n_alerts = _register_alerts(store, result) if alerts and idata is None else None
    if n_alerts:
        n_alerts.pop("register")
    note = result.licence_note()
    meta = {**result.metadata(), "licence_note": note, "out": str(path), "alerts": n_alerts, "entities": int(result.scores.sizes["entity"]),
            "periods": int(result.scores.sizes["period"]), "codes": int(result.scores.sizes["code"])}
    if json_out:
        print_json(meta)
    else:
        console.print(f"[green]built[/] {meta['entities']} entities x {meta['periods']} periods x "
                      f"{meta['codes']} codes -> {path}  (recipe {result.recipe.name} "
                      f"{result.recipe.hash[:12]}, {result.vintage}, holisec {result.version})", highlight=False)
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
    top: int = typer.Option(0, "--top", help="Show only the first N (0 = all)."),
    recipe: str = RecipeOpt,
    framework: str = FrameworkOpt,
    as_of: str = AsOfOpt,
    entity_type: str = EntityTypeOpt,
    store: str = StoreOpt,
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Rank entities in one year by the index or a domain (1 = highest risk)."""
    with user_errors():
        result = _result(store, framework, recipe, as_of, entity_type=entity_type)
    _show_rank(result, year, domain, top, store, entity_type, json_out)


def _show_rank(result, year: int, domain: str | None, top: int, store, entity_type: str, json_out: bool) -> None:
    """Print the ranking of one code (default: the index) in one year, as a table or JSON."""
    with user_errors():
        code = domain or result.root
        table = result.rank(year, code).dropna(subset=["score"])
        names = _names(store, entity_type)
        table.insert(0, "name", [names.get(e, e) for e in table.index])
    if top:
        table = table.head(top)
    if json_out:
        print_json({**result.metadata(), "code": code, "period": year, "polarity": "higher = more risk",
                    "licence_note": result.licence_note(), "ranking": frame_records(table)})
    else:
        show_table(table, f"{code} {year} (rank 1 = highest risk)", floatfmt="{:.1f}", max_rows=top or 300)
        console.print(f"{result.vintage}; recipe {result.recipe.name} {result.recipe.hash[:12]}. "
                      f"{result.licence_note()}", highlight=False)


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
    store: str = StoreOpt,
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Statistical audit: coverage, correlations, alpha, PCA, effective weights, leave-one-out, external validity."""
    from holisec.index import audit_result, benchmarks

    with user_errors():
        result = _result(store, framework, recipe, as_of)
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
    """Load the shipped real data, build the default index, show the latest ranking, serve the dashboard."""
    from holisec.cli.data import coverage, load
    from holisec.index import well_observed_periods

    load(paths=None, source=None, shipped=True, store=store, json_out=False)  # unchanged files: no-op
    coverage(framework="holistic", store=store, as_of=None, json_out=False)
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
           .assign(score=lambda d: d["value"].round(1))[["entity", "code", "score", "explanation"]])
    show_table(red.set_axis(["entity", "code", "score", "why"], axis=1),
               title=f"Red alerts {year} on the index and domains ({len(red)}; {n['red']} red, {n['amber']} amber "
                     f"in {n['periods']} incl. indicators)", floatfmt="{:.1f}")
    console.print("More: holisec warn alerts --year YEAR, holisec warn show ISO3, holisec audit --year YEAR")
    if serve if serve is not None else sys.stdin.isatty() and sys.stdout.isatty():
        from holisec.cli.serve import serve_app

        serve_app(store, port=port)
