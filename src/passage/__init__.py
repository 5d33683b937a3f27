"""Passage: an operations platform for migration and displacement programmes."""

__version__ = "0.1.0"
