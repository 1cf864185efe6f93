-- bHQCO: upsert, all rows
SELECT [HQCo], [Name], [Address], [City], [State], [Zip], [Country], [Phone], [FedTaxId], [VendorGroup], [CustGroup], [PhaseGroup], [MatlGroup], [TaxGroup], [EMGroup], [DefaultCountry], [AuditCoParams], [udCurrency], [KeyID] FROM [Viewpoint].[dbo].[bHQCO];

-- bJCJM: upsert, all rows
SELECT [JCCo], [Job], [Description], [Contract], [JobStatus], [LockPhases], [ProjectMgr], [JobPhone], [MailAddress], [MailCity], [MailState], [MailZip], [VendorGroup], [TaxGroup], [TaxCode], [Certified], [ProjMinPct], [SecurityGroup], [UpdateAPActualsYN], [udProjectManager], [udRegion], [KeyID] FROM [Viewpoint].[dbo].[bJCJM];

-- bJCJP: upsert, all rows
SELECT [JCCo], [Job], [PhaseGroup], [Phase], [Description], [Contract], [Item], [ProjMinPct], [ActiveYN], [KeyID] FROM [Viewpoint].[dbo].[bJCJP];

-- bJCCH: upsert, all rows
SELECT [JCCo], [Job], [PhaseGroup], [Phase], [CostType], [UM], [BillFlag], [ItemUnitFlag], [PhaseUnitFlag], [BuyOutYN], [LastProjDate], [Plugged], [ActiveYN], [OrigHours], [OrigUnits], [OrigCost], [SourceStatus], [KeyID] FROM [Viewpoint].[dbo].[bJCCH];

-- bJCCD: upsert, KeyID > 1000
SELECT [JCCo], [Mth], [CostTrans], [Job], [PhaseGroup], [Phase], [CostType], [PostedDate], [ActualDate], [JCTransType], [Source], [Description], [BatchId], [GLCo], [GLTransAcct], [GLOffsetAcct], [ReversalStatus], [UM], [ActualUnitCost], [PerECM], [ActualHours], [ActualUnits], [ActualCost], [ProgressCmplt], [EstHours], [EstUnits], [EstCost], [ProjHours], [ProjUnits], [ProjCost], [ForecastHours], [ForecastUnits], [ForecastCost], [PostedUM], [PostedUnits], [PostedUnitCost], [TotalCmtdUnits], [TotalCmtdCost], [RemainCmtdUnits], [RemainCmtdCost], [DeleteFlag], [PRCo], [Employee], [Craft], [Class], [EarnType], [EarnFactor], [Shift], [VendorGroup], [Vendor], [APCo], [APTrans], [APLine], [APRef], [JBBillStatus], [KeyID] FROM [Viewpoint].[dbo].[bJCCD] WHERE [KeyID] > 1000;

-- bJCCD: upsert, Mth >= 2026-04-01
SELECT [JCCo], [Mth], [CostTrans], [Job], [PhaseGroup], [Phase], [CostType], [PostedDate], [ActualDate], [JCTransType], [Source], [Description], [BatchId], [GLCo], [GLTransAcct], [GLOffsetAcct], [ReversalStatus], [UM], [ActualUnitCost], [PerECM], [ActualHours], [ActualUnits], [ActualCost], [ProgressCmplt], [EstHours], [EstUnits], [EstCost], [ProjHours], [ProjUnits], [ProjCost], [ForecastHours], [ForecastUnits], [ForecastCost], [PostedUM], [PostedUnits], [PostedUnitCost], [TotalCmtdUnits], [TotalCmtdCost], [RemainCmtdUnits], [RemainCmtdCost], [DeleteFlag], [PRCo], [Employee], [Craft], [Class], [EarnType], [EarnFactor], [Shift], [VendorGroup], [Vendor], [APCo], [APTrans], [APLine], [APRef], [JBBillStatus], [KeyID] FROM [Viewpoint].[dbo].[bJCCD] WHERE [Mth] >= '2026-04-01';

