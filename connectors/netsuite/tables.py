"""The NetSuite2 tables erpml extracts: keys, cursors and what ``deletedrecord`` removes.

- ``lastmodified``: rows changed since the landed cursor maximum minus ``lookback_minutes``
  (``lastmodifieddate``; ``linelastmodifieddate`` on ``transactionline``; ``deleteddate`` on
  ``deletedrecord``), merged by key.
- ``full``: tables without a cursor column (``fiscalcalendar``, ``accounttype``,
  ``consolidatedexchangerate``, and ``transactionaccountingline``, which Connect's NetSuite2
  schema in the fixture exposes without ``lastmodifieddate``) are read whole each run; rows gone
  at the source are marked deleted.

NetSuite deletes physically and lists the deleted record in ``deletedrecord`` (``recordid``,
``type``, ``deleteddate``). :data:`DELETIONS` says which ``deletedrecord`` rows remove rows of a
table and on which columns their ``recordid`` is matched: the lines and links of a deleted
transaction go with it (``transaction``; ``previousdoc``/``nextdoc``).
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.core.spec import TableSpec

DELETED_RECORD = "deletedrecord"


@dataclass(frozen=True)
class Deletions:
    """Which ``deletedrecord`` rows remove rows of a table.

    ``record_types`` are ``deletedrecord.type`` values; ``transactions`` takes every row with
    ``istransaction = 'T'`` instead (transaction ids are unique across transaction types). Each
    column of ``match`` is matched against ``recordid`` on its own (one pull per column).
    """

    record_types: tuple[str, ...] = ()
    transactions: bool = False
    match: tuple[str, ...] = ("id",)


def _incremental(
    name: str, key: tuple[str, ...] = ("id",), cursor: str = "lastmodifieddate"
) -> TableSpec:
    return TableSpec(
        name, key, cursor="lastmodified", watermarks=(cursor,), options={"cursor": cursor}
    )


def _full(name: str, key: tuple[str, ...] = ("id",)) -> TableSpec:
    return TableSpec(name, key, cursor="full")


TABLES: tuple[TableSpec, ...] = (
    _incremental("subsidiary"),
    _incremental("currency"),
    _full("fiscalcalendar"),
    _incremental("accountingperiod"),
    _incremental("accountingbook"),
    _full("consolidatedexchangerate"),
    _full("accounttype"),
    _incremental("account"),
    _incremental("department"),
    _incremental("classification"),
    _incremental("location"),
    _incremental("term"),
    _incremental("item"),
    _incremental("entity"),
    _incremental("customer"),
    _incremental("vendor"),
    _incremental("transaction"),
    _incremental("transactionline", ("transaction", "id"), cursor="linelastmodifieddate"),
    _full("transactionaccountingline", ("transaction", "transactionline", "accountingbook")),
    _incremental(
        "previoustransactionlinelink",
        ("previousdoc", "previousline", "nextdoc", "nextline", "linktype"),
    ),
    # key (type, recordid) ordered id first: REST pages compare text only to break ties
    _incremental(DELETED_RECORD, ("recordid", "type"), cursor="deleteddate"),
)

ITEM_TYPES = (
    "assemblyitem", "descriptionitem", "discountitem", "downloaditem", "giftcertificateitem",
    "inventoryitem", "itemgroup", "kititem", "lotnumberedassemblyitem",
    "lotnumberedinventoryitem", "markupitem", "noninventoryitem", "otherchargeitem",
    "paymentitem", "serializedassemblyitem", "serializedinventoryitem", "serviceitem",
    "subtotalitem",
)  # fmt: skip
ENTITY_TYPES = ("contact", "customer", "employee", "job", "partner", "vendor")

OWN_TYPE = (
    "subsidiary", "currency", "accountingperiod", "accountingbook", "account", "department",
    "classification", "location", "term", "customer", "vendor",
)  # fmt: skip
"""Tables whose ``deletedrecord.type`` is the table name."""

DELETIONS: dict[str, Deletions] = {
    **{name: Deletions((name,)) for name in OWN_TYPE},
    "item": Deletions(ITEM_TYPES),
    "entity": Deletions(ENTITY_TYPES),
    "transaction": Deletions(transactions=True),
    "transactionline": Deletions(transactions=True, match=("transaction",)),
    "previoustransactionlinelink": Deletions(transactions=True, match=("previousdoc", "nextdoc")),
}
"""Tables whose rows ``deletedrecord`` removes; incremental tables not listed have no deletes
(``deletedrecord`` itself) or are full refreshes."""
