"""Where JDE tables live: business data in the data schema, UDCs in the control schema.

Oracle: ``PRODDTA.F0911``; SQL Server: ``JDE_PRODUCTION.PRODDTA.F0911`` (set ``database``);
engines without schemas in one database (the fixtures on MariaDB, SQLite): leave them empty.
"""

from __future__ import annotations

from sqlglot import exp

from connectors.config import JdeSource
from connectors.core.spec import TableSpec
from connectors.core.sql import table
from connectors.jde.tables import CONTROL


def schema_for(config: JdeSource, spec: TableSpec) -> str | None:
    return config.control_schema if spec.options.get("schema") == CONTROL else config.data_schema


def qualified(config: JdeSource, spec: TableSpec) -> exp.Table:
    return table(spec.name, schema_for(config, spec), config.database)
