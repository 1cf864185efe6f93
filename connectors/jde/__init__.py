"""JD Edwards EnterpriseOne connector (Oracle, SQL Server, any ODBC source)."""

from connectors.jde.connector import JdeConnector

__all__ = ["JdeConnector"]
