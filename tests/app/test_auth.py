"""API tokens: hashed storage, roles, expiry, revocation, constant-time comparison."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import duckdb
import pytest

from holisec.app import auth


@pytest.fixture
def con():
    c = duckdb.connect(":memory:")
    yield c
    c.close()


def test_token_is_stored_as_sha256_only(con):
    token, rec = auth.create_token(con, "analyst", name="a")
    secret = token.split("_", 2)[2]
    stored = con.execute("SELECT * FROM api_tokens").df()
    assert len(stored) == 1
    flat = " ".join(map(str, stored.iloc[0].tolist()))
    assert secret not in flat and token not in flat
    assert stored.at[0, "sha256"] == hashlib.sha256(secret.encode()).hexdigest()
    assert rec["role"] == "analyst"


def test_verify_roles_and_wrong_secrets(con):
    token, rec = auth.create_token(con, "viewer")
    table = auth.token_table(con)
    p = auth.verify(token, table)
    assert (p.token_id, p.role) == (rec["token_id"], "viewer")
    assert p.allows("viewer") and not p.allows("analyst") and not p.allows("admin")
    wrong = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(auth.AuthError, match="invalid token"):
        auth.verify(wrong, table)
    with pytest.raises(auth.AuthError, match="invalid token"):
        auth.verify("hs_000000000000_" + "x" * 43, table)
    with pytest.raises(auth.AuthError, match="malformed"):
        auth.verify("Bearer-nonsense", table)


def test_expired_and_revoked_tokens_are_refused(con):
    token, rec = auth.create_token(con, "admin", days=1)
    table = auth.token_table(con)
    assert auth.verify(token, table, now=datetime.utcnow()).role == "admin"
    with pytest.raises(auth.AuthError, match="expired"):
        auth.verify(token, table, now=datetime.utcnow() + timedelta(days=2))
    assert auth.revoke_token(con, rec["token_id"]) is True
    assert auth.revoke_token(con, rec["token_id"]) is False  # already revoked
    with pytest.raises(auth.AuthError, match="revoked"):
        auth.verify(token, auth.token_table(con))
    listed = auth.list_tokens(con)
    assert listed["status"].tolist() == ["revoked"] and "sha256" not in listed.columns


def test_require_distinguishes_401_and_403():
    with pytest.raises(auth.AuthError) as e:
        auth.require(auth.ANONYMOUS, "viewer")
    assert e.value.status == 401
    with pytest.raises(auth.AuthError) as e:
        auth.require(auth.Principal("x", "analyst"), "admin")
    assert e.value.status == 403
    auth.require(auth.Principal("x", "admin"), "analyst")  # higher roles include lower ones


def test_bad_role_and_days(con):
    with pytest.raises(ValueError, match="role must be one of"):
        auth.create_token(con, "root")
    with pytest.raises(ValueError, match="days must be > 0"):
        auth.create_token(con, "viewer", days=-1)


def test_comparison_is_constant_time(monkeypatch, con):
    token, _ = auth.create_token(con, "viewer")
    calls = []
    real = auth.hmac.compare_digest
    monkeypatch.setattr(auth.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    auth.verify(token, auth.token_table(con))
    with pytest.raises(auth.AuthError):
        auth.verify("hs_unknownid_secret", auth.token_table(con))  # unknown ids are compared too
    assert len(calls) == 2


def test_audit_log_appends(con):
    auth.log_write(con, auth.Principal("t1", "analyst"), "upload", "src:file.csv", {"rows": 3})
    auth.log_write(con, auth.ANONYMOUS, "whatever")
    log = auth.audit_log(con)
    assert len(log) == 2 and set(log["token_id"]) == {"t1", "anonymous"}
    assert '"rows": 3' in log.loc[log["action"] == "upload", "detail"].iloc[0]
