"""Branch counter visits with queue numbers (ACC-1, STD-4): take a number, call next,
serve — the visit becomes a counter consultation with its 5-minute clock."""
