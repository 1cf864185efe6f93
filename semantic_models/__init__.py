"""Versioned metric and feature definitions compiled into the dbt layer.

Lands with issue 5; see ``semantic_models/README.md``.
"""
