"""Duplicate detection: our own Fellegi–Sunter engine on Polars, rapidfuzz and numpy (see
docs/decisions/0015-matching-engine.md). Nothing in this package imports Django, so the file mode
(`passage match`), the registry batch job and the live index share one engine."""
