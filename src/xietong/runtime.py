"""Everything built once from `Settings`: engine, sessions, password hasher, counters.

Nothing opens an engine at import time; `Runtime.start()` is called by the CLI, the
ASGI lifespan or a test fixture, and `close()` releases it all.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta

from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from xietong.auth.actions import LoginPolicy, do_touch_credential
from xietong.auth.cache import CredentialCache, KnownCredential
from xietong.auth.queries import live_credential, live_token_ids
from xietong.core.actor import Actor, Role
from xietong.core.clock import utcnow
from xietong.core.db import WRITER_OPTION, create_engine
from xietong.core.ratelimit import FailureCounter, MemoryCounter
from xietong.core.security import (
    Argon2Cost,
    Passwords,
    load_or_create_secret_key,
    token_digest,
)
from xietong.core.signals import CredentialsChanged, Signals
from xietong.core.uow import UnitOfWork
from xietong.domains import DOMAINS
from xietong.jobs.runner import RunnerOptions
from xietong.jobs.service import Jobs
from xietong.manifest import ConsumerNeeds, DomainManifest, JobNeeds
from xietong.realtime.consumers import Consumers
from xietong.realtime.retention import KIND as PRUNE_EVENTS
from xietong.realtime.retention import EventRetention
from xietong.realtime.scopes import Scopes
from xietong.realtime.service import Realtime
from xietong.redis_backend import RedisCounter, connect_redis
from xietong.search.scopes import ReadableScopes
from xietong.settings import Settings

# Writing "last used" on every request would turn reads into writes; a few minutes is enough.
TOUCH_INTERVAL = timedelta(minutes=5)


class Runtime:
    def __init__(self, settings: Settings,
                 domains: Sequence[DomainManifest] = DOMAINS) -> None:
        self.settings = settings
        # What the server is made of; the app mounts the same list.
        self.domains = tuple(domains)
        self.engine: AsyncEngine = create_engine(settings.database_url,
                                                 sqlite_synchronous=settings.sqlite_synchronous)
        self._writer_sessions = async_sessionmaker(
            bind=self.engine.execution_options(**{WRITER_OPTION: True}),
            expire_on_commit=False, autoflush=False)
        # A read sees one moment: on PostgreSQL each statement of a READ COMMITTED transaction
        # sees the latest commit, so a channel list read while a message committed counted
        # the message (its unread count) without knowing it (its last message id), and the
        # client counted it again from the event. REPEATABLE READ gives the whole read one
        # snapshot (read-only, it never fails to serialise); SQLite's reads have one already.
        readers = (self.engine.execution_options(isolation_level="REPEATABLE READ")
                   if settings.is_postgres else self.engine)
        self._reader_sessions = async_sessionmaker(bind=readers, expire_on_commit=False,
                                                   autoflush=False)
        # SQLite has one writer at a time. Queueing our writers on an asyncio lock (first
        # come, first served) beats letting them spin on SQLite's busy timeout, whose
        # sleeps grow to 100 ms and turn a short queue into second-long waits.
        self._sqlite_writer = None if settings.is_postgres else asyncio.Lock()
        self.secret_key = settings.secret_key or load_or_create_secret_key(settings.data_dir)
        self.passwords = Passwords(Argon2Cost(settings.argon2_time_cost,
                                              settings.argon2_memory_kib,
                                              settings.argon2_parallelism))
        self.redis: Redis | None = connect_redis(settings.redis_url) if settings.redis_url else None
        self.failures: FailureCounter = (RedisCounter(self.redis, settings.redis_prefix)
                                         if self.redis is not None else MemoryCounter())
        self.login_policy = LoginPolicy(
            window_seconds=settings.login_window_seconds,
            slowdown_after=settings.login_slowdown_after,
            slowdown_seconds=settings.login_slowdown_seconds,
            lockout_after=settings.login_lockout_after,
            ip_lockout_after=settings.login_ip_lockout_after,
            session_ttl=timedelta(days=settings.session_ttl_days))
        self.signals = Signals()
        for domain in self.domains:
            for reaction in domain.signal_handlers:
                reaction.connect(self.signals)
        self.realtime = Realtime(is_postgres=settings.is_postgres, redis=self.redis,
                                 redis_prefix=settings.redis_prefix, reader=self.reader,
                                 resolver=Scopes(resolver for domain in self.domains
                                                 for resolver in domain.scope_resolvers),
                                 queue_limit=settings.ws_queue_limit,
                                 idle_seconds=settings.ws_idle_seconds,
                                 presence_ttl=settings.presence_ttl_seconds)
        self.readable_scopes = ReadableScopes(reader for domain in self.domains
                                              for reader in domain.scope_readers)
        self.credentials = CredentialCache(settings.credential_cache_seconds)
        self.signals.connect(CredentialsChanged, self._credentials_changed)
        self.realtime.on_credentials_changed = self._heard_credentials_changed
        self._socket_checks: set[asyncio.Task[None]] = set()
        self._warming: asyncio.Task[None] | None = None
        self.jobs = Jobs(
            writer=self.unit_of_work, reader=self.reader, is_postgres=settings.is_postgres,
            zone=settings.zone,
            options=RunnerOptions(poll_seconds=settings.job_poll_seconds,
                                  lease=timedelta(seconds=settings.job_lease_seconds),
                                  retry_base=timedelta(seconds=settings.job_retry_base_seconds)),
            handler_modules=settings.job_handler_module_names)
        self.consumers = Consumers(
            event_log=self.realtime.log, writer=self.unit_of_work,
            consumers=[make(ConsumerNeeds(zone=settings.zone, statuses=self.realtime.statuses))
                       for domain in self.domains for make in domain.event_consumers])
        self.realtime.hub.commit_listeners.append(self.consumers.wake)
        self.event_retention = EventRetention(settings.event_retention_days)
        self.jobs.registry.register(PRUNE_EVENTS, self.event_retention)
        job_needs = JobNeeds(zone=settings.zone)
        for domain in self.domains:
            for job_kind in domain.job_kinds:
                self.jobs.registry.register(job_kind.kind, job_kind.handler(job_needs))

    async def _credentials_changed(self, uow: UnitOfWork, signal: CredentialsChanged) -> None:
        async def forget_everywhere() -> None:
            self.credentials.forget_all()
            await self.realtime.announce_credentials_changed(signal.user_id)
            await self.end_dead_sockets(signal.user_id)
        uow.after_commit(forget_everywhere)

    def _heard_credentials_changed(self, user_id: int) -> None:
        """Another node changed someone's credentials."""
        self.credentials.forget_all()
        check = asyncio.create_task(self.end_dead_sockets(user_id))
        self._socket_checks.add(check)
        check.add_done_callback(self._socket_checks.discard)

    async def end_dead_sockets(self, user_id: int) -> None:
        """Close this node's sockets of `user_id` whose credential no longer lets them in
        (logged out, revoked, deactivated, or expired by now); a role change leaves them
        open, watching only people the new role may see. (A credential that merely expires,
        with no change, is not noticed here.)"""
        connections = list(self.realtime.hub.connections_of(user_id))
        # A role change leaves the sockets open, but may narrow whom they may watch.
        await self.realtime.hub.narrow_watches(connections, scoped_only=False)
        token_ids = {c.token_id for c in connections if c.token_id is not None}
        if not token_ids:
            return
        async with self.reader() as uow:
            live = await live_token_ids(uow, token_ids)
        for connection in connections:
            if connection.token_id is not None and connection.token_id not in live:
                connection.end_credential()

    async def actor_for_token(self, token: str, ip: str | None, *,
                              touch: bool = True) -> Actor | None:
        """The person a live credential belongs to, or None when it is unknown or dead;
        `touch=False` records nothing of the use (no last-used time or address)."""
        now = utcnow()
        digest = token_digest(token)
        known = self.credentials.get(digest, now)
        if known is None:
            generation = self.credentials.generation
            async with self.reader() as uow:
                found = await live_credential(uow, digest)
            if found is None:
                return None
            credential, user = found
            known = KnownCredential(user_id=user.id, role=Role(user.role),
                                    token_id=credential.id, expires_at=credential.expires_at,
                                    last_used_at=credential.last_used_at)
            self.credentials.put(digest, known, generation)
        if touch and (known.last_used_at is None or now - known.last_used_at > TOUCH_INTERVAL):
            async with self.unit_of_work() as uow:
                await do_touch_credential(uow, known.token_id, ip)
            self.credentials.touched(digest, now)
        return Actor(user_id=known.user_id, role=known.role, ip=ip, token_id=known.token_id)

    async def start(self) -> None:
        """Start the background work of a serving node (event delivery, presence, jobs,
        the domains' warm-ups)."""
        await self.realtime.start()
        if self.settings.run_consumers:
            await self.consumers.start()
        if self.settings.run_jobs:
            await self.schedule_recurring_jobs()
            self.jobs.start()
        # Last, so that the warm-ups' threads do not slow the start (they hold the GIL).
        if self.settings.warm_up and self._warming is None:
            self._warming = asyncio.create_task(self._warm_up())

    async def _warm_up(self) -> None:
        # One at a time, in a thread: each is CPU-bound Python that would stall the event
        # loop, and together on the loop's executor they would only contend for the GIL.
        for domain in self.domains:
            for warm_up in domain.warm_ups:
                await asyncio.to_thread(warm_up)

    async def warmed_up(self) -> None:
        """Wait until the warm-ups `start` began are done (nothing to wait for if none)."""
        if self._warming is not None:
            await asyncio.shield(self._warming)

    async def schedule_recurring_jobs(self) -> None:
        """The installation's own recurring jobs, enqueued by key: the first node to start
        creates each, every later start (of any node) finds it and does nothing."""
        async with self.unit_of_work() as uow:
            await self.event_retention.schedule(uow)
            for domain in self.domains:
                for job_kind in domain.job_kinds:
                    if job_kind.every is not None:
                        await uow.enqueue(job_kind.kind, {}, key=job_kind.recurring_key,
                                          every=job_kind.every)

    def unit_of_work(self) -> UnitOfWork:
        """A write transaction. Use as `async with runtime.unit_of_work() as uow:`."""
        return UnitOfWork(self._writer_sessions(), is_postgres=self.settings.is_postgres,
                          events=self.realtime.log, signals=self.signals,
                          writer_lock=self._sqlite_writer, jobs=self.jobs)

    def reader(self) -> UnitOfWork:
        """A read transaction: never takes SQLite's write lock, so reads don't queue behind writes.

        Leaving it commits nothing (there is nothing to commit); actions must not be called on it.
        """
        # With the signals, so a question such as `FileReadable` is answered on a read too.
        return UnitOfWork(self._reader_sessions(), is_postgres=self.settings.is_postgres,
                          signals=self.signals)

    async def check_database(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def check_redis(self) -> None:
        if self.redis is not None:
            await self.redis.ping()

    async def close(self) -> None:
        if self._warming is not None and not self._warming.done():
            self._warming.cancel()  # the running thread finishes on its own
        await self.consumers.stop()
        await self.jobs.stop()
        await self.realtime.stop()
        await self.engine.dispose()
        if self.redis is not None:
            await self.redis.aclose()


@asynccontextmanager
async def open_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    runtime = Runtime(settings)
    try:
        yield runtime
    finally:
        await runtime.close()

