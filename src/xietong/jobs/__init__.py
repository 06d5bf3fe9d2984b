"""Durable jobs: work that happens later, kept as rows of our own database.

A job is enqueued with `uow.enqueue(kind, payload, run_at=..., key=..., every=...)` in the
transaction of the change that needs it, so it exists exactly when that change does;
`uow.cancel_job(key)` cancels it the same way. Every node runs a `JobRunner` that claims
due jobs (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite serialises its writers), runs the
handler registered for the kind, and marks the job done in the handler's transaction;
failures retry with exponential backoff and jitter and are dead-lettered after
`max_attempts`. Recurring jobs follow a schedule in the company's time zone
(`jobs.schedule`). Admins list and retry jobs at `/api/v1/admin/jobs`.

Why our own ~400 lines rather than a library (evaluated for issue 11):

- procrastinate: the closest fit (jobs in PostgreSQL, SKIP LOCKED, retries, periodic
  tasks, locks), but PostgreSQL only — our embedded default is SQLite with no other
  server — and it enqueues over its own psycopg connector, so an enqueue joins our
  SQLAlchemy/asyncpg transaction only through workarounds.
- arq, SAQ, taskiq (and Celery, Dramatiq): the queue lives in Redis (or a broker), which a
  single-node install does not have, and an enqueue there is not part of our database
  transaction: a rolled-back change could still run its job, and a crash between commit
  and enqueue loses it — the two failures this table exists to rule out. (SAQ's
  PostgreSQL queue also uses its own connection, and no SQLite.)
- APScheduler 4: its SQLAlchemy data store runs on SQLite and PostgreSQL, but 4.x is
  still a pre-release with a changing API, and it adds schedules and jobs in its own
  transactions, not ours; its scheduler model (one per process, its own tables, its own
  leases) would be a second way of doing what our runner does in one table.

What we need is small: one table, one claiming UPDATE, a registry, a loop.
"""