-- bJCCP: upsert, Mth >= 2026-04-01
SELECT [JCCo], [Job], [PhaseGroup], [Phase], [CostType], [Mth], [ActualHours], [ActualUnits], [ActualCost], [OrigEstHours], [OrigEstUnits], [OrigEstCost], [CurrEstHours], [CurrEstUnits], [CurrEstCost], [ProjHours], [ProjUnits], [ProjCost], [ForecastHours], [ForecastUnits], [ForecastCost], [TotalCmtdUnits], [TotalCmtdCost], [RemainCmtdUnits], [RemainCmtdCost], [RecvdNotInvcdUnits], [RecvdNotInvcdCost] FROM [Viewpoint].[dbo].[bJCCP] WHERE [Mth] >= '2026-04-01';

-- bJCCM: upsert, all rows
SELECT [JCCo], [Contract], [Description], [Department], [ContractStatus], [OriginalDays], [CurrentDays], [StartMonth], [MonthClosed], [ProjCloseDate], [ActualCloseDate], [CustGroup], [Customer], [PayTerms], [TaxGroup], [RetainagePCT], [DefaultBillType], [OrigContractAmt], [ContractAmt], [BilledAmt], [ReceivedAmt], [CurrentRetainAmt], [StartDate], [udSalesPerson], [KeyID] FROM [Viewpoint].[dbo].[bJCCM];

-- bJCCI: upsert, all rows
SELECT [JCCo], [Contract], [Item], [Description], [Department], [UM], [RetainPCT], [OrigContractAmt], [OrigContractUnits], [OrigUnitPrice], [ContractAmt], [ContractUnits], [UnitPrice], [BilledAmt], [BilledUnits], [ReceivedAmt], [CurrentRetainAmt], [BillType], [StartMonth], [KeyID] FROM [Viewpoint].[dbo].[bJCCI];

-- bARCM: upsert, all rows
SELECT [CustGroup], [Customer], [Name], [SortName], [TempYN], [Phone], [EMail], [Address], [City], [State], [Zip], [Country], [Contact], [PayTerms], [CreditLimit], [StmntPrint], [FCType], [Status], [RecType], [udSegment], [udCategory], [udCustSince], [KeyID] FROM [Viewpoint].[dbo].[bARCM];

-- bARTH: upsert, KeyID > 1000
SELECT [ARCo], [Mth], [ARTrans], [ARTransType], [CustGroup], [Customer], [CustRef], [RecType], [JCCo], [Contract], [Invoice], [CheckNo], [Source], [TransDate], [DueDate], [CheckDate], [Description], [CMCo], [CMAcct], [CreditAmt], [PayTerms], [Invoiced], [Paid], [Retainage], [DiscTaken], [AmountDue], [PayFullDate], [PurgeFlag], [BatchId], [KeyID] FROM [Viewpoint].[dbo].[bARTH] WHERE [KeyID] > 1000;

-- bARTH: upsert, Mth >= 2026-04-01
SELECT [ARCo], [Mth], [ARTrans], [ARTransType], [CustGroup], [Customer], [CustRef], [RecType], [JCCo], [Contract], [Invoice], [CheckNo], [Source], [TransDate], [DueDate], [CheckDate], [Description], [CMCo], [CMAcct], [CreditAmt], [PayTerms], [Invoiced], [Paid], [Retainage], [DiscTaken], [AmountDue], [PayFullDate], [PurgeFlag], [BatchId], [KeyID] FROM [Viewpoint].[dbo].[bARTH] WHERE [Mth] >= '2026-04-01';

-- bARTH: upsert, applied to by bARTL lines of Mth >= 2026-04-01
SELECT [ARCo], [Mth], [ARTrans], [ARTransType], [CustGroup], [Customer], [CustRef], [RecType], [JCCo], [Contract], [Invoice], [CheckNo], [Source], [TransDate], [DueDate], [CheckDate], [Description], [CMCo], [CMAcct], [CreditAmt], [PayTerms], [Invoiced], [Paid], [Retainage], [DiscTaken], [AmountDue], [PayFullDate], [PurgeFlag], [BatchId], [KeyID] FROM [Viewpoint].[dbo].[bARTH] WHERE EXISTS(SELECT 1 FROM [Viewpoint].[dbo].[bARTL] AS [l] WHERE [l].[ARCo] = [bARTH].[ARCo] AND [l].[ApplyMth] = [bARTH].[Mth] AND [l].[ApplyTrans] = [bARTH].[ARTrans] AND [l].[Mth] >= '2026-04-01');

