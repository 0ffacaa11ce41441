"""The observatory web app: HTTP API (FastAPI), API tokens and audit log, background jobs,
dashboard pages and their static assets (plotly.js from the plotly package, Natural Earth
country outlines). ``create_app(store)`` builds it; ``holisec serve`` runs it with uvicorn."""
from holisec.app.server import create_app

__all__ = ["create_app"]
