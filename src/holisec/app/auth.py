"""API tokens with roles, stored hashed in the store, and the audit log of every write.

Tables (created on first write, append-only except ``revoked_at`` on revocation):

- ``api_tokens``: token_id, name, role (viewer|analyst|admin), sha256 of the secret,
  created_at, expires_at, revoked_at, created_by.
- ``audit_log``: time, token_id (who; ``cli`` for the command line), role, action, target,
  detail (JSON), status.

A token reads ``hs_<token_id>_<secret>``; the secret is 32 random bytes (``secrets``), so a
single sha256 is the right hash (a slow KDF such as PBKDF2 protects low-entropy passwords, not
256-bit random keys; GitHub stores its tokens the same way). Verification looks the id up and
compares the digests with :func:`hmac.compare_digest` (constant time).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pandas as pd

ROLES = ("viewer", "analyst", "admin")
PREFIX = "hs_"

TOKENS_SQL = """CREATE TABLE IF NOT EXISTS api_tokens (
    token_id VARCHAR PRIMARY KEY, name VARCHAR, role VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL, expires_at TIMESTAMP, revoked_at TIMESTAMP, created_by VARCHAR)"""
AUDIT_SQL = """CREATE TABLE IF NOT EXISTS audit_log (
    time TIMESTAMP NOT NULL, token_id VARCHAR, role VARCHAR, action VARCHAR NOT NULL, target VARCHAR,
    detail VARCHAR, status VARCHAR)"""


class AuthError(ValueError):
    """A token is missing, malformed, unknown, expired, revoked, or its role is too low."""

    def __init__(self, message: str, status: int = 401):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Principal:
    """Who is calling: ``token_id`` None for anonymous (read-only) callers."""

    token_id: str | None
    role: str | None
    name: str = ""

    def allows(self, role: str) -> bool:
        return self.role is not None and ROLES.index(self.role) >= ROLES.index(role)


ANONYMOUS = Principal(None, None, "anonymous")
#: the command line (someone with the store file): recorded as ``cli`` in the audit log
CLI = Principal("cli", "admin", "command line")


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _tables(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def ensure_tables(con) -> None:
    con.execute(TOKENS_SQL)
    con.execute(AUDIT_SQL)


def create_token(con, role: str, *, name: str = "", days: float | None = 90, created_by: str = "cli") -> tuple[str, dict]:
    """A new token of ``role`` valid ``days`` (None: no expiry); returns (token, its record).

    The token itself is shown once and never stored; only its sha256 is."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {list(ROLES)}, got {role!r}")
    if days is not None and not days > 0:
        raise ValueError(f"days must be > 0 (or omitted for no expiry), got {days!r}")
    ensure_tables(con)
    token_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    now = _now()
    expires = now + timedelta(days=float(days)) if days is not None else None
    con.execute("INSERT INTO api_tokens VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
                [token_id, name, role, _digest(secret), now, expires, created_by])
    record = {"token_id": token_id, "name": name, "role": role, "created_at": now, "expires_at": expires}
    return f"{PREFIX}{token_id}_{secret}", record


def revoke_token(con, token_id: str) -> bool:
    """Revoke a token (its row stays, with ``revoked_at``); False if unknown or already revoked."""
    if "api_tokens" not in _tables(con):
        return False
    hit = con.execute("SELECT revoked_at FROM api_tokens WHERE token_id = ?", [token_id]).fetchone()
    if hit is None or hit[0] is not None:
        return False
    con.execute("UPDATE api_tokens SET revoked_at = ? WHERE token_id = ?", [_now(), token_id])
    return True


def list_tokens(con) -> pd.DataFrame:
    """Every token ever created (never the secret or its hash), with a ``status`` column."""
    cols = ["token_id", "name", "role", "created_at", "expires_at", "revoked_at", "created_by"]
    if "api_tokens" not in _tables(con):
        return pd.DataFrame(columns=[*cols, "status"])
    df = con.execute(f"SELECT {', '.join(cols)} FROM api_tokens ORDER BY created_at").df()
    now = pd.Timestamp(_now())
    expired = df["expires_at"].notna() & (pd.to_datetime(df["expires_at"]) <= now)
    df["status"] = ["revoked" if r else "expired" if e else "active"
                    for r, e in zip(df["revoked_at"].notna(), expired)]
    return df


def token_table(con) -> dict[str, dict]:
    """token_id -> {sha256, role, name, expires_at, revoked_at}: what :func:`verify` checks against."""
    if "api_tokens" not in _tables(con):
        return {}
    rows = con.execute("SELECT token_id, sha256, role, name, expires_at, revoked_at FROM api_tokens").fetchall()
    return {r[0]: {"sha256": r[1], "role": r[2], "name": r[3], "expires_at": r[4], "revoked_at": r[5]} for r in rows}


def verify(token: str, table: dict[str, dict], now: datetime | None = None) -> Principal:
    """The caller behind ``token`` (``hs_<id>_<secret>``), checked against :func:`token_table`.

    Raises :class:`AuthError` (401) when malformed, unknown, wrong, expired or revoked."""
    if not token.startswith(PREFIX) or token.count("_") < 2:
        raise AuthError("malformed token: expected 'hs_<id>_<secret>' (create one with `holisec token create`)")
    token_id, secret = token[len(PREFIX):].split("_", 1)
    row = table.get(token_id)
    # compare against a dummy digest when the id is unknown, so timing does not reveal ids
    expected = row["sha256"] if row else _digest("no such token")
    if not hmac.compare_digest(_digest(secret), expected) or row is None:
        raise AuthError("invalid token")
    if row["revoked_at"] is not None:
        raise AuthError(f"token {token_id} was revoked on {row['revoked_at']:%Y-%m-%d %H:%M} UTC")
    now = now or _now()
    if row["expires_at"] is not None and row["expires_at"] <= now:
        raise AuthError(f"token {token_id} expired on {row['expires_at']:%Y-%m-%d %H:%M} UTC; ask an admin for a new one")
    return Principal(token_id, row["role"], row["name"] or "")


def require(principal: Principal, role: str) -> None:
    """Raise :class:`AuthError` 401 (no token) or 403 (role too low) unless ``principal`` has ``role``."""
    if principal.role is None:
        raise AuthError(f"this endpoint needs a token with role {role!r} or higher: send "
                        "'Authorization: Bearer <token>' (holisec token create --role ...)", 401)
    if not principal.allows(role):
        raise AuthError(f"token {principal.token_id} has role {principal.role!r}; this endpoint needs {role!r} or higher", 403)


def log_write(con, principal: Principal, action: str, target: str = "", detail: dict | None = None,
              status: str = "ok") -> None:
    """Append one row to ``audit_log``: who, when, what."""
    from holisec._json import json_ready

    ensure_tables(con)
    con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?)",
                [_now(), principal.token_id or "anonymous", principal.role, action, target,
                 json.dumps(json_ready(detail or {}), sort_keys=True), status])


def audit_log(con, limit: int = 200) -> pd.DataFrame:
    if "audit_log" not in _tables(con):
        return pd.DataFrame(columns=["time", "token_id", "role", "action", "target", "detail", "status"])
    return con.execute("SELECT * FROM audit_log ORDER BY time DESC LIMIT ?", [int(limit)]).df()
