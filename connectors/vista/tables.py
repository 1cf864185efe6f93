"""The Vista base tables erpml extracts and how each is kept up to date.

- ``keyid``: new rows by the ``KeyID`` identity high-water mark, plus the open months (``Mth``,
  or ``window`` for timecards) re-pulled whole so updates and deletes there are seen.
- ``window``: tables without ``KeyID`` (``bGLDT``): the open months re-pulled whole.
- ``partition``: trigger-maintained roll-ups (``bJCCP``, ``bGLBL``): whole company-month
  partitions replaced for the open months.
- ``full``: small masters without ``Mth`` (companies, jobs, customers, vendors, accounts).
"""

from __future__ import annotations

from connectors.core.spec import TableSpec


def _keyid(name: str, key: tuple[str, ...], window: str = "Mth") -> TableSpec:
    return TableSpec(
        name, key, cursor="keyid", watermarks=("KeyID", window), options={"window": window}
    )


def _window(name: str, key: tuple[str, ...], cursor: str = "window") -> TableSpec:
    return TableSpec(name, key, cursor=cursor, watermarks=("Mth",), options={"window": "Mth"})


def _full(name: str, key: tuple[str, ...]) -> TableSpec:
    return TableSpec(name, key, cursor="full")


TABLES: tuple[TableSpec, ...] = (
    _full("bHQCO", ("HQCo",)),
    _full("bJCJM", ("JCCo", "Job")),
    _full("bJCJP", ("JCCo", "Job", "PhaseGroup", "Phase")),
    _full("bJCCH", ("JCCo", "Job", "PhaseGroup", "Phase", "CostType")),
    _keyid("bJCCD", ("JCCo", "Mth", "CostTrans")),
    _window("bJCCP", ("JCCo", "Job", "PhaseGroup", "Phase", "CostType", "Mth"), cursor="partition"),
    _full("bJCCM", ("JCCo", "Contract")),
    _full("bJCCI", ("JCCo", "Contract", "Item")),
    _full("bARCM", ("CustGroup", "Customer")),
    _keyid("bARTH", ("ARCo", "Mth", "ARTrans")),
    _keyid("bARTL", ("ARCo", "Mth", "ARTrans", "ARLine")),
    _full("bAPVM", ("VendorGroup", "Vendor")),
    _keyid("bAPTH", ("APCo", "Mth", "APTrans")),
    _keyid("bAPTL", ("APCo", "Mth", "APTrans", "APLine")),
    _keyid("bAPTD", ("APCo", "Mth", "APTrans", "APLine", "APSeq")),
    _full("bGLAC", ("GLCo", "GLAcct")),
    _window("bGLDT", ("GLCo", "Mth", "GLTrans")),
    _window("bGLBL", ("GLCo", "GLAcct", "Mth"), cursor="partition"),
    _full("bPREH", ("PRCo", "Employee")),
    _keyid(
        "bPRTH",
        ("PRCo", "PRGroup", "PREndDate", "Employee", "PaySeq", "PostSeq"),
        window="PREndDate",
    ),
)

SECURED_VIEWS = {t.name: t.name[1:] for t in TABLES}
"""Vista's security views are the base table names without the leading ``b``."""
