"""Country profiles and the index report (HTML and PDF), and the data behind them.

``profile.country_profile`` and ``summary.index_summary`` assemble JSON-ready data from a
built :class:`~holisec.pipeline.Result` (the dashboard uses the same); ``render`` writes them
as self-contained HTML (inline SVG charts from matplotlib) or PDF (WeasyPrint).
"""
from holisec.report.profile import country_profile
from holisec.report.summary import index_summary

__all__ = ["country_profile", "index_summary"]
