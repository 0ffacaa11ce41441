"""Holistic view commands: ``balance``, ``coordination``, ``obstacles``, ``linkage``, ``scenario``, ``cascade``."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import typer

from holisec.cli.common import StoreOpt, cli_store, console, frame_records, print_json, show_table, user_errors
from holisec.cli.index import AsOfOpt, FrameworkOpt, RecipeOpt

SCALE = "scores 0-100, higher = more risk"
JsonOpt = typer.Option(False, "--json", help="Machine-readable output.")
ChartOpt = typer.Option(None, "--chart", help="Also write a chart: .html (offline) or .png.")

linkage_app = typer.Typer(help="Cross-domain links: estimated from the panel (Granger, partial correlations) or expert (DEMATEL).",
                          no_args_is_help=True)
scenario_app = typer.Typer(help="What-if scenarios from YAML files.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    for name, fn in (("balance", balance), ("coordination", coordination), ("obstacles", obstacles),
                     ("cascade", cascade)):
        app.command(name)(fn)
    app.add_typer(linkage_app, name="linkage")
    app.add_typer(scenario_app, name="scenario")


def _result(store, framework, recipe, as_of):
    """The stored build for these choices (built and stored on first use), as ``rank`` uses."""
    from holisec.cli.index import _result as stored_result

    return stored_result(store, framework, recipe, as_of)


def _latest(result) -> int:
    """The latest well-observed year (later years rest on carried-forward data)."""
    from holisec.index import well_observed_periods

    return max(well_observed_periods(result))


def balance(
    entity: str = typer.Option(None, "--entity", help="One entity (ISO3)."),
    year: int = typer.Option(None, "--year", help="One year (default with no --entity: the latest well-observed year)."),
    min_indicators: int = typer.Option(3, "--min-indicators", help="Observed indicators a pole needs to be measurable."),
    window: int = typer.Option(5, "--window", help="Years in the trend of the difference."),
    chart: Path = ChartOpt,
    pair: str = typer.Option("scope", "--pair", help="Pair of the --chart quadrant."),
    recipe: str = RecipeOpt, framework: str = FrameworkOpt, as_of: str = AsOfOpt, store: str = StoreOpt,
    json_out: bool = JsonOpt,
) -> None:
    """The five balances: a sub-index per pole, their difference (first - second) and log-ratio, trend."""
    from holisec.holistic.balances import balance_table, balances

    with user_errors():
        result = _result(store, framework, recipe, as_of)
        ds = balances(result, min_indicators=min_indicators, window=window)
        if year is None and entity is None:
            year = _latest(result)
        table = balance_table(ds, entity=entity, period=year)
        if chart is not None:
            from holisec.holistic.charts import quadrant, save

            save(quadrant(ds, pair, year or _latest(result), trail=entity), chart)
    meta = {"scale": SCALE, "diff": ds.attrs["diff"], "log_ratio": ds.attrs["log_ratio"],
            "trend": f"points per year over {window} years", "min_indicators": min_indicators}
    if json_out:
        print_json({**meta, "rows": frame_records(table)})
        return
    shown = table.drop(columns=["n_first", "n_second"]).assign(
        reason=lambda t: t["reason"].where(~t["measurable"], ""))
    show_table(shown, title=f"Five balances ({SCALE}; diff = first - second > 0: the first pole carries more risk; "
                            "not measurable = too few observed indicators, never balanced)", floatfmt="{:.2f}")


def coordination(
    year: int = typer.Option(None, "--year", help="Year (default: the latest well-observed year)."),
    top: int = typer.Option(20, "--top", help="Rows shown (least coordinated first)."),
    eps: float = typer.Option(0.01, "--eps", help="Floor of the security levels U = eps + (1 - eps)(1 - r/100)."),
    chart: Path = ChartOpt,
    recipe: str = RecipeOpt, framework: str = FrameworkOpt, as_of: str = AsOfOpt, store: str = StoreOpt,
    json_out: bool = JsonOpt,
) -> None:
    """Coupling coordination of the domains: C (in step), T (overall security), D = sqrt(C T), grade."""
    from holisec.holistic.coordination import coordination as coord, coordination_table

    with user_errors():
        result = _result(store, framework, recipe, as_of)
        ds = coord(result, eps=eps)
        year = year or _latest(result)
        table = coordination_table(ds, year)
        if chart is not None:
            from holisec.holistic.charts import coordination_heatmap, save

            save(coordination_heatmap(ds, top=top), chart)
    if json_out:
        print_json({"period": year, "eps": eps, "meaning": "C, T, D in 0-1; higher D = domains secure and in step",
                    "rows": frame_records(table)})
        return
    show_table(table.head(top), title=f"Coupling coordination {year} (0-1, higher = better coordinated; "
                                      "lagging = least secure domain)", floatfmt="{:.3f}")


def obstacles(
    entity: str = typer.Argument(..., help="Entity (ISO3)."),
    year: int = typer.Option(None, "--year", help="Year (default: the entity's latest scored year)."),
    level: str = typer.Option("indicator", "--level", help="indicator | domain"),
    top: int = typer.Option(15, "--top", help="Rows shown (largest obstacles first)."),
    recipe: str = RecipeOpt, framework: str = FrameworkOpt, as_of: str = AsOfOpt, store: str = StoreOpt,
    json_out: bool = JsonOpt,
) -> None:
    """What holds a country's security back most: each indicator's or domain's share of the gap (%)."""
    from holisec.holistic.obstacles import obstacle_table

    with user_errors():
        result = _result(store, framework, recipe, as_of)
        table = obstacle_table(result, entity, year, level=level)
    if json_out:
        print_json({**table.attrs, "obstacle": "% of the gap to no risk", "rows": frame_records(table)})
        return
    show_table(table.head(top), title=f"Obstacles of {entity} {table.attrs['period']} (score {SCALE}; "
                                      "obstacle = % of the gap to no risk)", floatfmt="{:.2f}")


