"""Satisfaction (CLS-2, QC-1): a rating per consultation, a survey after closing by SMS or
e-mail answered on a public page, the monthly score and the quality review it may require."""
