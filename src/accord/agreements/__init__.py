"""Agreements as data: the file format, the loader, the reference set and the decisions."""
