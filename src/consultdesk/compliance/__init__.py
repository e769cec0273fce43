"""Reply compliance (QC-6, RSK-1/3/7, SOL-2/5, STD-2), suitability (SOL-5), recorded
violations (RSK-6), QA scoring (QC-2) and compliance drills (RSK-8)."""
