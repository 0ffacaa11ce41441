"""holisec: an open holistic security risk observatory.

Turns public, aggregate country-level indicator data into a transparent composite risk
index (higher = more risk), its audit and uncertainty, and early warnings.
"""
from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("holisec")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+src"

from holisec.framework import Framework, load_framework  # noqa: E402

__all__ = ["__version__", "Framework", "load_framework"]
