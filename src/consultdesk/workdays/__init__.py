"""Working days on the mainland calendar (CLS-3): complaint deadlines and promised
feedback times count working days, skipping public holidays and honouring the
adjusted working weekends (调休)."""