@linkage_app.command("estimate")
def linkage_estimate(
    lags: int = typer.Option(1, "--lags", help="Lags (years) of the panel Granger test."), alpha: float = typer.Option(0.05, "--alpha", help="BH false-discovery rate."),
    chart: Path = ChartOpt,
    recipe: str = RecipeOpt, framework: str = FrameworkOpt, as_of: str = AsOfOpt, store: str = StoreOpt,
    json_out: bool = JsonOpt,
) -> None:
    """Estimate links between domains (panel Granger with entity and year effects, BH) and save them."""
    from holisec.holistic.linkage import estimate_links, save_linkage

    with user_errors():
        result = _result(store, framework, recipe, as_of)
        link = estimate_links(result, lags=lags, alpha=alpha)
        with cli_store(store, read_only=False) as st:
            estimate_id = save_linkage(st, link)
        _chart_links(link, chart)
    _show_links(estimate_id, link, json_out)


@linkage_app.command("show")
def linkage_show(
    estimate_id: str = typer.Option(None, "--id", help="Estimate id (default: the latest)."),
    chart: Path = ChartOpt, store: str = StoreOpt, json_out: bool = JsonOpt,
) -> None:
    """Show a saved linkage estimate (the latest by default) with its network centralities."""
    from holisec.holistic.linkage import load_linkage

    with user_errors():
        with cli_store(store) as st:
            estimate_id, link = load_linkage(st, estimate_id)
        _chart_links(link, chart)
    _show_links(estimate_id, link, json_out)


@linkage_app.command("dematel")
def linkage_dematel(
    file: Path = typer.Argument(..., help="Influence matrix CSV: first column and header are domain codes."),
    framework: str = FrameworkOpt, chart: Path = ChartOpt, json_out: bool = JsonOpt,
) -> None:
    """Expert links: DEMATEL total relations, prominence D+R and relation D-R (driving vs dependent)."""
    from holisec.framework import load_framework
    from holisec.holistic.dematel import dematel, read_matrix
    from holisec.holistic.network import graph

    with user_errors():
        fw = load_framework(framework or "holistic")
        res = dematel(read_matrix(file, known=fw.children(fw.root)), origin=str(file))
        if chart is not None:
            from holisec.holistic.charts import network, save

            edges = res.total.where(res.total > res.threshold, 0.0)
            save(network(graph(edges), "DEMATEL influence map"), chart)
    table = res.table()
    if json_out:
        print_json({"threshold": res.threshold, "domains": frame_records(table),
                    "influence_map": frame_records(res.influence_map())})
        return
    show_table(table, title="DEMATEL (D = influence given, R = received; relation D-R > 0: driving)", floatfmt="{:.3f}")
    show_table(res.influence_map(), title=f"Influence map (total relation > threshold {res.threshold:.3f})",
               floatfmt="{:.3f}")


def _chart_links(link, chart) -> None:
    if chart is not None:
        from holisec.holistic.charts import network, save
        from holisec.holistic.network import graph

        save(network(graph(link.matrix()), "Estimated links between domains"), chart)


def _show_links(estimate_id, link, json_out: bool) -> None:
    from holisec.holistic.network import centrality, graph

    cent = centrality(graph(link.matrix()))
    if json_out:
        print_json({"estimate_id": estimate_id, "params": link.params, "links": frame_records(link.significant()),
                    "all_tests": frame_records(link.links), "partial": frame_records(link.partial),
                    "centrality": frame_records(cent)})
        return
    p = link.params
    console.print(f"linkage estimate {estimate_id}: lags {p.get('lags')}, BH alpha {p.get('alpha')}, "
                  f"periods {p.get('periods')}; {p.get('meaning')}", highlight=False)
    show_table(link.significant(), title="Significant links (coef = index points of the target next year per point "
                                         "of the source)", floatfmt="{:.3g}")
    show_table(link.partial[link.partial["significant"]], title="Significant partial correlations (same year)",
               floatfmt="{:.3g}")
    show_table(cent, title="Domain network (systemic = drives >= 2 domains with above-median strength)",
               floatfmt="{:.3g}")


