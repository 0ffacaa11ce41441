"""Early warning: outcomes, features, onset forecasts and their rolling-origin evaluation,
alert levels and trend breaks (see docs/early-warning.md)."""
