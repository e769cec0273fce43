"""Messages to customers (CLS-1, CLS-2): key facts and surveys by SMS (and e-mail)."""
