"""``holisec framework``: show and check frameworks."""
from __future__ import annotations

import typer

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
    console.print(f"[bold]{fw.name}[/] ({fw.id} v{fw.version}) - {fw.polarity}")
    for g in fw.groups:
        kids = fw.children(g.id)
        gap = f" [yellow](gap: {g.gap})[/]" if g.gap else ""
        console.print(f"  [cyan]{g.id}[/] {g.name}: {len(kids)} children{gap}")
    if fw.elements:
        console.print("[bold]Elements[/] (views over domains):")
        for e in fw.elements:
            console.print(f"  {e.name} [{e.role}]: {', '.join(e.groups)}")
    console.print(f"{len(fw.indicators)} indicators, {len(fw.sources)} sources. Built-ins: {', '.join(builtin_frameworks())}")


@app.command("check")
def check(path: str = typer.Argument(..., help="Framework YAML or COINr iMeta CSV/XLSX.")) -> None:
    """Validate a framework file; exit 2 with the file, key path and problem if invalid."""
    with user_errors():
        fw = load_framework(path)
    console.print(f"[green]ok[/] {path}: {len(fw.groups)} groups, {len(fw.indicators)} indicators")
