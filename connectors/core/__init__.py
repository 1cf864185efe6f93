"""Machinery shared by every ERP connector: specs, SQL building, reading, landing."""
