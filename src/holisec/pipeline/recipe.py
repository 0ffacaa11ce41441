"""Recipes: an ordered, validated list of pipeline steps that fully specifies an index build.

A recipe is plain data (YAML or JSON), so a build can be repeated, shared, compared by hash
and altered one parameter at a time (:meth:`Recipe.replace`, like COINr's ``Regen``).
"""
from __future__ import annotations

import hashlib
import inspect
import json
import typing
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from holisec._validation import read_mapping_file, validated
from holisec.pipeline.steps import aggregate as _aggregate
from holisec.pipeline.steps import denominate as _denominate
from holisec.pipeline.steps import impute as _impute
from holisec.pipeline.steps import normalise as _normalise
from holisec.pipeline.steps import treat as _treat
from holisec.pipeline.steps import weight as _weight

StepName = Literal["denominate", "impute", "treat", "normalise", "weight", "aggregate"]
_MODULES = {
    "denominate": _denominate, "impute": _impute, "treat": _treat,
    "normalise": _normalise, "weight": _weight, "aggregate": _aggregate,
}
#: Position of each step kind; a recipe's steps must not go back in this order.
_STAGE = {"denominate": 0, "impute": 1, "treat": 1, "normalise": 2, "weight": 3, "aggregate": 4}
#: Arguments the build supplies itself (never given in a recipe).
_SUPPLIED = {"framework", "scores"}
#: Recipe-level type of arguments the build resolves before calling the step.
_RECIPE_TYPES: dict[str, Any] = {"by": str}
_BUILTIN = "holisec.pipeline.builtin"


class RecipeError(ValueError):
    """A recipe is invalid; the message names the file, the step index and the key."""


def methods(step: str) -> list[str]:
    """Method names available for a step."""
    return sorted(_MODULES[step].METHODS)


def parameters(step: str, method: str) -> dict[str, inspect.Parameter]:
    """Recipe parameters accepted by ``step``/``method`` with their defaults and annotations."""
    module = _MODULES[step]
    if step == "aggregate":  # one dispatcher: its min_share plus what the method itself takes
        sig = inspect.signature(module.aggregate).parameters
        own = {k for k, p in inspect.signature(module.METHODS[method]).parameters.items()
               if p.kind is inspect.Parameter.KEYWORD_ONLY}
        return {k: sig[k] for k in sorted({"min_share"} | own)}
    func = module.METHODS[method]
    return {
        name: p for name, p in inspect.signature(func).parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and name not in _SUPPLIED
    }


def _check_value(step: str, method: str, name: str, value: Any) -> None:
    hint = _RECIPE_TYPES.get(name)
    if hint is None:
        func = _MODULES[step].aggregate if step == "aggregate" else _MODULES[step].METHODS[method]
        hint = typing.get_type_hints(func).get(name)
    if hint is None:
        return
    try:
        adapter = TypeAdapter(hint)
    except Exception:  # annotations pydantic cannot express (e.g. pandas objects) go unchecked
        return
    try:
        adapter.validate_python(value)
    except ValidationError as err:
        raise ValueError(f"bad value {value!r}: {err.errors()[0]['msg']}") from None


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _canonical(value[k]) for k in sorted(value)}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return value


