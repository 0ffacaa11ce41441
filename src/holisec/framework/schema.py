"""Pydantic schema of a framework: index -> groups (domains, pillars...) -> indicators.

A framework is a tree. Leaves are indicators; inner nodes are *groups* (for the
``holistic`` framework: the 11 domains under one index). *Elements* are a second,
overlapping grouping over the groups: they are views, not part of the aggregation tree.

Direction convention: ``direction = +1`` means a higher raw value raises the index
(for a risk framework: more risk); ``-1`` means a higher raw value lowers it.
"""
from __future__ import annotations

from functools import cached_property
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: The five pairs of the holistic approach, each with its two poles.
PAIRS: dict[str, tuple[str, str]] = {
    "scope": ("internal", "external"),
    "sphere": ("homeland", "people"),
    "kind": ("traditional", "non-traditional"),
    "aspect": ("development", "security"),
    "reach": ("own", "common"),
}

_CODE = r"^[A-Za-z][A-Za-z0-9_.\-]*$"


class FrameworkError(ValueError):
    """A framework file or table is invalid; the message names the file and key path."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Model):
    """Where an indicator's numbers come from, and under which licence."""

    id: str = Field(pattern=_CODE)
    name: str
    citation: str = ""
    licence: str
    url: str = ""
    non_commercial: bool = False
    vintage: str = ""
    publication_lag: int | None = Field(
        default=None, ge=0, description="years between the end of a data year and its publication "
        "(1 = year T is published during T+1); None = not documented (indicators fall back to `slow`)")
    release_calendar: str = Field(default="", description="when the producer publishes a data year")


class Indicator(_Model):
    """A measured quantity (leaf of the tree)."""

    id: str = Field(pattern=_CODE)
    name: str
    parent: str = Field(description="id of the group (domain) it belongs to")
    unit: str = ""
    direction: Literal[1, -1] = 1
    weight: float = Field(default=1.0, ge=0)
    source: str | None = None
    licence: str | None = None
    goalposts: tuple[float, float] | None = None
    denominator: str | None = None
    slow: bool = Field(default=False, description="published with a lag; lag one extra year in forecasts "
                       "(used only when neither the indicator nor its source gives `publication_lag`)")
    publication_lag: int | None = Field(default=None, ge=0, description="overrides the source's publication lag")
    tags: dict[str, str] = Field(default_factory=dict)
    description: str = ""

    @field_validator("tags")
    @classmethod
    def _known_poles(cls, tags: dict[str, str]) -> dict[str, str]:
        for pair, pole in tags.items():
            if pair not in PAIRS:
                raise ValueError(f"unknown pair {pair!r}; expected one of {sorted(PAIRS)}")
            if pole not in (*PAIRS[pair], "neutral"):
                raise ValueError(f"pair {pair!r} has poles {PAIRS[pair]} (or 'neutral'), got {pole!r}")
        return tags

    @field_validator("goalposts")
    @classmethod
    def _ordered(cls, gp: tuple[float, float] | None) -> tuple[float, float] | None:
        if gp is not None and not gp[0] < gp[1]:
            raise ValueError(f"goalposts must be (low, high) with low < high, got {gp}")
        return gp


class Group(_Model):
    """An aggregate node: a domain, pillar, sub-index or the index itself (no parent)."""

    id: str = Field(pattern=_CODE)
    name: str
    parent: str | None = None
    weight: float = Field(default=1.0, ge=0)
    direction: Literal[1, -1] = 1
    description: str = ""
    gap: str = Field(default="", description="documented data gap, if the group lacks indicators")


class Element(_Model):
    """One of the five elements: an overlapping view over groups."""

    id: str = Field(pattern=_CODE)
    name: str
    role: str
    groups: list[str]
    description: str = ""


