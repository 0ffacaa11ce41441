"""``holisec serve`` (the dashboard and HTTP API) and ``holisec token`` (API tokens)."""
from __future__ import annotations

import typer

from holisec.cli.common import StoreOpt, cli_store, console, err_console, print_json, show_table, user_errors

token_app = typer.Typer(help="API tokens (roles viewer < analyst < admin), stored hashed in the store.",
                        no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(token_app, name="token", help="Create, list and revoke API tokens.")


def serve_app(store, host: str = "127.0.0.1", port: int = 8000, cors: list[str] | None = None) -> None:
    """Run the app with uvicorn until Ctrl-C, after saying where and how to get a token."""
    import uvicorn

    from holisec.app import create_app

    with user_errors(), cli_store(store, read_only=True) as st:  # fills a new store before serving
        path = st.path
    app = create_app(path, cors_origins=tuple(cors or ()), warm=True)
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    console.print(f"[bold green]holisec dashboard[/] http://{shown}:{port}/  (HTTP API: http://{shown}:{port}/api, "
                  f"OpenAPI: /api/openapi.json; store {path})", highlight=False)
    console.print("Read-only without a token. For uploads, builds and tokens create an admin token in "
                  f"another terminal:  holisec token create --role admin --store {path}", highlight=False)
    console.print("Stop with Ctrl-C.", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (0.0.0.0: every interface)."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    cors: list[str] = typer.Option(None, "--cors", help="Allow cross-origin requests from this origin "
                                   "(repeatable; default: none, CORS closed)."),
    store: str = StoreOpt,
) -> None:
    """Serve the dashboard and the HTTP API (read-only without a token) until Ctrl-C."""
    if not 0 < port < 65536:
        raise typer.BadParameter(f"port must be 1-65535, got {port}")
    serve_app(store, host, port, cors)


@token_app.command("create")
def token_create(
    role: str = typer.Option(..., "--role", help="viewer | analyst | admin"),
    name: str = typer.Option("", "--name", help="Who or what the token is for."),
    days: float = typer.Option(90.0, "--days", help="Days until it expires (0: never)."),
    store: str = StoreOpt,
    json_out: bool = typer.Option(False, "--json", help="Machine-readable output on stdout."),
) -> None:
    """Create a token; it is shown once (only its sha256 is stored)."""
    from holisec.app.access import transaction
    from holisec.app.auth import CLI, create_token, log_write

    with user_errors(), cli_store(store, read_only=False) as st, transaction(st.con):
        token, rec = create_token(st.con, role, name=name, days=days or None, created_by="cli")
        log_write(st.con, CLI, "create_token", rec["token_id"], {"role": role, "name": name})
    if json_out:
        print_json({**rec, "token": token})
        return
    console.print(f"token {rec['token_id']} ({role}), expires {rec['expires_at'] or 'never'}:", highlight=False)
    console.print(token, highlight=False, soft_wrap=True)
    err_console.print("Shown once: keep it secret. Send it as 'Authorization: Bearer <token>'.", highlight=False)


@token_app.command("list")
def token_list(store: str = StoreOpt, json_out: bool = typer.Option(False, "--json", help="Machine-readable output on stdout.")) -> None:
    """Every token (id, name, role, dates, status); never the secrets."""
    from holisec.app.auth import list_tokens

    with user_errors(), cli_store(store) as st:
        df = list_tokens(st.con)
    if json_out:
        print_json(df)
    else:
        show_table(df, "API tokens")


@token_app.command("revoke")
def token_revoke(token_id: str = typer.Argument(..., help="The token id (holisec token list)."),
                 store: str = StoreOpt) -> None:
    """Revoke a token (it stays listed as revoked)."""
    from holisec.app.access import transaction
    from holisec.app.auth import CLI, log_write, revoke_token

    with user_errors(), cli_store(store, read_only=False) as st, transaction(st.con):
        if not revoke_token(st.con, token_id):
            raise ValueError(f"no active token {token_id!r} (holisec token list)")
        log_write(st.con, CLI, "revoke_token", token_id)
    console.print(f"revoked {token_id}", highlight=False)
