-- subsidiary: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT "id", "name", "fullname", "legalname", "country", "state", "currency", "fiscalcalendar", "parent", "iselimination", "isinactive", "languagelocale", "edition", "tranprefix", "email", "mainaddress", "showsubsidiaryname", "externalid", TO_CHAR("lastmodifieddate", 'YYYY-MM-DD HH24:MI:SS') AS "lastmodifieddate" FROM "subsidiary" WHERE "lastmodifieddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS') AND "id" > 1000 ORDER BY "id";

-- subsidiary: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT "recordid" AS "id" FROM "deletedrecord" WHERE ("type" IN ('subsidiary') AND "deleteddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS')) AND "recordid" > 1000 ORDER BY "recordid";

-- subsidiary: present_keys, key reconciliation
SELECT "id" FROM "subsidiary" WHERE "id" > 1000 ORDER BY "id";

-- currency: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT "id", "name", "symbol", "displaysymbol", "currencyprecision", "exchangerate", "isbasecurrency", "isinactive", "includeinfxrateupdates", "overridecurrencyformat", "symbolplacement", "fxrateupdatetimezone", "externalid", TO_CHAR("lastmodifieddate", 'YYYY-MM-DD HH24:MI:SS') AS "lastmodifieddate" FROM "currency" WHERE "lastmodifieddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS') AND "id" > 1000 ORDER BY "id";

-- currency: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT "recordid" AS "id" FROM "deletedrecord" WHERE ("type" IN ('currency') AND "deleteddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS')) AND "recordid" > 1000 ORDER BY "recordid";

-- currency: present_keys, key reconciliation
SELECT "id" FROM "currency" WHERE "id" > 1000 ORDER BY "id";

-- fiscalcalendar: upsert, all rows
SELECT "id", "name", "fiscalmonth", "isdefault", "externalid" FROM "fiscalcalendar" WHERE "id" > 1000 ORDER BY "id";

-- accountingperiod: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT "id", "periodname", TO_CHAR("startdate", 'YYYY-MM-DD HH24:MI:SS') AS "startdate", TO_CHAR("enddate", 'YYYY-MM-DD HH24:MI:SS') AS "enddate", "parent", "isquarter", "isyear", "isadjust", "isposting", "isinactive", "closed", TO_CHAR("closedondate", 'YYYY-MM-DD HH24:MI:SS') AS "closedondate", "alllocked", "aplocked", "arlocked", "allownonglchanges", TO_CHAR("lastmodifieddate", 'YYYY-MM-DD HH24:MI:SS') AS "lastmodifieddate" FROM "accountingperiod" WHERE "lastmodifieddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS') AND "id" > 1000 ORDER BY "id";

-- accountingperiod: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT "recordid" AS "id" FROM "deletedrecord" WHERE ("type" IN ('accountingperiod') AND "deleteddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS')) AND "recordid" > 1000 ORDER BY "recordid";

-- accountingperiod: present_keys, key reconciliation
SELECT "id" FROM "accountingperiod" WHERE "id" > 1000 ORDER BY "id";

-- accountingbook: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT "id", "name", "basebook", "effectiveperiod", "isprimary", "isconsolidated", "isadjustmentonly", "subsidiariesstring", "externalid", TO_CHAR("lastmodifieddate", 'YYYY-MM-DD HH24:MI:SS') AS "lastmodifieddate" FROM "accountingbook" WHERE "lastmodifieddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS') AND "id" > 1000 ORDER BY "id";

-- accountingbook: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT "recordid" AS "id" FROM "deletedrecord" WHERE ("type" IN ('accountingbook') AND "deleteddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS')) AND "recordid" > 1000 ORDER BY "recordid";

-- accountingbook: present_keys, key reconciliation
SELECT "id" FROM "accountingbook" WHERE "id" > 1000 ORDER BY "id";

-- consolidatedexchangerate: upsert, all rows
SELECT "id", "postingperiod", "fromsubsidiary", "tosubsidiary", "fromcurrency", "tocurrency", "accountingbook", "averagerate", "currentrate", "historicalrate", "externalid" FROM "consolidatedexchangerate" WHERE "id" > 1000 ORDER BY "id";

-- accounttype: upsert, all rows
SELECT "id", "longname", "balancesheet", "left", "defaultgeneralratetype", "defaultcashflowratetype", "eliminationalgo", "includeinrevaldefault", "usercanchangerevaloption", "internalid", "seqnum" FROM "accounttype" WHERE "id" > 'K' ORDER BY "id";

-- account: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT "id", "acctnumber", "fullname", "accountsearchdisplayname", "accountsearchdisplaynamecopy", "displaynamewithhierarchy", "accttype", "sspecacct", "description", "generalrate", "cashflowrate", "parent", "currency", "class", "department", "location", "subsidiary", "deferralacct", "includechildren", "isinactive", "issummary", "eliminate", "revalue", "externalid", TO_CHAR("lastmodifieddate", 'YYYY-MM-DD HH24:MI:SS') AS "lastmodifieddate" FROM "account" WHERE "lastmodifieddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS') AND "id" > 1000 ORDER BY "id";

-- account: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT "recordid" AS "id" FROM "deletedrecord" WHERE ("type" IN ('account') AND "deleteddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS')) AND "recordid" > 1000 ORDER BY "recordid";

-- account: present_keys, key reconciliation
SELECT "id" FROM "account" WHERE "id" > 1000 ORDER BY "id";

-- department: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT "id", "name", "fullname", "parent", "subsidiary", "includechildren", "isinactive", "externalid", TO_CHAR("lastmodifieddate", 'YYYY-MM-DD HH24:MI:SS') AS "lastmodifieddate" FROM "department" WHERE "lastmodifieddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS') AND "id" > 1000 ORDER BY "id";

-- department: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT "recordid" AS "id" FROM "deletedrecord" WHERE ("type" IN ('department') AND "deleteddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS')) AND "recordid" > 1000 ORDER BY "recordid";

-- department: present_keys, key reconciliation
SELECT "id" FROM "department" WHERE "id" > 1000 ORDER BY "id";

-- classification: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT "id", "name", "fullname", "parent", "subsidiary", "includechildren", "isinactive", "externalid", TO_CHAR("lastmodifieddate", 'YYYY-MM-DD HH24:MI:SS') AS "lastmodifieddate" FROM "classification" WHERE "lastmodifieddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS') AND "id" > 1000 ORDER BY "id";

-- classification: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT "recordid" AS "id" FROM "deletedrecord" WHERE ("type" IN ('classification') AND "deleteddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS')) AND "recordid" > 1000 ORDER BY "recordid";

-- classification: present_keys, key reconciliation
SELECT "id" FROM "classification" WHERE "id" > 1000 ORDER BY "id";

-- location: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT "id", "name", "fullname", "parent", "subsidiary", "mainaddress", "tranprefix", "isinactive", "externalid", TO_CHAR("lastmodifieddate", 'YYYY-MM-DD HH24:MI:SS') AS "lastmodifieddate" FROM "location" WHERE "lastmodifieddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS') AND "id" > 1000 ORDER BY "id";

-- location: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT "recordid" AS "id" FROM "deletedrecord" WHERE ("type" IN ('location') AND "deleteddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS')) AND "recordid" > 1000 ORDER BY "recordid";

-- location: present_keys, key reconciliation
SELECT "id" FROM "location" WHERE "id" > 1000 ORDER BY "id";

-- term: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT "id", "name", "daysuntilnetdue", "isinactive", "externalid", TO_CHAR("lastmodifieddate", 'YYYY-MM-DD HH24:MI:SS') AS "lastmodifieddate" FROM "term" WHERE "lastmodifieddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS') AND "id" > 1000 ORDER BY "id";

-- term: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT "recordid" AS "id" FROM "deletedrecord" WHERE ("type" IN ('term') AND "deleteddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS')) AND "recordid" > 1000 ORDER BY "recordid";

-- term: present_keys, key reconciliation
SELECT "id" FROM "term" WHERE "id" > 1000 ORDER BY "id";

-- item: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT "id", "itemid", "fullname", "displayname", "itemtype", "description", "cost", "department", "class", "location", "subsidiary", "assetaccount", "expenseaccount", "incomeaccount", "gainlossaccount", "intercoexpenseaccount", "intercoincomeaccount", "deferralaccount", "deferredrevenueaccount", "parent", "isinactive", "externalid", TO_CHAR("createddate", 'YYYY-MM-DD HH24:MI:SS') AS "createddate", TO_CHAR("lastmodifieddate", 'YYYY-MM-DD HH24:MI:SS') AS "lastmodifieddate" FROM "item" WHERE "lastmodifieddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS') AND "id" > 1000 ORDER BY "id";

-- item: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT "recordid" AS "id" FROM "deletedrecord" WHERE ("type" IN ('assemblyitem', 'descriptionitem', 'discountitem', 'downloaditem', 'giftcertificateitem', 'inventoryitem', 'itemgroup', 'kititem', 'lotnumberedassemblyitem', 'lotnumberedinventoryitem', 'markupitem', 'noninventoryitem', 'otherchargeitem', 'paymentitem', 'serializedassemblyitem', 'serializedinventoryitem', 'serviceitem', 'subtotalitem') AND "deleteddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS')) AND "recordid" > 1000 ORDER BY "recordid";

-- item: present_keys, key reconciliation
SELECT "id" FROM "item" WHERE "id" > 1000 ORDER BY "id";

-- entity: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT "id", "entityid", "altname", "entitytitle", "type", "customer", "vendor", "employee", "contact", "project", "parent", "toplevelparent", "isperson", "isinactive", "externalid", TO_CHAR("datecreated", 'YYYY-MM-DD HH24:MI:SS') AS "datecreated", TO_CHAR("lastmodifieddate", 'YYYY-MM-DD HH24:MI:SS') AS "lastmodifieddate" FROM "entity" WHERE "lastmodifieddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS') AND "id" > 1000 ORDER BY "id";

-- entity: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT "recordid" AS "id" FROM "deletedrecord" WHERE ("type" IN ('contact', 'customer', 'employee', 'job', 'partner', 'vendor') AND "deleteddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS')) AND "recordid" > 1000 ORDER BY "recordid";

-- entity: present_keys, key reconciliation
SELECT "id" FROM "entity" WHERE "id" > 1000 ORDER BY "id";

-- customer: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT "id", "entityid", "altname", "companyname", "firstname", "lastname", "isperson", "isinactive", "parent", "subsidiary", "currency", "terms", "creditlimit", "category", "receivablesaccount", "defaultbillingaddress", "defaultshippingaddress", "email", "phone", "url", "comments", "custentity_erpml_segment", "custentity_erpml_category", "externalid", TO_CHAR("firstorderdate", 'YYYY-MM-DD HH24:MI:SS') AS "firstorderdate", TO_CHAR("datecreated", 'YYYY-MM-DD HH24:MI:SS') AS "datecreated", TO_CHAR("lastmodifieddate", 'YYYY-MM-DD HH24:MI:SS') AS "lastmodifieddate" FROM "customer" WHERE "lastmodifieddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS') AND "id" > 1000 ORDER BY "id";

-- customer: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT "recordid" AS "id" FROM "deletedrecord" WHERE ("type" IN ('customer') AND "deleteddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS')) AND "recordid" > 1000 ORDER BY "recordid";

-- customer: present_keys, key reconciliation
SELECT "id" FROM "customer" WHERE "id" > 1000 ORDER BY "id";

-- vendor: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT "id", "entityid", "altname", "companyname", "isperson", "isinactive", "category", "subsidiary", "currency", "terms", "payablesaccount", "email", "externalid", TO_CHAR("datecreated", 'YYYY-MM-DD HH24:MI:SS') AS "datecreated", TO_CHAR("lastmodifieddate", 'YYYY-MM-DD HH24:MI:SS') AS "lastmodifieddate" FROM "vendor" WHERE "lastmodifieddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS') AND "id" > 1000 ORDER BY "id";

-- vendor: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT "recordid" AS "id" FROM "deletedrecord" WHERE ("type" IN ('vendor') AND "deleteddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS')) AND "recordid" > 1000 ORDER BY "recordid";

-- vendor: present_keys, key reconciliation
SELECT "id" FROM "vendor" WHERE "id" > 1000 ORDER BY "id";

-- transaction: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT "id", "tranid", "transactionnumber", "type", "recordtype", "abbrevtype", "status", TO_CHAR("trandate", 'YYYY-MM-DD HH24:MI:SS') AS "trandate", TO_CHAR("duedate", 'YYYY-MM-DD HH24:MI:SS') AS "duedate", TO_CHAR("closedate", 'YYYY-MM-DD HH24:MI:SS') AS "closedate", "postingperiod", "entity", "currency", "exchangerate", "foreigntotal", "foreignamountunpaid", "terms", "memo", "posting", "voided", "intercoadj", "isreversal", "reversal", TO_CHAR("reversaldate", 'YYYY-MM-DD HH24:MI:SS') AS "reversaldate", "reversaldefer", "nexus", "taxregoverride", "taxdetailsoverride", TO_CHAR("taxpointdate", 'YYYY-MM-DD HH24:MI:SS') AS "taxpointdate", "taxpointdateoverride", "createdby", "lastmodifiedby", "externalid", TO_CHAR("createddate", 'YYYY-MM-DD HH24:MI:SS') AS "createddate", TO_CHAR("lastmodifieddate", 'YYYY-MM-DD HH24:MI:SS') AS "lastmodifieddate" FROM "transaction" WHERE "lastmodifieddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS') AND "id" > 1000 ORDER BY "id";

-- transaction: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT "recordid" AS "id" FROM "deletedrecord" WHERE ("istransaction" = 'T' AND "deleteddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS')) AND "recordid" > 1000 ORDER BY "recordid";

-- transaction: present_keys, key reconciliation
SELECT "id" FROM "transaction" WHERE "id" > 1000 ORDER BY "id";

-- transactionline: upsert, linelastmodifieddate >= 2026-06-30 16:19:00
SELECT "transaction", "id", "linesequencenumber", "uniquekey", "mainline", "taxline", "iscogs", "isclosed", "isbillable", "cleared", "commitmentfirm", "eliminate", "transactiondiscount", "subsidiary", "department", "class", "location", "entity", "item", "itemtype", "expenseaccount", "quantity", "rate", "netamount", "foreignamount", "foreignamountpaid", "foreignamountunpaid", "memo", TO_CHAR("linelastmodifieddate", 'YYYY-MM-DD HH24:MI:SS') AS "linelastmodifieddate" FROM "transactionline" WHERE "linelastmodifieddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS') AND ("transaction" > 1000 OR ("transaction" = 1000 AND "id" > 1000)) ORDER BY "transaction", "id";

-- transactionline: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on transaction
SELECT "recordid" AS "transaction" FROM "deletedrecord" WHERE ("istransaction" = 'T' AND "deleteddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS')) AND "recordid" > 1000 ORDER BY "recordid";

-- transactionline: present_keys, key reconciliation
SELECT "transaction", "id" FROM "transactionline" WHERE ("transaction" > 1000 OR ("transaction" = 1000 AND "id" > 1000)) ORDER BY "transaction", "id";

-- transactionaccountingline: upsert, all rows
SELECT "transaction", "transactionline", "accountingbook", "account", "amount", "debit", "credit", "netamount", "amountpaid", "amountunpaid", "amountlinked", "paymentamountused", "paymentamountunused", "exchangerate", "overheadparentitem", "posting" FROM "transactionaccountingline" WHERE ("transaction" > 1000 OR ("transaction" = 1000 AND "transactionline" > 1000) OR ("transaction" = 1000 AND "transactionline" = 1000 AND "accountingbook" > 1000)) ORDER BY "transaction", "transactionline", "accountingbook";

-- previoustransactionlinelink: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT "previousdoc", "previousline", "previoustype", "nextdoc", "nextline", "nexttype", "linktype", "foreignamount", TO_CHAR("lastmodifieddate", 'YYYY-MM-DD HH24:MI:SS') AS "lastmodifieddate" FROM "previoustransactionlinelink" WHERE "lastmodifieddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS') AND ("previousdoc" > 1000 OR ("previousdoc" = 1000 AND "previousline" > 1000) OR ("previousdoc" = 1000 AND "previousline" = 1000 AND "nextdoc" > 1000) OR ("previousdoc" = 1000 AND "previousline" = 1000 AND "nextdoc" = 1000 AND "nextline" > 1000) OR ("previousdoc" = 1000 AND "previousline" = 1000 AND "nextdoc" = 1000 AND "nextline" = 1000 AND "linktype" > 'K')) ORDER BY "previousdoc", "previousline", "nextdoc", "nextline", "linktype";

-- previoustransactionlinelink: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on previousdoc
SELECT "recordid" AS "previousdoc" FROM "deletedrecord" WHERE ("istransaction" = 'T' AND "deleteddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS')) AND "recordid" > 1000 ORDER BY "recordid";

-- previoustransactionlinelink: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on nextdoc
SELECT "recordid" AS "nextdoc" FROM "deletedrecord" WHERE ("istransaction" = 'T' AND "deleteddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS')) AND "recordid" > 1000 ORDER BY "recordid";

-- previoustransactionlinelink: present_keys, key reconciliation
SELECT "previousdoc", "previousline", "nextdoc", "nextline", "linktype" FROM "previoustransactionlinelink" WHERE ("previousdoc" > 1000 OR ("previousdoc" = 1000 AND "previousline" > 1000) OR ("previousdoc" = 1000 AND "previousline" = 1000 AND "nextdoc" > 1000) OR ("previousdoc" = 1000 AND "previousline" = 1000 AND "nextdoc" = 1000 AND "nextline" > 1000) OR ("previousdoc" = 1000 AND "previousline" = 1000 AND "nextdoc" = 1000 AND "nextline" = 1000 AND "linktype" > 'K')) ORDER BY "previousdoc", "previousline", "nextdoc", "nextline", "linktype";

-- deletedrecord: upsert, deleteddate >= 2026-06-30 16:19:00
SELECT "recordid", "type", "recordtypeid", "name", TO_CHAR("deleteddate", 'YYYY-MM-DD HH24:MI:SS') AS "deleteddate", "deletedby", "context", "istransaction", "iscustomtransaction", "iscustomrecord", "iscustomlist", "scriptid" FROM "deletedrecord" WHERE "deleteddate" >= TO_TIMESTAMP('2026-06-30 16:19:00', 'YYYY-MM-DD HH24:MI:SS') AND ("recordid" > 1000 OR ("recordid" = 1000 AND "type" > 'K')) ORDER BY "recordid", "type";

-- deletedrecord: present_keys, key reconciliation
SELECT "recordid", "type" FROM "deletedrecord" WHERE ("recordid" > 1000 OR ("recordid" = 1000 AND "type" > 'K')) ORDER BY "recordid", "type";
