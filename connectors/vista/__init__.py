"""Trimble Viewpoint Vista connector (SQL Server, any SQLAlchemy or ODBC source)."""

from connectors.vista.connector import VistaConnector

__all__ = ["VistaConnector"]
