"""``holisec framework``: show and check frameworks."""
from __future__ import annotations

import typer
from rich.markup import escape

from holisec.cli.common import console, print_json, user_errors
from holisec.framework import builtin_frameworks, load_framework

app = typer.Typer(no_args_is_help=True)


@app.command("show")
def show(
    name: str = typer.Argument("holistic", help="Built-in name, framework YAML or COINr iMeta CSV."),
    json_out: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Show a framework: elements, domains (groups) and indicators."""
    with user_errors():
        fw = load_framework(name)
    if json_out:
        print_json(fw.summary())
        return
    console.print(f"[bold]{escape(fw.name)}[/] ({fw.id} v{fw.version}) - {fw.polarity}")
    for g in fw.groups:
        kids = fw.children(g.id)
        gap = f"\n      [yellow]gap: {escape(g.gap)}[/]" if g.gap else ""
        shown = ", ".join(
            f"{k}({'+' if fw.tree.at[k, 'direction'] > 0 else '-'})" if fw.tree.at[k, "type"] == "Indicator" else k
            for k in kids
        )
        console.print(f"  [cyan]{g.id}[/] {escape(g.name)}: {shown}{gap}", highlight=False)
    if fw.elements:
        console.print("[bold]Elements[/] (overlapping views over the domains, not part of the aggregation):")
        for e in fw.elements:
            console.print(f"  {escape(e.name)} ({e.role}): {', '.join(e.groups)}", highlight=False)
    console.print("(+) a higher value raises risk, (-) a higher value lowers it")
    console.print(f"{len(fw.indicators)} indicators, {len(fw.sources)} sources. Built-ins: {', '.join(builtin_frameworks())}")


@app.command("check")
def check(path: str = typer.Argument(..., help="Framework YAML or COINr iMeta CSV/XLSX.")) -> None:
    """Validate a framework file; exit 2 with the file, key path and problem if invalid."""
    with user_errors():
        fw = load_framework(path)
    console.print(f"[green]ok[/] {path}: {len(fw.groups)} groups, {len(fw.indicators)} indicators")
