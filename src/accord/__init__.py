"""Accord: allied mutual-support agreements as code."""

__version__ = "0.1.0"
