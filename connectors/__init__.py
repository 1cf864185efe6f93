"""Extraction from ERP source systems into the warehouse (one room per ERP).

Lands with issue 3; see ``connectors/README.md``.
"""
