"""The SQLite journal: WAL, busy_timeout, BEGIN IMMEDIATE, forward migrations.

Every write is one transaction committed before the call returns. With synchronous=FULL in WAL
mode each commit is fsynced, so an entry the caller was told about survives kill -9 and power loss.

schema: the migrations and applying them; connection: transactions, errors and the redacting
write path; rows: rows to models; incidents: incidents and their timeline, checklist, action
items and post-mortem fields; retractions: withdrawing an entry and what it had changed;
outbox: status updates and their send leases; leases: mitigation leases on targets;
postmortem: versioned saves of the post-mortem's fields; sqlite: opening the
file and the SqliteJournal class they make up. feedboard: the file beside the journal where
consoles share their feeds (the feed lease, published log lines and snapshots).
"""

from warroom.store.schema import MIGRATIONS, SCHEMA_VERSION
from warroom.store.sqlite import BUSY_TIMEOUT_MS, SqliteJournal, create_private_file

__all__ = [
    "BUSY_TIMEOUT_MS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "SqliteJournal",
    "create_private_file",
]
