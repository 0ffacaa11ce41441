"""``holisec report ENTITY|index``: the country profile or the index report as HTML or PDF."""
from __future__ import annotations

from pathlib import Path

import typer

from holisec.cli.common import StoreOpt, cli_store, console, user_errors


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    entity: str = typer.Argument(..., help="ISO3 code of a country (e.g. KEN), or 'index' for the whole index."),
    year: int = typer.Option(None, "--year", "-y", help="Year (default: the latest well-observed year)."),
    fmt: str = typer.Option("html", "--format", help="html (self-contained, inline SVG charts) | pdf"),
    out: Path = typer.Option(None, "--out", "-o", help="Output file (default: holisec-ENTITY-YEAR.html|pdf)."),
    recipe: str = typer.Option(None, "--recipe", "-r", help="Recipe YAML or built-in name (default: 'default')."),
    store: str = StoreOpt,
) -> None:
    """Write a country profile (radar, trends, peers, alerts, indicators with sources) or the
    index report (ranking, method, audit, weights, sources). Scores 0-100, higher = more risk."""
    from holisec.index import audit_result, build_from_store
    from holisec.pipeline import default_recipe
    from holisec.report.profile import check_entity, check_year, country_profile
    from holisec.report.render import index_html, profile_html, to_pdf
    from holisec.report.summary import index_summary

    with user_errors():
        if fmt not in ("html", "pdf"):
            raise ValueError(f"--format must be html or pdf, got {fmt!r}")
        with cli_store(store) as st:
            result = build_from_store(st, None, recipe or default_recipe())
            y = check_year(result, year)
            meta = st.entities("country").set_index("entity")
            run = _latest_run(st, result)
            if entity.lower() == "index":
                name = "index"
                audit = audit_result(result, period=y, importance="none").summary()
                html = index_html(index_summary(result, y, meta, st.coverage(result.framework), st.vintages(),
                                                  uncertainty=run), audit)
            else:
                from holisec.warning.register import warnings_for

                name = check_entity(result, entity)
                html = profile_html(country_profile(result, name, y, meta=meta, warnings=warnings_for(name, st),
                                                         uncertainty=run))
        path = out or Path(f"holisec-{name}-{y}.{fmt}")
        if fmt == "pdf":
            path.write_bytes(to_pdf(html))
        else:
            path.write_text(html, encoding="utf-8")
    console.print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB): {name} {y}, scores 0-100, higher = more risk",
                  highlight=False)


def _latest_run(st, result):
    """The latest stored uncertainty run of this build (``holisec uncertainty --save``), or None."""
    from holisec.data.builds import build_key
    from holisec.uncertainty.stored import latest_run

    return latest_run(st, build_key(st, result.framework, result.recipe, st._as_of_id(None), "country"))
