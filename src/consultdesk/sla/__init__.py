"""Service levels and escalation (ACC-2, STD-4, STD-6): timers stored in the database,
fired exactly once by a scheduler, each firing recorded with its policy version."""
