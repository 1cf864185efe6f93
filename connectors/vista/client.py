"""Where Vista tables live (``Viewpoint.dbo.bJCCD``) and which name is read: base or view."""

from __future__ import annotations

from sqlglot import exp

from connectors.config import VistaSource
from connectors.core.spec import TableSpec
from connectors.core.sql import table
from connectors.vista.tables import SECURED_VIEWS


def object_name(config: VistaSource, spec: TableSpec) -> str:
    """``bJCCD`` (base table) or ``JCCD`` (security view) as configured."""
    return SECURED_VIEWS[spec.name] if config.read == "views" else spec.name


def qualified(config: VistaSource, spec: TableSpec, *, base: bool = False) -> exp.Table:
    name = spec.name if base else object_name(config, spec)
    return table(name, config.schema_, config.database)
