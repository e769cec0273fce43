"""The one jobs runner: SLA timers, lapsed offers, the notification outbox, the daily
purge and old rate-limit hits, run by ``consultdesk worker`` and, for a single-process
SQLite deployment, inside ``consultdesk serve``."""
