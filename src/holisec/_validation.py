"""Reading and validating the user's YAML/JSON files (frameworks, recipes, scenarios, uncertainty
specs) with one error format: the file, the key path of each problem and what is wrong.

    recipe.yaml: invalid recipe (2 problem(s))
      - steps[3].params.winmax: Input should be greater than or equal to 1
      - weights.domain_x: not a group of the framework
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def key_path(loc: tuple) -> str:
    """``("steps", 3, "params", "winmax")`` -> ``steps[3].params.winmax``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def describe(err: ValidationError, origin: str, what: str, hint: Callable[[tuple], str] | None = None) -> str:
    """A pydantic error as lines ``origin: invalid <what> (n problem(s))`` then ``- key.path: message``;
    ``hint(loc)`` may add words after the key path (e.g. the id of the list item)."""
    lines = [f"{origin}: invalid {what} ({err.error_count()} problem(s))"]
    for e in err.errors():
        where = key_path(e["loc"]) + (hint(e["loc"]) if hint else "")
        msg = e["msg"].removeprefix("Value error, ")
        lines.append(f"  - {where + ': ' if where else ''}{msg}")
    return "\n".join(lines)


def validated(model: type[M], raw: Any, origin: str, what: str, error: type[Exception],
              hint: Callable[[tuple], str] | None = None) -> M:
    """``model.model_validate(raw)``, or ``error`` with every problem's key path (see :func:`describe`)."""
    if not isinstance(raw, dict):
        raise error(f"{origin}: a {what} must be a mapping at the top level, got {type(raw).__name__}")
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        raise error(describe(err, origin, what, hint)) from None


def read_mapping_file(path: str | Path, what: str, error: type[Exception]) -> Any:
    """The parsed content of a YAML file (JSON if the suffix is ``.json``), or ``error`` saying
    which file and, for a syntax error, which line and column."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: {what} file not found") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, expected a {what} file") from None
    except UnicodeDecodeError as err:
        raise error(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    try:
        return json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as err:
        raise error(f"{path}: line {err.lineno}, column {err.colno}: cannot parse JSON: {err.msg}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        raise error(f"{path}:{where} cannot parse YAML: {getattr(err, 'problem', None) or err}") from None
