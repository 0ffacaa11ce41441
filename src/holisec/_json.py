"""One conversion to JSON-ready values, shared by the CLI, the audit report and the alert hooks."""
from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd


def json_ready(obj):
    """Plain JSON-serialisable Python objects from DataFrames, Series, arrays, numpy scalars,
    timestamps (ISO 8601) and missing values (NaN, NA, NaT, inf -> None)."""
    if isinstance(obj, pd.DataFrame):
        df = obj.reset_index() if not isinstance(obj.index, pd.RangeIndex) else obj
        return [json_ready(rec) for rec in df.to_dict(orient="records")]
    if isinstance(obj, pd.Series):
        return json_ready(obj.to_dict())
    if isinstance(obj, dict):
        return {str(k): json_ready(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_ready(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [json_ready(v) for v in obj.tolist()]
    if obj is None or obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return None if not np.isfinite(obj) else float(obj)
    if isinstance(obj, str):
        return obj
    if isinstance(obj, (pd.Timestamp, datetime)):
        return obj.isoformat()
    try:
        if pd.isna(obj):
            return None
    except (TypeError, ValueError):
        pass
    return str(obj)
