"""Index builds for the server: recipes by name (built-in or saved in the store), results
cached by the data they come from (latest ingest id or ``as_of``), framework and recipe hash.

Saved recipes live in the store's append-only ``recipes`` table (name, hash, yaml, created_at,
created_by); the latest row of a name is the recipe of that name.
"""
from __future__ import annotations

from datetime import datetime, timezone

import yaml

from holisec.app.access import Cache, StoreAccess

RECIPES_SQL = """CREATE TABLE IF NOT EXISTS recipes (
    name VARCHAR NOT NULL, hash VARCHAR NOT NULL, yaml VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL,
    created_by VARCHAR)"""
FRAMEWORKS = ("holistic", "subnational")


def _tables(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def recipe_yaml(recipe) -> str:
    """The recipe as the YAML that ``holisec build --recipe FILE`` reads."""
    return yaml.safe_dump(recipe.canonical(), sort_keys=False, allow_unicode=True, default_flow_style=False)


def parse_recipe(text_or_dict, origin: str = "request"):
    """A validated :class:`~holisec.pipeline.Recipe` from YAML/JSON text or a mapping."""
    from holisec.pipeline import Recipe
    from holisec.pipeline.recipe import RecipeError

    raw = text_or_dict
    if isinstance(raw, str):
        try:
            raw = yaml.safe_load(raw)
        except yaml.YAMLError as err:
            raise RecipeError(f"{origin}: cannot parse the recipe YAML: {err}") from None
    return Recipe.from_dict(raw, origin)


def save_recipe(con, recipe, created_by: str) -> dict:
    con.execute(RECIPES_SQL)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    con.execute("INSERT INTO recipes VALUES (?, ?, ?, ?, ?)", [recipe.name, recipe.hash, recipe_yaml(recipe), now, created_by])
    return {"name": recipe.name, "hash": recipe.hash, "created_at": now, "created_by": created_by}


def saved_recipes(con):
    import pandas as pd

    if "recipes" not in _tables(con):
        return pd.DataFrame(columns=["name", "hash", "created_at", "created_by", "versions"])
    return con.execute("""SELECT name, arg_max(hash, created_at) AS hash, max(created_at) AS created_at,
                                 arg_max(created_by, created_at) AS created_by, count(*) AS versions
                          FROM recipes GROUP BY name ORDER BY name""").df()


def saved_recipe_yaml(con, name: str) -> str | None:
    if "recipes" not in _tables(con):
        return None
    row = con.execute("SELECT yaml FROM recipes WHERE name = ? ORDER BY created_at DESC LIMIT 1", [name]).fetchone()
    return row[0] if row else None


class Builds:
    """Builds from the store, cached; ``result()`` is what every index read goes through."""

    def __init__(self, access: StoreAccess, cache: Cache, keep: int = 6):
        self.access = access
        self.cache = cache
        self.built = Cache(access, size=keep)  # whole builds are large: keep a few

    def data_id(self, as_of=None) -> int:
        """The ingest id the data of ``as_of`` (None: latest) resolve to."""
        def compute():
            with self.access.read() as st:
                return st._as_of_id(as_of)
        return self.cache.get(("ingest", str(as_of)), compute)

    def recipe(self, name_or_text=None):
        """Built-in name, saved recipe name, YAML text or mapping -> Recipe (None: default)."""
        from holisec.pipeline import Recipe, default_recipe
        from holisec.pipeline.recipe import RecipeError, builtin_recipes

        if name_or_text is None or name_or_text == "":
            return self.cache.get(("builtin-recipe", "default"), default_recipe, stamped=False)
        if isinstance(name_or_text, dict) or "\n" in str(name_or_text) or ":" in str(name_or_text):
            return parse_recipe(name_or_text)
        if name_or_text in builtin_recipes():
            return self.cache.get(("builtin-recipe", name_or_text), lambda: Recipe.builtin(name_or_text), stamped=False)

        def lookup():
            with self.access.read() as st:
                return saved_recipe_yaml(st.con, name_or_text)
        text = self.cache.get(("recipe", name_or_text), lookup)
        if text is None:
            raise RecipeError(f"unknown recipe {name_or_text!r}: built-in recipes are {builtin_recipes()}; "
                              "saved ones: GET /api/recipes")
        return parse_recipe(text, f"saved recipe {name_or_text!r}")

    def result(self, framework: str | None = None, recipe=None, as_of=None, entity_type: str = "country",
               progress=None):
        """The built index (a :class:`~holisec.pipeline.Result`), built once per data/recipe."""
        if entity_type not in ("country", "region"):
            raise ValueError(f"entity_type must be 'country' or 'region', got {entity_type!r}")
        fw = framework or ("subnational" if entity_type == "region" else "holistic")
        if fw not in FRAMEWORKS:
            raise ValueError(f"unknown framework {fw!r}; the server builds {list(FRAMEWORKS)}")
        rec = self.recipe(recipe)
        data_id = self.data_id(as_of)
        key = ("build", data_id, fw, rec.hash, entity_type)

        def compute():
            if progress:
                progress(0.1, "reading the panel from the store")
            with self.access.read() as st:
                res = _build(st, fw, rec, data_id, entity_type)
            res.app_key = key[1:]  # what the result is computed from: keys the derived caches
            return res
        return self.built.get(key, compute, stamped=False)


def _build(store, framework, recipe, data_id, entity_type):
    """A stored build when the index module keeps them (holisec.index.stored_build), else a build."""
    import holisec.index as hi

    stored = getattr(hi, "stored_build", None)
    if stored is not None and not store.read_only:  # pragma: no cover - depends on the stored-build module
        return stored(store, framework, recipe, as_of=data_id, entity_type=entity_type)
    return hi.build_from_store(store, framework, recipe, as_of=data_id, entity_type=entity_type)
