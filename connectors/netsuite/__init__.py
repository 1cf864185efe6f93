"""Oracle NetSuite connector: SuiteAnalytics Connect (ODBC, SQL) or SuiteQL over REST."""

from connectors.netsuite.connector import NetSuiteConnector, SuiteQLConnector, netsuite_connector

__all__ = ["NetSuiteConnector", "SuiteQLConnector", "netsuite_connector"]
