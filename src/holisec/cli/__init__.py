"""The ``holisec`` command line: Typer sub-apps, one module per area."""
from __future__ import annotations

import typer

from holisec.cli import data, framework, holistic, index, report, serve

app = typer.Typer(
    name="holisec",
    help="Holistic security risk observatory: composite risk index (higher = more risk), audit, early warning.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(data.app, name="data", help="Load, list and check the observation store.")
app.add_typer(framework.app, name="framework", help="Show and check security frameworks.")
index.register(app)
serve.register(app)
report.register(app)
holistic.register(app)


def _register_optional() -> None:
    """Sub-apps of areas that import heavier dependencies."""
    try:
        from holisec.warning.cli import app as warn_app
    except ImportError:  # pragma: no cover - warning module not installed
        return
    app.add_typer(warn_app, name="warn", help="Alerts, trend breaks and onset forecasts.")


_register_optional()
