"""Retention and destruction of expired records, with proof in the audit log (CLS-4)."""
