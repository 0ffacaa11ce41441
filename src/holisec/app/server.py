"""The FastAPI application: API, dashboard pages, static assets, error handling.

``create_app(store)`` serves one store file. Errors a caller can fix are 4xx with a message
(``{"error": ...}``): 400 bad input, 401/403 auth, 404 unknown entity/code/job, 409 store
locked by another writer, 413 upload too large, 422 malformed parameters. CORS is closed by
default (no cross-origin headers); ``cors_origins`` opens it to the given origins only.
"""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from holisec.app.access import StoreAccess
from holisec.app.auth import AuthError
from holisec.app.service import Limits, Service

log = logging.getLogger("holisec.app")


def static_dir() -> Path:
    return Path(str(resources.files("holisec.app") / "static"))


def plotly_js() -> Path:
    """plotly.min.js of the installed ``plotly`` package (served at /static/plotly.min.js)."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.exists():  # pragma: no cover - a broken plotly install
        raise FileNotFoundError(f"{path} is missing: reinstall plotly (pip install -r requirements.lock)")
    return path


def _plotly_version() -> str:
    from importlib.metadata import version

    return version("plotly")


#: plotly.js under a versioned URL, so it can be cached for a year (a new plotly gives a new URL)
PLOTLY_URL = f"/static/plotly-{_plotly_version()}.min.js"


class _Gzipped:
    """A static file gzip-compressed once in memory (plotly.min.js: 4.8 MB -> about 1.4 MB)."""

    def __init__(self, path: Path):
        self.path, self._body = path, None

    def body(self) -> bytes:
        if self._body is None:
            import gzip

            self._body = gzip.compress(self.path.read_bytes(), compresslevel=6, mtime=0)
        return self._body


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _status_of(err: Exception) -> int:
    from holisec.data.store import StoreError

    if isinstance(err, AuthError):
        return err.status
    if isinstance(err, StoreError):
        return 409 if "locked" in str(err) else 400
    if isinstance(err, (KeyError, FileNotFoundError)):
        return 404
    if isinstance(err, (ValueError, TypeError)):
        return 400
    return 500


def create_app(store: str | Path | None = None, *, cors_origins: tuple[str, ...] | list[str] = (),
               limits: Limits | None = None, warm: bool = False) -> FastAPI:
    """The holisec web app over ``store`` (``--store`` > ``$HOLISEC_STORE`` > default).
    ``warm``: render the main pages in a background thread at start (``holisec serve`` does)."""
    from holisec import __version__
    from holisec.app import api, pages

    svc = Service(StoreAccess(store), limits or Limits())

    @asynccontextmanager
    async def lifespan(app):
        if warm and svc.warm_pages is not None:
            import threading

            threading.Thread(target=svc.warm_pages, name="holisec-warm", daemon=True).start()
        yield
        svc.jobs.shutdown()

    app = FastAPI(lifespan=lifespan, title="holisec observatory API", version=__version__,
                  description="Holistic security risk index (0-100, higher = more risk): scores, ranks, alerts, "
                              "forecasts; uploads, builds and recipes with a token (roles viewer < analyst < admin).",
                  openapi_url="/api/openapi.json", docs_url=None, redoc_url=None)
    app.state.service = svc

    @app.exception_handler(Exception)
    async def _any(request: Request, err: Exception):
        status = _status_of(err)
        msg = err.args[0] if isinstance(err, KeyError) and err.args else str(err)
        if status >= 500:
            log.exception("internal error on %s", request.url.path)
            msg = f"internal error ({type(err).__name__}): {msg}"
        return _error(status, msg)

    for cls in (AuthError, ValueError, KeyError, FileNotFoundError, TypeError):
        app.add_exception_handler(cls, _any)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, err: RequestValidationError):
        parts = []
        for e in err.errors():
            loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body", "query", "path", "form"))
            parts.append(f"{loc or 'request'}: {e.get('msg')}")
        return _error(422, "; ".join(parts))

    if cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["Authorization", "Content-Type"])

    gz = _Gzipped(plotly_js())

    @app.get(PLOTLY_URL, include_in_schema=False)
    def _plotly_versioned(request: Request):
        """plotly.js: gzip when the browser accepts it, cached for a year (the URL names the version)."""
        headers = {"Cache-Control": "public, max-age=31536000, immutable", "Vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("accept-encoding", ""):
            return Response(gz.body(), media_type="text/javascript", headers={**headers, "Content-Encoding": "gzip"})
        return FileResponse(plotly_js(), media_type="text/javascript", headers=headers)

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def _plotly():
        return FileResponse(plotly_js(), media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    app.mount("/static", StaticFiles(directory=static_dir()), name="static")
    app.include_router(api.router(svc))
    app.include_router(pages.router(svc))
    return app
