"""The scoring log of the locked test set (append-only table ``scoring_log`` in the store).

Every look at the test years (``warn evaluate --final``) appends one row: UTC time, target,
code version, data vintage (the store's latest ingest id and time), a hash of the configuration
(target, hyperparameters, origins, publication lags, bootstrap size, seed) and the test metrics.
Nothing is updated or deleted, so the table shows how often and when the test was looked at
(the "forking paths" record; Gelman & Loken 2014; Tashman 2000 on holding out a final test).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from holisec._json import json_ready

TABLE = "scoring_log"
COLUMNS = {"scored_at": "TIMESTAMP", "target": "VARCHAR", "code_version": "VARCHAR",
           "data_vintage": "VARCHAR", "config_hash": "VARCHAR", "config": "VARCHAR", "metrics": "VARCHAR"}


def code_version() -> str:
    """``holisec <version>`` plus the git commit of the source tree when it is a checkout."""
    from holisec import __version__

    root = Path(__file__).resolve().parents[3]
    try:
        sha = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return f"holisec {__version__}"
    return f"holisec {__version__} ({sha}{'+dirty' if dirty else ''})"


def data_vintage(store) -> str:
    """``ingest <id> (<UTC time>)`` of the store's latest ingest (the vintage the run read)."""
    con = getattr(store, "con", store)
    row = con.execute("SELECT ingest_id, time FROM ingests ORDER BY ingest_id DESC LIMIT 1").fetchone()
    return "empty store" if row is None else f"ingest {row[0]} ({row[1]:%Y-%m-%d %H:%M:%S} UTC)"


def config_hash(config: dict) -> str:
    """SHA-256 (first 16 hex digits) of the configuration as canonical JSON."""
    blob = json.dumps(json_ready(config), sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def log_score(store, target: str, config: dict, metrics: pd.DataFrame | list[dict],
              vintage: str | None = None, version: str | None = None) -> int:
    """Append one scoring of the test years and return how many times ``target``'s test has been
    scored in this store (this one included)."""
    con = getattr(store, "con", store)
    recs = metrics.to_dict("records") if isinstance(metrics, pd.DataFrame) else list(metrics)
    row = {"scored_at": datetime.now(timezone.utc).replace(tzinfo=None), "target": target,
           "code_version": version or code_version(), "data_vintage": vintage or data_vintage(store),
           "config_hash": config_hash(config), "config": json.dumps(json_ready(config), sort_keys=True, default=str),
           "metrics": json.dumps(json_ready(recs), default=str)}
    con.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} ({', '.join(f'{c} {t}' for c, t in COLUMNS.items())})")
    con.execute(f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                [row[c] for c in COLUMNS])
    return times_scored(store, target)


def times_scored(store, target: str | None = None) -> int:
    """Number of logged scorings of the test years (of one target, or of all)."""
    con = getattr(store, "con", store)
    if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [TABLE]).fetchone()[0]:
        return 0
    q, p = (f"SELECT count(*) FROM {TABLE}", []) if target is None else (
        f"SELECT count(*) FROM {TABLE} WHERE target = ?", [target])
    return int(con.execute(q, p).fetchone()[0])


def scoring_log(store) -> pd.DataFrame:
    """The whole log, oldest first (empty frame with the columns if nothing was scored)."""
    con = getattr(store, "con", store)
    if not times_scored(store):
        return pd.DataFrame(columns=list(COLUMNS))
    return con.execute(f"SELECT * FROM {TABLE} ORDER BY scored_at").df()
