"""Follow-ups and complaints (CLS-3): an owner, a promised time in working days on the
mainland calendar, the return call, and the customer told the result."""