-- bARTL: upsert, KeyID > 1000
SELECT [ARCo], [Mth], [ARTrans], [ARLine], [RecType], [LineType], [Description], [GLCo], [GLAcct], [Amount], [TaxAmount], [RetgPct], [Retainage], [DiscTaken], [ApplyMth], [ApplyTrans], [ApplyLine], [JCCo], [Contract], [Item], [Job], [ActDate], [KeyID] FROM [Viewpoint].[dbo].[bARTL] WHERE [KeyID] > 1000;

-- bARTL: upsert, Mth >= 2026-04-01
SELECT [ARCo], [Mth], [ARTrans], [ARLine], [RecType], [LineType], [Description], [GLCo], [GLAcct], [Amount], [TaxAmount], [RetgPct], [Retainage], [DiscTaken], [ApplyMth], [ApplyTrans], [ApplyLine], [JCCo], [Contract], [Item], [Job], [ActDate], [KeyID] FROM [Viewpoint].[dbo].[bARTL] WHERE [Mth] >= '2026-04-01';

-- bAPVM: upsert, all rows
SELECT [VendorGroup], [Vendor], [SortName], [Name], [Type], [TempYN], [Contact], [Phone], [Address], [City], [State], [Zip], [PayTerms], [GLCo], [GLAcct], [V1099YN], [TaxId], [ActiveYN], [EFT], [udTrade], [KeyID] FROM [Viewpoint].[dbo].[bAPVM];

-- bAPTH: upsert, KeyID > 1000
SELECT [APCo], [Mth], [APTrans], [VendorGroup], [Vendor], [APRef], [Description], [InvDate], [DiscDate], [DueDate], [InvTotal], [HoldCode], [PayControl], [PayMethod], [CMCo], [CMAcct], [PrePaidYN], [V1099YN], [OpenYN], [BatchId], [Purge], [KeyID] FROM [Viewpoint].[dbo].[bAPTH] WHERE [KeyID] > 1000;

-- bAPTH: upsert, Mth >= 2026-04-01
SELECT [APCo], [Mth], [APTrans], [VendorGroup], [Vendor], [APRef], [Description], [InvDate], [DiscDate], [DueDate], [InvTotal], [HoldCode], [PayControl], [PayMethod], [CMCo], [CMAcct], [PrePaidYN], [V1099YN], [OpenYN], [BatchId], [Purge], [KeyID] FROM [Viewpoint].[dbo].[bAPTH] WHERE [Mth] >= '2026-04-01';

-- bAPTH: upsert, paid by bAPTD of PaidMth >= 2026-04-01
SELECT [APCo], [Mth], [APTrans], [VendorGroup], [Vendor], [APRef], [Description], [InvDate], [DiscDate], [DueDate], [InvTotal], [HoldCode], [PayControl], [PayMethod], [CMCo], [CMAcct], [PrePaidYN], [V1099YN], [OpenYN], [BatchId], [Purge], [KeyID] FROM [Viewpoint].[dbo].[bAPTH] WHERE EXISTS(SELECT 1 FROM [Viewpoint].[dbo].[bAPTD] AS [d] WHERE [d].[APCo] = [bAPTH].[APCo] AND [d].[Mth] = [bAPTH].[Mth] AND [d].[APTrans] = [bAPTH].[APTrans] AND [d].[PaidMth] >= '2026-04-01');

-- bAPTL: upsert, KeyID > 1000
SELECT [APCo], [Mth], [APTrans], [APLine], [LineType], [JCCo], [Job], [PhaseGroup], [Phase], [JCCType], [GLCo], [GLAcct], [Description], [UM], [Units], [UnitCost], [ECM], [PayType], [GrossAmt], [MiscAmt], [TaxAmt], [Retainage], [Discount], [KeyID] FROM [Viewpoint].[dbo].[bAPTL] WHERE [KeyID] > 1000;

-- bAPTL: upsert, Mth >= 2026-04-01
SELECT [APCo], [Mth], [APTrans], [APLine], [LineType], [JCCo], [Job], [PhaseGroup], [Phase], [JCCType], [GLCo], [GLAcct], [Description], [UM], [Units], [UnitCost], [ECM], [PayType], [GrossAmt], [MiscAmt], [TaxAmt], [Retainage], [Discount], [KeyID] FROM [Viewpoint].[dbo].[bAPTL] WHERE [Mth] >= '2026-04-01';

