"""Data layer: read files, harmonise countries, store vintages (DuckDB), build panels."""
from holisec.data.countries import HarmoniseResult, country_names, harmonise
from holisec.data.errors import InputError, InputErrors, Problems
from holisec.data.ingest import ReadResult, detect_format, read, read_coinr, read_long, read_wide
from holisec.data.panel import to_long, to_panel
from holisec.data.shipped import load_shipped, sources
from holisec.data.store import IngestReport, Store

__all__ = [
    "HarmoniseResult", "IngestReport", "InputError", "InputErrors", "Problems", "ReadResult", "Store",
    "country_names", "detect_format", "harmonise", "load_shipped", "read", "read_coinr", "read_long",
    "read_wide", "sources", "to_long", "to_panel",
]