@scenario_app.command("run")
def scenario_run(
    file: Path = typer.Argument(..., help="Scenario YAML (see docs/holistic.md)."),
    alerts: bool = typer.Option(True, "--alerts/--no-alerts", help="Compare alert levels too."),
    recipe: str = RecipeOpt, framework: str = FrameworkOpt, as_of: str = AsOfOpt, store: str = StoreOpt,
    json_out: bool = JsonOpt,
) -> None:
    """Run a what-if scenario: change in every domain, the index, the rank and the alerts."""
    from holisec.holistic.scenario import Scenario, run

    with user_errors():
        sc = Scenario.load(file)
        result = _result(store, framework, recipe, as_of)
        out = run(result, sc, alerts=alerts)
    if json_out:
        print_json({k: frame_records(v) for k, v in out.items()})
        return
    console.print(f"scenario {sc.name!r} ({SCALE}; rank 1 = highest risk)", highlight=False)
    show_table(out["index"], title="Index and rank", floatfmt="{:.2f}")
    changed = out["domains"][np.abs(out["domains"]["change"]) > 1e-9]
    show_table(changed, title="Domains that change", floatfmt="{:.2f}")
    if alerts:
        show_table(out["alerts"], title="Alerts that change level")


def cascade(
    entity: str = typer.Argument(..., help="Entity (ISO3)."),
    shock: float = typer.Option(..., "--shock", help="Shock in index points (0-100 scale)."),
    domain: str = typer.Option(None, "--domain", help="Domain that takes the shock."),
    indicator: str = typer.Option(None, "--indicator", help="Indicator that takes the shock (instead of --domain)."),
    year: int = typer.Option(None, "--year", help="Year of the shock (default: the latest well-observed year)."),
    steps: int = typer.Option(3, "--steps", help="Periods to propagate."),
    expert: Path = typer.Option(None, "--expert", help="DEMATEL influence CSV instead of the saved estimate."),
    draws: int = typer.Option(1000, "--draws", help="Draws of the estimated links for the 5-95% band of the index "
                              "change (0: no band; expert links have none)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the draws."),
    recipe: str = RecipeOpt, framework: str = FrameworkOpt, as_of: str = AsOfOpt, store: str = StoreOpt,
    json_out: bool = JsonOpt,
) -> None:
    """Shock a domain or an indicator and propagate it through the links (saved estimate or expert)."""
    from holisec.holistic.cascade import cascade as run_cascade, cascade_band, expert_links
    from holisec.holistic.linkage import load_linkage

    with user_errors():
        result = _result(store, framework, recipe, as_of)
        if expert is not None:
            from holisec.holistic.dematel import dematel, read_matrix

            links = expert_links(dematel(read_matrix(expert, known=result.framework.children(result.root))))
            persistence, source = None, f"expert {expert}"
        else:
            with cli_store(store) as st:
                estimate_id, link = load_linkage(st)
            links, persistence, source = link.matrix(), link.params.get("persistence"), f"estimate {estimate_id}"
        period = year or _latest(result)
        path = run_cascade(result, links, entity=entity, period=period, shock=shock,
                           domain=domain, indicator=indicator, steps=steps, persistence=persistence)
        band = None
        if draws and expert is None:
            band = cascade_band(result, links, link.se_matrix(), entity=entity, period=period, shock=shock,
                                domain=domain, indicator=indicator, steps=steps, persistence=persistence,
                                persistence_se=link.params.get("persistence_se"), draws=draws, seed=seed)
            attrs = {**path.attrs, "band": {k: band.attrs[k] for k in ("level", "seed")}, "draws": draws}
            path = path.merge(band.drop(columns=["index_change", "draws"]), on="step")
            path.attrs.update(attrs)
    if json_out:
        print_json({**path.attrs, "links": source, "path": frame_records(path)})
        return
    short = {"index_change": "change", "index_change_median": "median", "index_change_lo": "lo 5%",
             "index_change_hi": "hi 95%", "p_increase": "P(rise)"}
    show_table(path.rename(columns=short), title=f"Cascade in {entity} {period}: {shock:+g} on {path.attrs['target']} "
                           f"via {source} ({SCALE})", floatfmt="{:.2f}")
    if band is not None:
        console.print(f"change: the index change on the estimated links; lo 5%/hi 95%: 5-95% range of the index change over {draws} draws of the significant "
                      "links and persistence from their estimated sampling error (normal, clustered SEs); "
                      "P(rise): share of draws where the index rises. Links are predictive, not causal.",
                      highlight=False)