class Step(BaseModel):
    """One step: ``{step, method, params}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    step: StepName
    method: str
    params: dict[str, Any] = Field(default_factory=dict)


class Recipe(BaseModel):
    """An ordered list of steps plus a name and a description."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    description: str = ""
    steps: list[Step]

    @model_validator(mode="after")
    def _valid(self) -> Recipe:
        stage = -1
        counts: dict[str, int] = {}
        for i, s in enumerate(self.steps):
            where = f"steps[{i}] ({s.step})"
            if s.method not in _MODULES[s.step].METHODS:
                raise ValueError(f"{where}: unknown method {s.method!r}; expected one of {methods(s.step)}")
            allowed = parameters(s.step, s.method)
            for key, value in s.params.items():
                if key not in allowed:
                    raise ValueError(
                        f"{where}.params.{key}: unknown parameter for method {s.method!r}; "
                        f"allowed: {sorted(allowed) or 'none'}"
                    )
                try:
                    _check_value(s.step, s.method, key, value)
                except ValueError as err:
                    raise ValueError(f"{where}.params.{key}: {err}") from None
                if s.step == "weight" and key == "weights" and isinstance(value, dict):
                    for code, w in value.items():
                        if isinstance(w, (int, float)) and not w >= 0:
                            raise ValueError(f"{where}.params.weights.{code}: weight {w} is negative; "
                                             f"weights must be >= 0 (0 leaves the child out)")
            if _STAGE[s.step] < stage:
                raise ValueError(f"{where}: must come before the later stages (order: {' -> '.join(_STAGE)})")
            stage = _STAGE[s.step]
            counts[s.step] = counts.get(s.step, 0) + 1
        for required in ("normalise", "aggregate"):
            if counts.get(required, 0) != 1:
                raise ValueError(f"steps: a recipe needs exactly one {required!r} step, found {counts.get(required, 0)}")
        for single in ("denominate", "weight"):
            if counts.get(single, 0) > 1:
                raise ValueError(f"steps: at most one {single!r} step, found {counts[single]}")
        return self

    # --- identity ------------------------------------------------------------------------
    def canonical(self) -> dict:
        """Plain mapping in a stable key order (what is saved and hashed)."""
        return {
            "name": self.name,
            "description": self.description,
            "steps": [{"step": s.step, "method": s.method, "params": _canonical(s.params)} for s in self.steps],
        }

    @property
    def hash(self) -> str:
        """sha256 of the canonical JSON (sorted keys, no whitespace)."""
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    # --- files ---------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, raw: Any, origin: str = "<dict>") -> Recipe:
        return validated(cls, raw, origin, "recipe", RecipeError)

    @classmethod
    def load(cls, path: str | Path) -> Recipe:
        """Read a recipe from YAML (``.yaml``/``.yml``) or JSON (``.json``)."""
        return cls.from_dict(read_mapping_file(path, "recipe", RecipeError), str(path))

    @classmethod
    def builtin(cls, name: str) -> Recipe:
        """A recipe shipped with holisec (see :func:`builtin_recipes`)."""
        if name not in builtin_recipes():
            raise RecipeError(f"{name!r}: not a built-in recipe; expected one of {builtin_recipes()}")
        with resources.as_file(resources.files(_BUILTIN) / f"{name}.yaml") as p:
            return cls.load(p)

    def save(self, path: str | Path) -> Path:
        """Write YAML (JSON if the suffix is ``.json``) in a stable key order."""
        path = Path(path)
        if path.suffix.lower() == ".json":
            text = json.dumps(self.canonical(), indent=2, ensure_ascii=False) + "\n"
        else:
            text = yaml.safe_dump(self.canonical(), sort_keys=False, allow_unicode=True, default_flow_style=False)
        path.write_text(text, encoding="utf-8")
        return path

    # --- alteration ----------------------------------------------------------------------
    def replace(self, step: int | str, method: str | None = None, **params: Any) -> Recipe:
        """A new recipe with one step's method and/or parameters changed.

        ``step`` is an index or a step name (which must then be unique in the recipe). When the
        method changes, the old parameters are dropped; otherwise ``params`` update them.
        """
        if isinstance(step, str):
            hits = [i for i, s in enumerate(self.steps) if s.step == step]
            if len(hits) != 1:
                raise RecipeError(f"replace: recipe has {len(hits)} {step!r} steps; pass the step index instead")
            step = hits[0]
        if not 0 <= step < len(self.steps):
            raise RecipeError(f"replace: no step {step} (recipe has {len(self.steps)})")
        old = self.steps[step]
        new_method = method or old.method
        new_params = dict(params) if new_method != old.method else {**old.params, **params}
        raw = self.canonical()
        raw["steps"][step] = {"step": old.step, "method": new_method, "params": new_params}
        return Recipe.from_dict(raw, f"{self.name} (replace step {step})")


def builtin_recipes() -> list[str]:
    """Names of the recipes shipped with holisec."""
    return sorted(f.name[:-5] for f in resources.files(_BUILTIN).iterdir() if f.name.endswith(".yaml"))


def default_recipe() -> Recipe:
    """The default recipe for the holistic framework (``builtin/default.yaml``)."""
    return Recipe.builtin("default")