-- bAPTD: upsert, KeyID > 1000
SELECT [APCo], [Mth], [APTrans], [APLine], [APSeq], [PayType], [Amount], [DiscOffer], [DiscTaken], [DueDate], [Status], [PaidMth], [PaidDate], [CMCo], [CMAcct], [PayMethod], [CMRef], [CMRefSeq], [VendorGroup], [TotTaxAmount], [KeyID] FROM [Viewpoint].[dbo].[bAPTD] WHERE [KeyID] > 1000;

-- bAPTD: upsert, Mth >= 2026-04-01
SELECT [APCo], [Mth], [APTrans], [APLine], [APSeq], [PayType], [Amount], [DiscOffer], [DiscTaken], [DueDate], [Status], [PaidMth], [PaidDate], [CMCo], [CMAcct], [PayMethod], [CMRef], [CMRefSeq], [VendorGroup], [TotTaxAmount], [KeyID] FROM [Viewpoint].[dbo].[bAPTD] WHERE [Mth] >= '2026-04-01';

-- bAPTD: upsert, PaidMth >= 2026-04-01
SELECT [APCo], [Mth], [APTrans], [APLine], [APSeq], [PayType], [Amount], [DiscOffer], [DiscTaken], [DueDate], [Status], [PaidMth], [PaidDate], [CMCo], [CMAcct], [PayMethod], [CMRef], [CMRefSeq], [VendorGroup], [TotTaxAmount], [KeyID] FROM [Viewpoint].[dbo].[bAPTD] WHERE [PaidMth] >= '2026-04-01';

-- bGLAC: upsert, all rows
SELECT [GLCo], [GLAcct], [Description], [AcctType], [SubType], [NormBal], [InterfaceDetail], [Active], [SummaryAcct], [CashAccrual], [Part1], [Part2], [Part3], [udGroupAcct], [KeyID] FROM [Viewpoint].[dbo].[bGLAC];

-- bGLDT: upsert, Mth >= 2026-04-01
SELECT [GLCo], [Mth], [GLTrans], [GLAcct], [Jrnl], [GLRef], [SourceCo], [Source], [ActDate], [DatePosted], [Description], [BatchId], [Amount], [RevStatus], [Adjust], [Purge] FROM [Viewpoint].[dbo].[bGLDT] WHERE [Mth] >= '2026-04-01';

-- bGLBL: upsert, Mth >= 2026-04-01
SELECT [GLCo], [GLAcct], [Mth], [NetActivity], [Debits], [Credits], [KeyID] FROM [Viewpoint].[dbo].[bGLBL] WHERE [Mth] >= '2026-04-01';

-- bPREH: upsert, all rows
SELECT [PRCo], [Employee], [LastName], [FirstName], [SortName], [City], [State], [SSN], [Sex], [BirthDate], [HireDate], [TermDate], [PRGroup], [PRDept], [Craft], [Class], [InsCode], [TaxState], [GLCo], [JCCo], [Job], [EarnCode], [HrlyRate], [SalaryAmt], [ActiveYN], [CertYN], [KeyID] FROM [Viewpoint].[dbo].[bPREH];

-- bPRTH: upsert, KeyID > 1000
SELECT [PRCo], [PRGroup], [PREndDate], [Employee], [PaySeq], [PostSeq], [Type], [PostDate], [JCCo], [Job], [PhaseGroup], [Phase], [GLCo], [TaxState], [InsCode], [PRDept], [Craft], [Class], [EarnCode], [Shift], [Hours], [Rate], [Amt], [BatchId], [Memo], [KeyID] FROM [Viewpoint].[dbo].[bPRTH] WHERE [KeyID] > 1000;

-- bPRTH: upsert, PREndDate >= 2026-04-01
SELECT [PRCo], [PRGroup], [PREndDate], [Employee], [PaySeq], [PostSeq], [Type], [PostDate], [JCCo], [Job], [PhaseGroup], [Phase], [GLCo], [TaxState], [InsCode], [PRDept], [Craft], [Class], [EarnCode], [Shift], [Hours], [Rate], [Amt], [BatchId], [Memo], [KeyID] FROM [Viewpoint].[dbo].[bPRTH] WHERE [PREndDate] >= '2026-04-01';
