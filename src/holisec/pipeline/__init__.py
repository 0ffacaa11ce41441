"""Composite-indicator construction: recipes of pure steps, built into a :class:`Result`.

``build(recipe, panel, framework)`` runs denominate -> impute/treat -> normalise -> weight ->
aggregate as the recipe says; ``read_coinr`` reads COINr inputs for cross-checks.
"""
from holisec.pipeline._panel import PipelineError
from holisec.pipeline.build import build
from holisec.pipeline.coinr import read_coinr
from holisec.pipeline.recipe import Recipe, RecipeError, builtin_recipes, default_recipe
from holisec.pipeline.result import Result

__all__ = [
    "PipelineError", "Recipe", "RecipeError", "Result", "build", "builtin_recipes", "default_recipe", "read_coinr",
]
