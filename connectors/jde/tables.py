"""The JDE tables erpml extracts: primary keys and audit-stamp cursors.

Keys are JDE's own (``jde_key_table_indexes.csv``, primary-key index). Incremental tables carry
the audit stamp date ``xxUPMJ`` and time ``xxUPMT`` (``xxTDAY`` on F4211, F42119, F4101,
F4102); small control tables are refreshed whole.
"""

from __future__ import annotations

from connectors.core.spec import TableSpec

DATA, CONTROL = "data", "control"


def _audit(name: str, prefix: str, key: tuple[str, ...], time: str = "UPMT") -> TableSpec:
    return TableSpec(
        name,
        tuple(prefix + k for k in key),
        cursor="audit",
        watermarks=(prefix + "UPMJ", prefix + time),
        numeric_scale=0,
        options={"date": prefix + "UPMJ", "time": prefix + time, "schema": DATA},
    )


def _full(name: str, key: tuple[str, ...], schema: str = DATA) -> TableSpec:
    return TableSpec(name, key, cursor="full", numeric_scale=0, options={"schema": schema})


TABLES: tuple[TableSpec, ...] = (
    _audit("F0101", "AB", ("AN8",)),
    _audit("F03012", "AI", ("AN8", "CO")),
    _audit("F03B11", "RP", ("DOC", "DCT", "KCO", "SFX")),
    _audit("F03B13", "RY", ("PYID",)),
    _audit("F03B14", "RZ", ("PYID", "RC5")),
    _audit("F0411", "RP", ("DOC", "DCT", "KCO", "SFX", "SFXE")),
    _audit("F0911", "GL", ("DCT", "DOC", "KCO", "DGJ", "JELN", "LT", "EXTL")),
    _audit("F0902", "GB", ("AID", "CTRY", "FY", "FQ", "LT", "SBL", "SBLT", "CRCD")),
    _audit("F0901", "GM", ("AID",)),
    _audit("F0006", "MC", ("MCU",)),
    _audit("F4211", "SD", ("DOCO", "DCTO", "KCOO", "LNID"), time="TDAY"),
    _audit("F42119", "SD", ("DOCO", "DCTO", "KCOO", "LNID"), time="TDAY"),
    _audit("F4101", "IM", ("ITM",), time="TDAY"),
    _audit("F4102", "IB", ("MCU", "ITM"), time="TDAY"),
    _full("F0010", ("CCCO",)),
    _full("F0008", ("CDDTPN", "CDDFYJ", "CDFQ")),
    _full("F0013", ("CVCRCD",)),
    _full("F0015", ("CXCRCD", "CXCRDC", "CXAN8", "CXRTTYP", "CXEFT")),
    _full("F0005", ("DRSY", "DRRT", "DRKY"), schema=CONTROL),
)
