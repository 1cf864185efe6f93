-- subsidiary: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT [id], [name], [fullname], [legalname], [country], [state], [currency], [fiscalcalendar], [parent], [iselimination], [isinactive], [languagelocale], [edition], [tranprefix], [email], [mainaddress], [showsubsidiaryname], [externalid], [lastmodifieddate] FROM [subsidiary] WHERE [lastmodifieddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- subsidiary: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT [recordid] AS [id] FROM [deletedrecord] WHERE [type] IN ('subsidiary') AND [deleteddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- subsidiary: present_keys, key reconciliation
SELECT [id] FROM [subsidiary];

-- currency: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT [id], [name], [symbol], [displaysymbol], [currencyprecision], [exchangerate], [isbasecurrency], [isinactive], [includeinfxrateupdates], [overridecurrencyformat], [symbolplacement], [fxrateupdatetimezone], [externalid], [lastmodifieddate] FROM [currency] WHERE [lastmodifieddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- currency: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT [recordid] AS [id] FROM [deletedrecord] WHERE [type] IN ('currency') AND [deleteddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- currency: present_keys, key reconciliation
SELECT [id] FROM [currency];

-- fiscalcalendar: upsert, all rows
SELECT [id], [name], [fiscalmonth], [isdefault], [externalid] FROM [fiscalcalendar];

-- accountingperiod: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT [id], [periodname], [startdate], [enddate], [parent], [isquarter], [isyear], [isadjust], [isposting], [isinactive], [closed], [closedondate], [alllocked], [aplocked], [arlocked], [allownonglchanges], [lastmodifieddate] FROM [accountingperiod] WHERE [lastmodifieddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- accountingperiod: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT [recordid] AS [id] FROM [deletedrecord] WHERE [type] IN ('accountingperiod') AND [deleteddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- accountingperiod: present_keys, key reconciliation
SELECT [id] FROM [accountingperiod];

-- accountingbook: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT [id], [name], [basebook], [effectiveperiod], [isprimary], [isconsolidated], [isadjustmentonly], [subsidiariesstring], [externalid], [lastmodifieddate] FROM [accountingbook] WHERE [lastmodifieddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- accountingbook: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT [recordid] AS [id] FROM [deletedrecord] WHERE [type] IN ('accountingbook') AND [deleteddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- accountingbook: present_keys, key reconciliation
SELECT [id] FROM [accountingbook];

-- consolidatedexchangerate: upsert, all rows
SELECT [id], [postingperiod], [fromsubsidiary], [tosubsidiary], [fromcurrency], [tocurrency], [accountingbook], [averagerate], [currentrate], [historicalrate], [externalid] FROM [consolidatedexchangerate];

-- accounttype: upsert, all rows
SELECT [id], [longname], [balancesheet], [left], [defaultgeneralratetype], [defaultcashflowratetype], [eliminationalgo], [includeinrevaldefault], [usercanchangerevaloption], [internalid], [seqnum] FROM [accounttype];

-- account: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT [id], [acctnumber], [fullname], [accountsearchdisplayname], [accountsearchdisplaynamecopy], [displaynamewithhierarchy], [accttype], [sspecacct], [description], [generalrate], [cashflowrate], [parent], [currency], [class], [department], [location], [subsidiary], [deferralacct], [includechildren], [isinactive], [issummary], [eliminate], [revalue], [externalid], [lastmodifieddate] FROM [account] WHERE [lastmodifieddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- account: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT [recordid] AS [id] FROM [deletedrecord] WHERE [type] IN ('account') AND [deleteddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- account: present_keys, key reconciliation
SELECT [id] FROM [account];

-- department: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT [id], [name], [fullname], [parent], [subsidiary], [includechildren], [isinactive], [externalid], [lastmodifieddate] FROM [department] WHERE [lastmodifieddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- department: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT [recordid] AS [id] FROM [deletedrecord] WHERE [type] IN ('department') AND [deleteddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- department: present_keys, key reconciliation
SELECT [id] FROM [department];

-- classification: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT [id], [name], [fullname], [parent], [subsidiary], [includechildren], [isinactive], [externalid], [lastmodifieddate] FROM [classification] WHERE [lastmodifieddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- classification: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT [recordid] AS [id] FROM [deletedrecord] WHERE [type] IN ('classification') AND [deleteddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- classification: present_keys, key reconciliation
SELECT [id] FROM [classification];

-- location: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT [id], [name], [fullname], [parent], [subsidiary], [mainaddress], [tranprefix], [isinactive], [externalid], [lastmodifieddate] FROM [location] WHERE [lastmodifieddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- location: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT [recordid] AS [id] FROM [deletedrecord] WHERE [type] IN ('location') AND [deleteddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- location: present_keys, key reconciliation
SELECT [id] FROM [location];

-- term: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT [id], [name], [daysuntilnetdue], [isinactive], [externalid], [lastmodifieddate] FROM [term] WHERE [lastmodifieddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- term: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT [recordid] AS [id] FROM [deletedrecord] WHERE [type] IN ('term') AND [deleteddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- term: present_keys, key reconciliation
SELECT [id] FROM [term];

-- item: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT [id], [itemid], [fullname], [displayname], [itemtype], [description], [cost], [department], [class], [location], [subsidiary], [assetaccount], [expenseaccount], [incomeaccount], [gainlossaccount], [intercoexpenseaccount], [intercoincomeaccount], [deferralaccount], [deferredrevenueaccount], [parent], [isinactive], [externalid], [createddate], [lastmodifieddate] FROM [item] WHERE [lastmodifieddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- item: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT [recordid] AS [id] FROM [deletedrecord] WHERE [type] IN ('assemblyitem', 'descriptionitem', 'discountitem', 'downloaditem', 'giftcertificateitem', 'inventoryitem', 'itemgroup', 'kititem', 'lotnumberedassemblyitem', 'lotnumberedinventoryitem', 'markupitem', 'noninventoryitem', 'otherchargeitem', 'paymentitem', 'serializedassemblyitem', 'serializedinventoryitem', 'serviceitem', 'subtotalitem') AND [deleteddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- item: present_keys, key reconciliation
SELECT [id] FROM [item];

-- entity: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT [id], [entityid], [altname], [entitytitle], [type], [customer], [vendor], [employee], [contact], [project], [parent], [toplevelparent], [isperson], [isinactive], [externalid], [datecreated], [lastmodifieddate] FROM [entity] WHERE [lastmodifieddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- entity: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT [recordid] AS [id] FROM [deletedrecord] WHERE [type] IN ('contact', 'customer', 'employee', 'job', 'partner', 'vendor') AND [deleteddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- entity: present_keys, key reconciliation
SELECT [id] FROM [entity];

-- customer: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT [id], [entityid], [altname], [companyname], [firstname], [lastname], [isperson], [isinactive], [parent], [subsidiary], [currency], [terms], [creditlimit], [category], [receivablesaccount], [defaultbillingaddress], [defaultshippingaddress], [email], [phone], [url], [comments], [custentity_erpml_segment], [custentity_erpml_category], [externalid], [firstorderdate], [datecreated], [lastmodifieddate] FROM [customer] WHERE [lastmodifieddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- customer: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT [recordid] AS [id] FROM [deletedrecord] WHERE [type] IN ('customer') AND [deleteddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- customer: present_keys, key reconciliation
SELECT [id] FROM [customer];

-- vendor: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT [id], [entityid], [altname], [companyname], [isperson], [isinactive], [category], [subsidiary], [currency], [terms], [payablesaccount], [email], [externalid], [datecreated], [lastmodifieddate] FROM [vendor] WHERE [lastmodifieddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- vendor: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT [recordid] AS [id] FROM [deletedrecord] WHERE [type] IN ('vendor') AND [deleteddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- vendor: present_keys, key reconciliation
SELECT [id] FROM [vendor];

-- transaction: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT [id], [tranid], [transactionnumber], [type], [recordtype], [abbrevtype], [status], [trandate], [duedate], [closedate], [postingperiod], [entity], [currency], [exchangerate], [foreigntotal], [foreignamountunpaid], [terms], [memo], [posting], [voided], [intercoadj], [isreversal], [reversal], [reversaldate], [reversaldefer], [nexus], [taxregoverride], [taxdetailsoverride], [taxpointdate], [taxpointdateoverride], [createdby], [lastmodifiedby], [externalid], [createddate], [lastmodifieddate] FROM [transaction] WHERE [lastmodifieddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- transaction: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on id
SELECT [recordid] AS [id] FROM [deletedrecord] WHERE [istransaction] = 'T' AND [deleteddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- transaction: present_keys, key reconciliation
SELECT [id] FROM [transaction];

-- transactionline: upsert, linelastmodifieddate >= 2026-06-30 16:19:00
SELECT [transaction], [id], [linesequencenumber], [uniquekey], [mainline], [taxline], [iscogs], [isclosed], [isbillable], [cleared], [commitmentfirm], [eliminate], [transactiondiscount], [subsidiary], [department], [class], [location], [entity], [item], [itemtype], [expenseaccount], [quantity], [rate], [netamount], [foreignamount], [foreignamountpaid], [foreignamountunpaid], [memo], [linelastmodifieddate] FROM [transactionline] WHERE [linelastmodifieddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- transactionline: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on transaction
SELECT [recordid] AS [transaction] FROM [deletedrecord] WHERE [istransaction] = 'T' AND [deleteddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- transactionline: present_keys, key reconciliation
SELECT [transaction], [id] FROM [transactionline];

-- transactionaccountingline: upsert, all rows
SELECT [transaction], [transactionline], [accountingbook], [account], [amount], [debit], [credit], [netamount], [amountpaid], [amountunpaid], [amountlinked], [paymentamountused], [paymentamountunused], [exchangerate], [overheadparentitem], [posting] FROM [transactionaccountingline];

-- previoustransactionlinelink: upsert, lastmodifieddate >= 2026-06-30 16:19:00
SELECT [previousdoc], [previousline], [previoustype], [nextdoc], [nextline], [nexttype], [linktype], [foreignamount], [lastmodifieddate] FROM [previoustransactionlinelink] WHERE [lastmodifieddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- previoustransactionlinelink: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on previousdoc
SELECT [recordid] AS [previousdoc] FROM [deletedrecord] WHERE [istransaction] = 'T' AND [deleteddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- previoustransactionlinelink: deleted_keys, deletedrecord since 2026-06-30 16:19:00 on nextdoc
SELECT [recordid] AS [nextdoc] FROM [deletedrecord] WHERE [istransaction] = 'T' AND [deleteddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- previoustransactionlinelink: present_keys, key reconciliation
SELECT [previousdoc], [previousline], [nextdoc], [nextline], [linktype] FROM [previoustransactionlinelink];

-- deletedrecord: upsert, deleteddate >= 2026-06-30 16:19:00
SELECT [recordid], [type], [recordtypeid], [name], [deleteddate], [deletedby], [context], [istransaction], [iscustomtransaction], [iscustomrecord], [iscustomlist], [scriptid] FROM [deletedrecord] WHERE [deleteddate] >= CAST('2026-06-30 16:19:00' AS DATETIME2);

-- deletedrecord: present_keys, key reconciliation
SELECT [recordid], [type] FROM [deletedrecord];
