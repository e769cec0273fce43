"""The quality loop (section 四 of the procedure): problem categories, the monthly report
(top five problems, service levels, satisfaction, compliance, AML), improvement plans,
the case library and QA sampling (QC-1 … QC-5, CLS-5)."""