class Framework(_Model):
    """A validated security framework."""

    id: str = Field(pattern=_CODE)
    name: str
    version: str = "1"
    description: str = ""
    polarity: str = "higher = more risk"
    groups: list[Group]
    indicators: list[Indicator]
    elements: list[Element] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Framework:
        seen: dict[str, str] = {}
        for kind, items in (("group", self.groups), ("indicator", self.indicators)):
            for i, item in enumerate(items):
                if item.id in seen:
                    raise ValueError(f"duplicate code {item.id!r} ({kind}s[{i}]; already used by a {seen[item.id]})")
                seen[item.id] = kind
        groups = {g.id for g in self.groups}
        roots = [g.id for g in self.groups if g.parent is None]
        if len(roots) != 1:
            raise ValueError(f"exactly one group must have no parent (the index); found {roots}")
        for kind, items in (("groups", self.groups), ("indicators", self.indicators)):
            for i, item in enumerate(items):
                if item.parent is not None and item.parent not in groups:
                    raise ValueError(f"{kind}[{i}] ({item.id!r}): parent {item.parent!r} is not a group")
        childless = groups - {i.parent for i in self.indicators} - {g.parent for g in self.groups}
        undocumented = [g for g in sorted(childless) if not self.group(g).gap]
        if undocumented:
            raise ValueError(f"groups without children must document a gap: {undocumented}")
        for i, el in enumerate(self.elements):
            bad = [g for g in el.groups if g not in groups]
            if bad:
                raise ValueError(f"elements[{i}] ({el.id!r}): unknown groups {bad}")
        if self.sources:
            known = {s.id for s in self.sources}
            for i, ind in enumerate(self.indicators):
                if ind.source is not None and ind.source not in known:
                    raise ValueError(f"indicators[{i}] ({ind.id!r}): source {ind.source!r} not in sources")
        self._check_acyclic()
        return self

    def _check_acyclic(self) -> None:
        parent = {g.id: g.parent for g in self.groups}
        for start in parent:
            node, path = start, []
            while node is not None:
                if node in path:
                    raise ValueError(f"cycle in group parents: {' -> '.join([*path, node])}")
                path.append(node)
                node = parent[node]

    # --- lookups -----------------------------------------------------------------
    def group(self, code: str) -> Group:
        for g in self.groups:
            if g.id == code:
                return g
        raise KeyError(code)

    def indicator(self, code: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == code:
                return ind
        raise KeyError(code)

    def source(self, code: str) -> Source:
        for s in self.sources:
            if s.id == code:
                return s
        raise KeyError(code)

    def publication_lag(self, code: str) -> int:
        """Years after the end of data year T until year T is published, for indicator ``code``:
        the indicator's own ``publication_lag``, else its source's, else 1 if flagged ``slow``, else 0."""
        ind = self.indicator(code)
        if ind.publication_lag is not None:
            return ind.publication_lag
        src = next((s for s in self.sources if s.id == ind.source), None)
        if src is not None and src.publication_lag is not None:
            return src.publication_lag
        return int(ind.slow)

    @property
    def root(self) -> str:
        return next(g.id for g in self.groups if g.parent is None)

    @property
    def indicator_ids(self) -> list[str]:
        return [i.id for i in self.indicators]

    @cached_property
    def tree(self) -> pd.DataFrame:
        """COINr-iMeta-like table: code, name, type, level, parent, weight, direction.

        Level 1 = indicators; a group's level is one more than its highest child.
        """
        rows = [
            dict(code=i.id, name=i.name, type="Indicator", parent=i.parent, weight=i.weight, direction=i.direction)
            for i in self.indicators
        ] + [
            dict(code=g.id, name=g.name, type="Aggregate", parent=g.parent, weight=g.weight, direction=g.direction)
            for g in self.groups
        ]
        df = pd.DataFrame(rows).set_index("code")
        level = {i.id: 1 for i in self.indicators}

        def lev(code: str) -> int:
            if code not in level:
                kids = df.index[df["parent"] == code]
                level[code] = 1 + max((lev(k) for k in kids), default=1)
            return level[code]

        df["level"] = [lev(c) for c in df.index]
        return df

    @cached_property
    def _children(self) -> dict[str, list[str]]:
        """parent -> its children in tree order (one pass; ``children`` is called per node)."""
        out: dict[str, list[str]] = {}
        for code, parent in self.tree["parent"].items():
            out.setdefault(parent, []).append(code)
        return out

    def children(self, code: str) -> list[str]:
        return list(self._children.get(code, ()))

    def leaves(self, code: str) -> list[str]:
        """All indicators below a group (or the indicator itself)."""
        kids = self.children(code)
        if not kids:
            return [code] if code in self.indicator_ids else []
        return [leaf for k in kids for leaf in self.leaves(k)]

    def domain_of(self, indicator: str) -> str:
        return self.indicator(indicator).parent

    @cached_property
    def effective_directions(self) -> pd.Series:
        """Product of directions from each node up to the root (directions at any level)."""
        parent = {n.id: n.parent for n in (*self.groups, *self.indicators)}
        own = {n.id: n.direction for n in (*self.groups, *self.indicators)}
        out: dict[str, int] = {}

        def walk(code: str | None) -> int:
            if code is None:
                return 1
            if code not in out:
                out[code] = own[code] * walk(parent[code])
            return out[code]

        return pd.Series({c: walk(c) for c in parent}, dtype="int64")

    def effective_direction(self, code: str) -> int:
        """Product of directions from a node up to the root (directions at any level)."""
        return int(self.effective_directions[code])

    def with_indicators(self, keep: list[str]) -> Framework:
        """A copy restricted to ``keep``; groups left empty get a gap note."""
        keep_set = set(keep)
        inds = [i for i in self.indicators if i.id in keep_set]
        used = {i.parent for i in inds}
        groups = []
        for g in self.groups:
            has_kids = g.id in used or any(h.parent == g.id for h in self.groups)
            gap = g.gap or ("" if has_kids else "no indicator with data")
            groups.append(g.model_copy(update={"gap": gap}))
        return Framework(**{**self.model_dump(), "groups": [g.model_dump() for g in groups],
                            "indicators": [i.model_dump() for i in inds]})

    def summary(self) -> dict:
        """Machine-readable overview (used by ``holisec framework show --json``)."""
        return {
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "polarity": self.polarity,
            "root": self.root,
            "elements": [
                {"id": e.id, "name": e.name, "role": e.role, "groups": e.groups} for e in self.elements
            ],
            "groups": [
                {
                    "id": g.id, "name": g.name, "parent": g.parent, "weight": g.weight,
                    "indicators": [i.id for i in self.indicators if i.parent == g.id],
                    "gap": g.gap,
                }
                for g in self.groups
            ],
            "indicators": [i.model_dump() for i in self.indicators],
            "sources": [s.model_dump() for s in self.sources],
        }
