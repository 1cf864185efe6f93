"""OneStream connector: Data Management export files or the application database's cube."""

from connectors.onestream.connector import OneStreamConnector

__all__ = ["OneStreamConnector"]
