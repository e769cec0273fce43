"""Format checks of what a customer or agent types (ACP-2): resident ID, bank card,
mainland mobile number, unified social credit code, account number, transaction serial.

Every check returns a `Verdict`: valid or not, the normalised value, and ONE reason
(a stable machine code plus a message in Simplified Chinese)."""

from consultdesk.validation.checks import (
    KINDS,
    Verdict,
    check,
    check_account_number,
    check_bank_card,
    check_mobile,
    check_resident_id,
    check_transaction_serial,
    check_uscc,
    require_valid,
)

__all__ = [
    "KINDS",
    "Verdict",
    "check",
    "check_account_number",
    "check_bank_card",
    "check_mobile",
    "check_resident_id",
    "check_transaction_serial",
    "check_uscc",
    "require_valid",
]
