"""Security frameworks: what is measured, how it nests, and which pole of each pair."""
from holisec.framework.schema import (
    PAIRS,
    Element,
    Framework,
    FrameworkError,
    Group,
    Indicator,
    Source,
)
from holisec.framework.load import builtin_frameworks, from_dict, from_imeta, load_framework

__all__ = [
    "PAIRS", "Element", "Framework", "FrameworkError", "Group", "Indicator", "Source",
    "builtin_frameworks", "from_dict", "from_imeta", "load_framework",
]
