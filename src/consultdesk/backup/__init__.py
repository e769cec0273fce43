"""Backup and restore of the whole desk (CLS-4, issue 12 item 6).

``consultdesk backup --out F`` writes one archive: the database copy (SQLite through its
online backup API, PostgreSQL through ``pg_dump --format=custom``) and a manifest with
the schema revision, the row count of every table, the key ids the sealed fields need
and the payload's SHA-256. Keys are never in the archive: they are kept apart, and the
manifest names the ones a restore will need. ``backup verify F`` and ``restore F`` check
the archive, the counts, the audit chain and that every sealed field still opens.
"""
