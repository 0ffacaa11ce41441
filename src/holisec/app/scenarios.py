"""Saved what-if scenarios: a :class:`holisec.holistic.scenario.Scenario` kept in the store.

Table ``scenarios`` (append-only; a save inserts one row, nothing is updated): name, sha256 of
the scenario's canonical JSON, the scenario as YAML, created_at (UTC), created_by (token id),
and the baseline build it was saved against (build_id = :class:`holisec.data.builds.BuildKey`
of framework hash, recipe hash, vintage ...; recipe name and hash, framework id, vintage
label). The latest row of a name is the scenario of that name; older rows stay as its history.

Re-opening a scenario runs it (:func:`holisec.holistic.scenario.run`) against the build the
page shows now, and says when that build differs from the one it was saved against.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

import pandas as pd
import yaml

SCENARIOS_SQL = """CREATE TABLE IF NOT EXISTS scenarios (
    name VARCHAR NOT NULL, hash VARCHAR NOT NULL, yaml VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL,
    created_by VARCHAR, build_id VARCHAR NOT NULL, framework_id VARCHAR NOT NULL, recipe_name VARCHAR,
    recipe_hash VARCHAR NOT NULL, as_of INTEGER NOT NULL, vintage VARCHAR NOT NULL)"""


def _tables(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def parse_scenario(raw, origin: str = "request"):
    """A validated Scenario from YAML text or a mapping (errors name the key path)."""
    from holisec.holistic._common import HolisticError
    from holisec.holistic.scenario import Scenario

    if isinstance(raw, str):
        try:
            raw = yaml.safe_load(raw)
        except yaml.YAMLError as err:
            raise HolisticError(f"{origin}: cannot parse the scenario YAML: {err}") from None
    sc = Scenario.from_dict(raw, origin)
    if not sc.name.strip():
        raise HolisticError(f"{origin}: name: give the scenario a name")
    return sc


def check_scenario(sc, result, origin: str = "scenario") -> None:
    """Every entity, indicator, year and code the scenario names exists in the build."""
    from holisec.holistic.scenario import _check_names

    _check_names(sc, result, origin)


def scenario_yaml(sc) -> str:
    return yaml.safe_dump(sc.model_dump(exclude_none=True, exclude_defaults=True), sort_keys=False, allow_unicode=True,
                          default_flow_style=None, width=100)


def scenario_hash(sc) -> str:
    text = json.dumps(sc.model_dump(mode="json", exclude_none=True, exclude_defaults=True), sort_keys=True,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def save_scenario(con, sc, key, vintage: str, created_by: str) -> dict:
    """Append ``sc`` saved against the build ``key`` (a BuildKey); returns the stored record."""
    con.execute(SCENARIOS_SQL)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    row = {"name": sc.name, "hash": scenario_hash(sc), "yaml": scenario_yaml(sc), "created_at": now,
           "created_by": created_by, "build_id": key.build_id, "framework_id": key.framework_id,
           "recipe_name": key.recipe_name, "recipe_hash": key.recipe_hash, "as_of": key.as_of, "vintage": vintage}
    con.execute(f"INSERT INTO scenarios VALUES ({', '.join('?' * len(row))})", list(row.values()))
    return row


def saved_scenarios(con) -> pd.DataFrame:
    """One row per name (its latest version), with the number of versions, newest first."""
    cols = ["name", "hash", "created_at", "created_by", "build_id", "recipe_name", "vintage", "versions"]
    if "scenarios" not in _tables(con):
        return pd.DataFrame(columns=cols)
    return con.execute("""SELECT name, arg_max(hash, created_at) AS hash, max(created_at) AS created_at,
                                 arg_max(created_by, created_at) AS created_by, arg_max(build_id, created_at) AS build_id,
                                 arg_max(recipe_name, created_at) AS recipe_name, arg_max(vintage, created_at) AS vintage,
                                 count(*) AS versions
                          FROM scenarios GROUP BY name ORDER BY created_at DESC, name""").df()


def scenario_versions(con, name: str) -> pd.DataFrame:
    """Every saved version of ``name``, newest first (empty if none)."""
    if "scenarios" not in _tables(con):
        return pd.DataFrame()
    return con.execute("SELECT * FROM scenarios WHERE name = ? ORDER BY created_at DESC, rowid DESC", [name]).df()


def slider_weights(sc) -> dict[str, float]:
    """The domain weights a scenario sets (its ``weights`` and any ``framework`` weight step in
    its recipe changes), for the what-if page's sliders; empty if it sets none."""
    out: dict[str, float] = {}
    for rc in sc.recipe:
        if rc.step == "weight" and rc.method in (None, "framework"):
            out.update({k: float(v) for k, v in (rc.params.get("weights") or {}).items()})
    out.update({k: float(v) for k, v in sc.weights.items()})
    return out
