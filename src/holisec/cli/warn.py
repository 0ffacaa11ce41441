"""``holisec warn``: alert register, onset forecasts and their evaluation (Typer sub-app)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Optional

import pandas as pd
import typer

from holisec.cli.common import (
    StoreOpt, check_in, check_out, cli_store, console, err_console, fail, frame_records, print_json, print_notes,
    resolve_entity, show_table, user_errors,
)

app = typer.Typer(no_args_is_help=True, help="Alerts, trend breaks and onset forecasts.")
TARGET_HELP = "conflict_onset | conflict_onset2 | conflict_onset_2y | coup | mass_killing"
FORECAST_MODELS = ("ensemble", "logit", "gbm", "pitf", "history", "climatology")
TABLE_FILES = (".csv", ".parquet")


def _check_target(t: str) -> str:
    from holisec.warning.outcomes import TARGETS

    if t not in TARGETS:
        fail(f"unknown --target {t!r}; choose {TARGET_HELP}")
    return t


def alert_legend(thresholds: Path | dict | None = None, rules: dict | None = None) -> list[str]:
    """The lines behind the colours: bottom lines per code, the relative lines, the combining rule,
    and what "stale" means (from the shipped or given thresholds and the rules in use)."""
    from holisec.warning.alerts import DEFAULT_RULES, STALE_SHARE, load_thresholds

    r = DEFAULT_RULES | (rules or {})
    th = thresholds if isinstance(thresholds, dict) else load_thresholds(thresholds)
    default = th.get("*", {"amber": r["amber"], "red": r["red"]})
    own = [f"{c} {v['amber']:g}/{v['red']:g}" for c, v in th.items() if c != "*"]
    lines = [f"Bottom lines (amber/red, score 0-100): {default['amber']:g}/{default['red']:g} for every code"
             + (f"; {', '.join(own)}" if own else "") + "."
             f" Peers: amber >= percentile {100 * r['pct_amber']:g}, red >= {100 * r['pct_red']:g}."
             f" Own history: +{r['own_amber']:g}/+{r['own_red']:g} above the own {r['own_window']}-year mean;"
             f" change: {r['z_amber']:g}/{r['z_red']:g} SD above its usual change (and >= {r['min_change']:g} points)."]
    if r["combine"] == "convergent":
        lines.append("Levels (convergent rule): red = a red signal in one family (level: bottom line, peers; "
                     "change: own history, change, trend break) with at least amber in the other, or red on both "
                     "the bottom line and among peers; amber = any other red signal or amber in both families; "
                     "a lone amber signal stays green ('watch').")
    else:
        lines.append("Levels (worst rule): the worst single signal.")
    lines.append(f"Stale = more than {STALE_SHARE:.0%} of the values behind an alert are carried forward from "
                 "earlier years (obs_period = the year of the observation).")
    return lines


@app.command()
def alerts(year: Optional[int] = typer.Option(None, help="Period to report (default: the latest well-observed)."),
           as_json: bool = typer.Option(False, "--json", help="Machine-readable output (NaN -> null)."),
           thresholds: Optional[Path] = typer.Option(None, help="Bottom lines: YAML/JSON/CSV code, amber, red."),
           level: str = typer.Option("amber", help="Lowest level shown: green | amber | red."),
           kind: str = typer.Option("all", help="indicator | domain | index | all."),
           combine: str = typer.Option("convergent", help="convergent (level and change signals must agree "
                                                           "for red) | worst (worst single signal)."),
           fresh: bool = typer.Option(False, "--fresh", help="Leave out stale alerts (resting mainly on "
                                                             "carried-forward values)."),
           out: Optional[Path] = typer.Option(None, "--out", "-o", help="Also write the shown alerts to FILE "
                                                                        "(.csv | .parquet | .xlsx)."),
           store: Optional[str] = StoreOpt,
           rebuild: bool = typer.Option(False, "--rebuild", help="Rebuild the index and recompute the alerts "
                                        "instead of reading the stored ones."),
           save: Optional[str] = typer.Option(None, help="Append the latest well-observed periods' register "
                                                         "and trend breaks to the store with this build id.")):
    """Alert register of indicators, domains and index: level, trigger and the reason stated."""
    from holisec.warning.alerts import LEVELS
    from holisec.warning.register import result_alerts

    if level not in LEVELS:
        fail(f"--level must be one of {', '.join(LEVELS)}, not {level!r}")
    if kind not in ("indicator", "domain", "index", "all"):
        fail(f"--kind must be indicator, domain, index or all, not {kind!r}")
    if combine not in ("convergent", "worst"):
        fail(f"--combine must be 'convergent' or 'worst', not {combine!r}")
    if thresholds is not None:
        check_in(thresholds, "--thresholds", (".yaml", ".yml", ".json", ".csv"))
        from holisec.warning.alerts import load_thresholds

        with user_errors():  # read before the build: a broken file fails at once
            lines = load_thresholds(thresholds)
        if not isinstance(lines, dict) or not all(isinstance(v, dict) and {"amber", "red"} <= set(v)
                                                  for v in lines.values()):
            fail(f"--thresholds {thresholds}: expected code: {{amber: A, red: R}} entries ('*' = every code)")
        thresholds = lines
    if out is not None:
        check_out(out)
    rules = {"combine": combine}
    from holisec.index import stored_build, well_observed_periods
    from holisec.pipeline.provenance import scale_note
    from holisec.pipeline.result import export_table

    with user_errors():
        with cli_store(store, read_only=not save) as st:
            res = stored_build(st, rebuild=rebuild, notify=_notify)
            names = dict(zip(*st.entities(entity_type="country")[["entity", "name"]].to_numpy().T))
            have = [int(p) for p in res.scores["period"].values]
            if year is not None and year not in have:
                fail(f"--year {year}: no scores for that year; the index covers {min(have)}-{max(have)} "
                     f"(well observed: up to {max(well_observed_periods(res))})")
            reg, res = _alerts_of_store(st, res, year, thresholds, rules, save, rebuild, _notify)
        y = year or int(reg["period"].max())
        if y not in set(reg["period"]):  # --save with an earlier --year
            reg, _ = result_alerts(res, [y], thresholds, rules)
        reg = reg[reg["period"] == y]
    reg = reg[reg.level.map(LEVELS.index) >= LEVELS.index(level)]
    if kind != "all":
        reg = reg[reg["kind"] == kind]
    if fresh:
        reg = reg[~reg["stale"].astype(bool)]
    reg = reg.assign(name=reg["entity"].map(names).fillna(reg["entity"]))
    reg = reg[["entity", "name", *[c for c in reg.columns if c not in ("entity", "name")]]]
    if out is not None:
        with user_errors():
            export_table(reg, out, {**res.metadata(), "scale": scale_note(res)})
    if as_json:
        print_json(frame_records(reg))
        return
    counts = reg["level"].value_counts()
    title = (f"Alerts {y}: {counts.get('red', 0)} red, {counts.get('amber', 0)} amber"
             + (f", {counts.get('green', 0)} green" if level == "green" else "")
             + f" ({kind if kind != 'all' else 'indicators, domains, index'}; {int(reg['stale'].sum())} stale)")
    shown = reg.assign(score=reg["value"])[["entity", "name", "code", "kind", "level", "score", "stale",
                                            "explanation"]]
    show_table(shown, title, floatfmt="{:.1f}", max_rows=200, more="use --json or --out FILE for all")
    note = scale_note(res)
    print_notes([note[:1].upper() + note[1:] + ".", *alert_legend(thresholds, rules)])
    if out is not None:
        console.print(f"{len(reg)} alerts -> {out}", highlight=False)


def _notify(msg: str) -> None:
    err_console.print(f"[dim]{msg}[/]", highlight=False)


def _alerts_of_store(st, res, year, thresholds, rules, save, rebuild, notify):
    """(register, result): the stored build's alerts. With the default bottom lines and rules
    they are read from the store's register of that build (computed and registered once, as
    ``holisec build`` does, for the latest three well-observed periods); otherwise computed."""
    from holisec.index import write_through
    from holisec.warning.register import build_label, registered_alerts, result_alerts, save_alerts

    default = thresholds is None and rules.get("combine", "convergent") == "convergent"
    if default and not save:
        bid = build_label(res)
        got = None if rebuild else registered_alerts(st, bid)
        if got is None:
            got = result_alerts(res, 3, None, None)
            if registered_alerts(st, bid) is None:
                write_through(st, lambda rw: save_alerts(rw, got[0], bid, got[1]), notify, what="alert register")
        if year is None or year in set(got[0]["period"]):
            return got[0], res
    # --save stores what register_alerts stores (the last 3 well-observed periods)
    reg, brk = result_alerts(res, 3 if save or year is None else [year], thresholds, rules)
    if save:
        save_alerts(st, reg, save, brk)
    return reg, res


@app.command()
def show(entity: str = typer.Argument(..., help="ISO3 code (any case) or country name; a GDL code for a region."),
         store: Optional[str] = StoreOpt,
         forecasts: Optional[Path] = typer.Option(None, help="Forecast file from `warn forecast` (else the store's)."),
         level: str = typer.Option("amber", help="Lowest alert level listed: green | amber | red."),
         as_json: bool = typer.Option(False, "--json", help="Machine-readable output (NaN -> null).")):
    """Latest alerts, trend breaks and onset forecasts of one entity (a table; --json for JSON)."""
    from holisec.warning.alerts import LEVELS
    from holisec.warning.register import _tables, warnings_for

    if level not in LEVELS:
        fail(f"--level must be one of {', '.join(LEVELS)}, not {level!r}")
    if forecasts is not None:
        check_in(forecasts, "--forecasts", TABLE_FILES)
    with user_errors(), cli_store(store) as st:
        entity_type = "region" if len(entity.strip()) > 3 and entity.strip()[3:4].lower() == "r" \
            and entity.strip()[4:].isdigit() else "country"
        code, name = resolve_entity(entity, st, entity_type)
        if "alerts" not in _tables(st.con) or not st.con.execute("SELECT count(*) FROM alerts").fetchone()[0]:
            # nothing registered yet: the stored build's alerts (computed and registered once)
            from holisec.index import stored_build

            _alerts_of_store(st, stored_build(st, notify=_notify), None, None, {}, None, False, _notify)
        w = warnings_for(code, st, forecasts, level)
    if w["build_id"] is None:
        err_console.print("no alerts registered yet: run `holisec build --out FILE` first", highlight=False)
    if as_json:
        print_json({**w, "name": name})
        return
    _show_warnings(w, name)


def _show_warnings(w: dict, name: str) -> None:
    counts = w["counts"] or {}
    console.print(f"[bold]{w['entity']}[/] {name}: " + (
        f"{counts.get('red', 0)} red, {counts.get('amber', 0)} amber, {counts.get('green', 0)} green alerts "
        f"(build {w['build_id']}, registered {w['created_at']})" if w["build_id"] else "no alerts registered"),
        highlight=False)
    if w["alerts"]:
        a = pd.DataFrame(w["alerts"])
        cols = [c for c in ("period", "code", "kind", "level", "value", "stale", "explanation") if c in a]
        show_table(a[cols].rename(columns={"value": "score"}), f"Alerts of {w['entity']}", floatfmt="{:.1f}",
                   max_rows=100, more="use --json for all")
        scale = w.get("scale")
        print_notes([(scale[:1].upper() + scale[1:] + ".") if scale else "Scores 0-100, higher = more risk.",
                     *alert_legend()])
    if w["trend_breaks"]:
        show_table(pd.DataFrame(w["trend_breaks"]), f"Trend breaks of {w['entity']} (size in score points)",
                   floatfmt="{:+.1f}", max_rows=30)
    if w["forecasts"]:
        f = pd.DataFrame(w["forecasts"])
        cols = [c for c in ("target", "origin", "target_years", "model", "probability", "top_contributions") if c in f]
        show_table(f[cols], f"Onset forecasts of {w['entity']} (probability of onset in the target years)",
                   floatfmt="{:.3f}", max_rows=30)
    elif w["build_id"]:
        console.print("[dim]No forecasts saved for it (holisec warn forecast ... --save ID).[/]", highlight=False)


def _check_origin(origin: int, outcomes: pd.DataFrame, predictors: pd.DataFrame) -> None:
    """An origin inside the data: the predictors must reach it, and there must be history before it."""
    from holisec.warning.forecast import Spec

    years, out_years = predictors["year"], outcomes["year"]
    last = int(min(years.max(), out_years.max()))
    first = max(int(years.min()), Spec().start) + 1
    if origin > last:
        fail(f"--origin {origin} is beyond the data: predictors and outcomes end in {last}; choose --origin <= {last}")
    if origin < first:
        fail(f"--origin {origin} is before the training data start ({first - 1}); choose --origin >= {first}")


AsOfOpt = typer.Option(None, "--as-of", help="Store vintage: ingest id or UTC timestamp (`holisec data vintages`); "
                       "index data, outcomes and predictors are all read as of it (default: the latest).")


def _vintage(st, as_of, index: bool = True):
    """The inputs of one store vintage; without --as-of the shipped early-warning tables are
    loaded first if the store lacks them (each a new vintage, append-only)."""
    from holisec.index import write_through
    from holisec.warning.inputs import ensure_inputs, missing_shipped
    from holisec.warning.realtime import vintage_inputs

    if as_of is None and missing_shipped(st):
        reps = write_through(st, ensure_inputs, _notify, what="early-warning tables")
        for r in reps or []:
            _notify(f"loaded into the store: {r}")
    return vintage_inputs(st, as_of, index=index)


@app.command()
def forecast(target: str = typer.Option(..., help=TARGET_HELP),
             origin: int = typer.Option(..., help="Last year of data (forecast for origin+1...)."),
             out: Path = typer.Option(..., help="Output CSV or parquet."),
             outcomes: Optional[Path] = typer.Option(None, help="Replacement outcome table (parquet/CSV)."),
             model: str = typer.Option("ensemble", help=" | ".join(FORECAST_MODELS)),
             store: Optional[str] = StoreOpt,
             as_of: Optional[str] = AsOfOpt,
             save: Optional[str] = typer.Option(None, help="Also append to the store's forecasts table with this id "
                                                "(with vintage, recipe hash, model version, creation time; an id "
                                                "already stored is an error: nothing is overwritten).")):
    """Forecast every at-risk country-year at ORIGIN with top contributions and per-domain sums;
    index features come from the index rebuilt on the data known at ORIGIN, and index data,
    outcomes and predictors all from the same store vintage (--as-of)."""
    from holisec.pipeline import default_recipe
    from holisec.warning.forecast import default_spec, forecast as fc
    from holisec.warning.outcomes import load_outcomes
    from holisec.warning.realtime import model_version
    from holisec.warning.register import save_forecasts

    _check_target(target)
    if model not in FORECAST_MODELS:
        fail(f"unknown --model {model!r}; choose {' | '.join(FORECAST_MODELS)}")
    check_out(out, TABLE_FILES)
    if outcomes is not None:
        check_in(outcomes, "--outcomes", TABLE_FILES)
    with user_errors():
        with cli_store(store, read_only=not save) as st:
            vi = _vintage(st, as_of)
            table = load_outcomes(outcomes) if outcomes else vi.outcomes
            _check_origin(origin, table, vi.predictors)
            notes = vi.index.note_lines([origin])
            if outcomes:
                notes.append(f"outcomes from {outcomes}, not from the store vintage")
            df = fc(target, origin, table, vi.predictors, model=model, index=vi.index)
            if save:
                meta = {"vintage_id": vi.ingest_id, "vintage": vi.label, "recipe_hash": default_recipe().hash,
                        "model_version": model_version(default_spec(target), target, model),
                        "notes": "; ".join(notes)}
                save_forecasts(st, df, save, meta)
        df.to_parquet(out, index=False) if out.suffix.lower() == ".parquet" else df.to_csv(out, index=False)
    console.print(f"{len(df)} forecasts ({target}, model {model}, origin {origin}: probability of onset in "
                  f"{df['target_years'].iloc[0] if len(df) else origin + 1}; data as of {vi.label}) -> {out}"
                  + (f"; saved as {save!r}" if save else ""), highlight=False)
    if notes:
        print_notes([n[:1].upper() + n[1:] + "." for n in notes])
    cols = [c for c in ("entity", "target_years", "probability", "top_contributions") if c in df]
    show_table(df.head(10)[cols], "Highest 10", floatfmt="{:.3f}", max_rows=10)


@app.command()
def evaluate(target: str = typer.Option("conflict_onset", help=TARGET_HELP),
             as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
             out_dir: Optional[Path] = typer.Option(None, help="Write reliability PNG and tables here."),
             outcomes: Optional[Path] = typer.Option(None, help="Replacement outcome table."),
             bootstrap: int = typer.Option(1000, min=1, help="Country-block bootstrap replicates."),
             seed: int = typer.Option(0, help="Random seed of the bootstrap and the models."),
             tune: bool = typer.Option(True, "--tune/--no-tune", help="Tune the hyperparameters on the dev origins "
                                       "(default), or use those tuned in the reference run (faster)."),
             origins: Optional[str] = typer.Option(None, help="Forecast origins FIRST-LAST (default: 1990 to the "
                                                   "last year with outcomes; dev <= 2015 < test)."),
             final: bool = typer.Option(False, "--final", help="Also forecast and score the LOCKED test years "
                                        "(target years after 2015). Every --final run is appended to the store's "
                                        "scoring_log (code version, data vintage, configuration hash, metrics, UTC "
                                        "time) and the number of scorings is printed."),
             store: Optional[str] = StoreOpt,
             as_of: Optional[str] = AsOfOpt):
    """Rolling-origin evaluation on DEVELOPMENT origins (outcome window ending by 2015): every metric
    of every model and baseline. The locked test years are scored only with --final, and logged."""
    from rich.console import Console
    from rich.progress import Progress

    from holisec.warning.evaluate import (
        DEV_LAST, dev_origins, evaluate as ev, evaluation_steps, final_metrics, run_config,
    )
    from holisec.warning.forecast import default_spec
    from holisec.warning.outcomes import TARGETS, load_outcomes
    from holisec.warning.publication import INPUT_LAGS
    from holisec.warning.scoring_log import log_score

    _check_target(target)
    span = _origins(origins)
    if outcomes is not None:
        check_in(outcomes, "--outcomes", TABLE_FILES)
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        fail(f"--out-dir {out_dir} is a file; give a folder")
    if span is not None and not final:
        left = sorted(set(span) - set(dev_origins(span, TARGETS[target].horizon)))
        if left:
            err_console.print(f"note: origins {left[0]}-{left[-1]} forecast test years (after {DEV_LAST}); they are "
                              "locked and not scored without --final", highlight=False)
    n_scored = None
    with user_errors(), cli_store(store, read_only=not final) as st:
        vi = _vintage(st, as_of)
        table = load_outcomes(outcomes) if outcomes else vi.outcomes
        preds, ix = vi.predictors, vi.index
        spec = None if tune else dataclasses.replace(default_spec(target), seed=seed)
        with Progress(console=Console(stderr=True), transient=True) as bar:  # stdout stays clean for --json
            task = bar.add_task(f"evaluating {target}", total=evaluation_steps(tune))
            done = iter(range(evaluation_steps(tune)))

            def step(msg: str) -> None:  # called as each stage starts: the earlier ones are done
                bar.update(task, description=f"{target}: {msg}", completed=next(done, None))

            r = ev(target, table, preds, index=ix, B=bootstrap, seed=seed, progress=step, origins=span, spec=spec,
                   tune_hyper=tune, final=final)
        notes = ix.note_lines(r.origins) + r.notes + ([f"outcomes from {outcomes}, not from the store vintage"]
                                            if outcomes else [])
        if final:
            cfg = run_config(r, bootstrap=bootstrap, seed=seed, tune=tune, input_lags=INPUT_LAGS, index_lags=ix.lags,
                             outcomes=_frame_hash(table), predictors=_frame_hash(preds), vintage=vi.ingest_id,
                             notes=notes)
            n_scored = log_score(st, target, cfg, final_metrics(r), vintage=vi.label)
        if out_dir:
            write_outputs(r, out_dir)
    split = "test" if final else "dev"
    if as_json:
        print_json(to_json(r) | {"times_test_scored": n_scored, "vintage": vi.label, "notes": notes})
        return
    console.print(f"Data as of {vi.label}.", highlight=False)
    if notes:
        print_notes([n[:1].upper() + n[1:] + "." for n in notes])
    console.print(f"{'FINAL run: development and locked test' if final else 'DEVELOPMENT'} origins "
                  f"{min(r.origins)}-{max(r.origins)} (dev = outcome window ending by {DEV_LAST}); ranking metrics "
                  "of the rule baselines use their raw scores, Brier/log loss their calibrated probabilities",
                  highlight=False)
    show_table(r.metrics, f"{target}: metrics per model and split (rolling origin, out of sample)",
               floatfmt="{:.4f}", max_rows=100)
    show_table(r.bootstrap[r.bootstrap.split == split],
               f"Paired differences on {split} (model - baseline), country-block bootstrap 95% CI",
               floatfmt="{:.4f}", max_rows=100)
    if r.ewp is not None:
        show_table(r.ewp, "EWP comparison (same country-years)", floatfmt="{:.4f}", max_rows=50)
    show_table(verdict_table(r.verdict), f"Verdict ({split}): target {'met' if r.verdict.get('met') else 'not met'}",
               floatfmt="{:.3f}")
    if final:
        console.print(f"The {target} test years have now been scored {n_scored} time(s) in this store "
                      "(table scoring_log).", highlight=False)
    else:
        console.print("Test years not scored (locked): run with --final once the model is fixed; each --final "
                      "run is logged.", highlight=False)
    rt = r.runtime or {}
    console.print(f"runtime: {float(rt.get('total_s', float('nan'))):.0f} s over {rt.get('origins', '?')} origins",
                  highlight=False)


@app.command()
def score(save_id: Optional[str] = typer.Option(None, "--save-id", help="Score only the forecasts saved with this id."),
          threshold: float = typer.Option(0.1, min=0.0, max=1.0, help="Flag threshold of hit/miss: a forecast "
                                          "flags an onset when its probability >= THRESHOLD."),
          as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
          store: Optional[str] = StoreOpt):
    """Score the stored forecasts whose target years now have outcomes loaded (the store's latest
    vintage): Brier, log loss and hit/miss per forecast, AUPR per saved set, appended to the
    store's forecast_scores / forecast_score_summary tables (a true out-of-sample record);
    forecasts whose outcomes are not loaded yet are listed as pending."""
    from holisec.warning.realtime import score_saved

    with user_errors(), cli_store(store, read_only=False) as st:
        _vintage(st, None, index=False)
        got = score_saved(st, save_id, threshold)
    sc, sm, pend = got["scored"], got["summary"], got["pending"]
    if as_json:
        print_json({"outcomes_vintage": got["outcomes_vintage"], "scored": frame_records(sc),
                    "summary": frame_records(sm), "pending": frame_records(pend)})
        return
    console.print(f"{len(sc)} forecasts scored now against the outcomes of ingest #{got['outcomes_vintage']} "
                  f"(appended to forecast_scores); {len(pend)} pending (outcome not loaded yet).", highlight=False)
    if len(sm):
        show_table(sm[["build_id", "target", "model", "origin", "n", "events", "brier", "log_loss", "aupr", "hits",
                       "misses", "false_alarms", "pending"]],
                   "Scores per saved set (Brier and log loss: lower = better; AUPR: higher = better, NaN without "
                   "both an event and a non-event)", floatfmt="{:.4f}", max_rows=50)
    if len(pend):
        p = pend.groupby(["build_id", "target", "origin", "target_years"], as_index=False).size()
        show_table(p.rename(columns={"size": "forecasts"}), "Pending (outcomes of the target years not loaded)",
                   max_rows=50)
    print_notes([f"Hit = probability >= {threshold:g} and an onset occurred; miss = below it and an onset occurred; "
                 "false alarm = at or above it and no onset. A forecast is scored once, and again only if a later "
                 "outcomes vintage revises its outcome."])


@app.command()
def load(table: Path = typer.Argument(..., help="Outcome or predictor table (parquet/CSV, iso3, year, columns)."),
         kind: str = typer.Option(..., help="outcomes | predictors"),
         note: str = typer.Option("", help="Free-text note stored with the ingest (e.g. the release)."),
         store: Optional[str] = StoreOpt):
    """Load a (revised) early-warning outcome or predictor table into the store as a new vintage
    (append-only: only new or changed values are added; an empty cell withdraws a stored value)."""
    from holisec.warning.inputs import SOURCES, load_inputs, read_table

    if kind not in SOURCES:
        fail(f"--kind must be one of {', '.join(SOURCES)}, not {kind!r}")
    check_in(table, "TABLE", TABLE_FILES)
    with user_errors(), cli_store(store, read_only=False) as st:
        _vintage(st, None, index=False)
        rep = load_inputs(st, kind, read_table(table), file=str(table), note=note)
    console.print(str(rep), highlight=False)


def _origins(text: str | None) -> list[int] | None:
    """``FIRST-LAST`` -> the list of origins (None = the default span)."""
    if text is None:
        return None
    parts = text.split("-")
    if len(parts) != 2 or not all(x.strip().isdigit() for x in parts) or int(parts[0]) > int(parts[1]):
        fail(f"--origins must be FIRST-LAST years such as 2012-2019, not {text!r}")
    first, last = int(parts[0]), int(parts[1])
    if first < 1961:
        fail(f"--origins {text}: the training data start in 1960; choose a first origin >= 1961")
    return list(range(first, last + 1))


def verdict_table(v: dict) -> pd.DataFrame:
    """The verdict (``evaluate.verdict``) as one row per criterion: value, target, met."""
    if not v:
        return pd.DataFrame({"criterion": ["no verdict (no ensemble rows)"], "value": [""], "target": [""],
                             "met": [False]})

    def ci(pair) -> str:
        lo, hi = pair
        return f"[{float(lo):+.4f}, {float(hi):+.4f}]"

    rows = [
        (f"AUPR / best baseline ({v['best_baseline_aupr']})", f"{float(v['aupr_ratio']):.2f}x",
         ">= 1.25x, CI of the difference > 0: " + ci(v["aupr_diff_ci"]), v["aupr_ok"]),
        (f"Brier / best baseline ({v['best_baseline_brier']})", f"{float(v['brier_ratio']):.2f}x",
         "<= 0.90x, CI of the difference < 0: " + ci(v["brier_diff_ci"]), v["brier_ok"]),
        ("calibration slope", f"{float(v['cal_slope']):.2f}", "0.8-1.2", v["calibration_ok"]),
        (f"all ({v['model']})", "", "", v["met"]),
    ]
    return pd.DataFrame(rows, columns=["criterion", "value", "target", "met"]).assign(
        met=lambda d: d["met"].map(lambda b: "yes" if b else "no"))


def _frame_hash(df) -> str:
    import hashlib

    return hashlib.sha256(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes()).hexdigest()[:16]


def to_json(r) -> dict:
    return {"target": r.target, "final": r.final, "origins": r.origins, "spec": r.spec.__dict__, "metrics": r.metrics.to_dict("records"),
            "bootstrap": r.bootstrap.to_dict("records"), "per_year": r.per_year.to_dict("records"),
            "tuning": r.tuning.to_dict("records"),
            "ewp": None if r.ewp is None else r.ewp.to_dict("records"),
            "verdict": r.verdict, "runtime": r.runtime}


def write_outputs(r, out_dir: Path) -> None:
    """metrics, bootstrap, per-year and forecast tables (CSV), reliability plot (PNG), JSON."""
    from holisec.warning.evaluate import reliability_plot

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    r.metrics.to_csv(out_dir / f"{r.target}_metrics.csv", index=False)
    r.bootstrap.to_csv(out_dir / f"{r.target}_bootstrap.csv", index=False)
    r.per_year.to_csv(out_dir / f"{r.target}_per_year.csv", index=False)
    r.forecasts.to_csv(out_dir / f"{r.target}_forecasts.csv", index=False)
    if r.ewp is not None:
        r.ewp.to_csv(out_dir / f"{r.target}_ewp.csv", index=False)
    reliability_plot(r, out_dir / f"{r.target}_reliability.png")
    from holisec._json import json_ready

    (out_dir / f"{r.target}.json").write_text(json.dumps(json_ready(to_json(r)), indent=1))
