"""Sign-in, sign-out, password changes and API tokens: the only writers of credentials."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from xietong.audit.actions import AuditAction, do_record, token_target, user_target
from xietong.auth.models import AuthToken, TokenKind
from xietong.core.actor import Actor, Origin, Role
from xietong.core.clock import utcnow
from xietong.core.errors import Forbidden, Invalid, NotFound
from xietong.core.ratelimit import FailureCounter
from xietong.core.security import (
    API_TOKEN_PREFIX,
    SESSION_TOKEN_PREFIX,
    Passwords,
    new_token,
    token_digest,
)
from xietong.core.signals import CredentialsChanged
from xietong.core.uow import UnitOfWork
from xietong.org import queries as org_queries
from xietong.org.models import User
from xietong.policy import auth as auth_policy
from xietong.policy import require


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    window_seconds: int
    slowdown_after: int
    slowdown_seconds: float
    lockout_after: int
    ip_lockout_after: int
    session_ttl: timedelta


@dataclass(frozen=True, slots=True)
class LoginSucceeded:
    user: User
    token: str


@dataclass(frozen=True, slots=True)
class LoginRefused:
    """Why a sign-in failed. The edge commits the audit record, then answers with this."""

    code: str  # bad_credentials | account_inactive | too_many_requests
    retry_after: int = 0
    # How long the edge waits before answering: after the commit, so that a guesser's wait
    # holds neither a transaction nor a pooled connection.
    delay_seconds: float = 0.0


LoginOutcome = LoginSucceeded | LoginRefused


@dataclass(frozen=True, slots=True)
class LoginVerdict:
    """What `check_login` found, for `do_login` to record and act on."""

    user_id: int | None
    # The stored hash the password was checked against; `do_login` opens a session only if
    # it is still the person's hash (no password change slipped in between).
    checked_hash: str | None
    # None: the password is right. Otherwise the answer to give.
    refusal: LoginRefused | None
    # False when the attempt was refused without looking at the password (locked out).
    password_checked: bool
    # The account's attempts in the current window, this one included.
    attempts: int = 0
    # Refused unchecked: how many times in this window (of the account, or the address).
    refused_unchecked: int = 0
    # The password re-hashed with the current cost, when the stored hash is weaker.
    upgraded_hash: str | None = None


def _account_key(user: User | None, login: str) -> str:
    # By person, not by the name typed: username and email must share one count.
    if user is not None:
        return f"login:user:{user.id}"
    return "login:name:" + login.strip().lower()


def _address_key(ip: str | None) -> str:
    return "login:ip:" + (ip or "unknown")


def _throttled(wait: int, refused_so_far: int, user_id: int | None = None) -> LoginVerdict:
    return LoginVerdict(user_id=user_id, checked_hash=None, password_checked=False,
                        refusal=LoginRefused("too_many_requests", retry_after=wait),
                        refused_unchecked=refused_so_far)


# A guesser hammering a locked account must not grow the audit log without bound: the
# first refusal of a window is recorded, then every hundredth (with the count so far).
THROTTLED_AUDIT_EVERY = 100


def _worth_auditing(refused_so_far: int) -> bool:
    return refused_so_far == 1 or refused_so_far % THROTTLED_AUDIT_EVERY == 0


async def check_login(uow: UnitOfWork, origin: Origin, login: str, password: str, *,
                      passwords: Passwords, failures: FailureCounter,
                      rules: LoginPolicy) -> LoginVerdict:
    """Check the credentials under the failure throttle; writes nothing to the database.

    Run it in a reader: argon2's cost is paid outside the write transaction (on SQLite,
    outside the one write lock). `do_login` then records the outcome.

    Failures are counted per account (whichever of its names is typed) and per address.
    From the `slowdown_after`-th failure on each refusal is delayed; the failure that
    reaches a lockout threshold, and every attempt after it in the window, is answered
    with `too_many_requests`, and past the threshold the password is not even checked,
    so a guesser learns nothing until the window ends.

    The account's attempt is counted *before* its password is checked (and the count
    cleared when the password is right): a burst of parallel guesses then gets no more
    checks than the same guesses one after another.
    """
    address_key = _address_key(origin.ip)
    address_failures, address_wait = await failures.peek(address_key)
    if address_failures >= rules.ip_lockout_after:
        refused = await failures.hit(address_key + ":refused", rules.window_seconds)
        return _throttled(address_wait, refused)

    user = await org_queries.find_user_by_login(uow, login)
    user_id = user.id if user else None
    stored_hash = user.password_hash if user else None
    account_key = _account_key(user, login)
    attempts = await failures.hit(account_key, rules.window_seconds)
    if attempts > rules.lockout_after:
        return _throttled((await failures.peek(account_key))[1],
                          attempts - rules.lockout_after, user_id)

    if not await passwords.verify(stored_hash, password):
        address_failures = await failures.hit(address_key, rules.window_seconds)
        delay = rules.slowdown_seconds if attempts >= rules.slowdown_after else 0.0
        if attempts >= rules.lockout_after or address_failures >= rules.ip_lockout_after:
            waits = [(await failures.peek(key))[1] for key in (account_key, address_key)]
            refusal = LoginRefused("too_many_requests", retry_after=max(waits),
                                   delay_seconds=delay)
        else:
            refusal = LoginRefused("bad_credentials", delay_seconds=delay)
        return LoginVerdict(user_id=user_id, checked_hash=stored_hash, refusal=refusal,
                            password_checked=True, attempts=attempts)

    assert stored_hash is not None
    # The right password is no guess, whatever happens next.
    await failures.reset(account_key)
    upgraded = (await passwords.hash(password) if passwords.needs_rehash(stored_hash)
                else None)
    return LoginVerdict(user_id=user_id, checked_hash=stored_hash, refusal=None,
                        password_checked=True, attempts=attempts, upgraded_hash=upgraded)


async def do_login(uow: UnitOfWork, origin: Origin, login: str, verdict: LoginVerdict, *,
                   rules: LoginPolicy) -> LoginOutcome:
    """Record the sign-in attempt `check_login` judged and, if it succeeded, open a session."""
    target = user_target(verdict.user_id) if verdict.user_id is not None else None
    if verdict.refusal is not None:
        if verdict.password_checked:
            await do_record(uow, AuditAction.LOGIN_FAILED, actor_id=None, ip=origin.ip,
                            target=target,
                            details={"login": login[:254], "failures": verdict.attempts})
        elif _worth_auditing(verdict.refused_unchecked):
            await do_record(uow, AuditAction.LOGIN_THROTTLED, actor_id=None, ip=origin.ip,
                            target=target, details={"login": login[:254],
                                                    "refused_so_far": verdict.refused_unchecked})
        return verdict.refusal

    assert verdict.user_id is not None
    user = await uow.session.get(User, verdict.user_id)
    if user is None or user.password_hash != verdict.checked_hash:
        # Deleted, or the password changed since it was checked: the old one opens nothing.
        await do_record(uow, AuditAction.LOGIN_FAILED, actor_id=None, ip=origin.ip,
                        target=target, details={"login": login[:254], "reason": "changed"})
        return LoginRefused("bad_credentials")
    if not user.active:
        await do_record(uow, AuditAction.LOGIN_FAILED, actor_id=None, ip=origin.ip,
                        target=target, details={"login": login[:254], "reason": "inactive"})
        return LoginRefused("account_inactive")

    if verdict.upgraded_hash is not None:
        user.password_hash = verdict.upgraded_hash
    token = await do_open_session(uow, user, origin, rules.session_ttl)
    await do_record(uow, AuditAction.LOGIN_SUCCEEDED, actor_id=user.id, ip=origin.ip,
                    target=user_target(user.id))
    return LoginSucceeded(user, token)


async def do_open_session(uow: UnitOfWork, user: User, origin: Origin,
                          ttl: timedelta) -> str:
    token = new_token(SESSION_TOKEN_PREFIX)
    uow.session.add(AuthToken(user_id=user.id, kind=TokenKind.SESSION.value,
                              digest=token_digest(token), last_ip=origin.ip,
                              expires_at=utcnow() + ttl))
    await uow.flush()
    return token


async def do_logout(uow: UnitOfWork, actor: Actor) -> None:
    if actor.token_id is None:
        return
    token = await uow.session.get(AuthToken, actor.token_id)
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()
        await uow.signal(CredentialsChanged(actor.user_id))
        await do_record(uow, AuditAction.LOGOUT, actor_id=actor.user_id, ip=actor.ip,
                        target=token_target(token.id))


async def check_password_change(uow: UnitOfWork, actor: Actor, old_password: str,
                                new_password: str, *, passwords: Passwords) -> str:
    """Verify the current password and hash the new one; returns the new hash.

    Read-only (run it in a reader): argon2's cost is paid outside the write transaction.
    """
    user = await uow.session.get(User, actor.user_id)
    assert user is not None
    if not await passwords.verify(user.password_hash, old_password):
        raise Invalid("The current password is wrong.", code="wrong_password")
    if new_password == old_password:
        raise Invalid("The new password must differ from the current one.")
    if new_password.lower() == user.username:
        raise Invalid("The password must not be the username.")
    return await passwords.hash(new_password)


async def do_change_password(uow: UnitOfWork, actor: Actor, new_password_hash: str) -> None:
    """Store the new hash and end every other session of the person (API tokens stay)."""
    user = await uow.session.get(User, actor.user_id)
    assert user is not None
    user.password_hash = new_password_hash
    ended = await do_revoke_credentials(uow, user.id, kind=TokenKind.SESSION,
                                        keep_token_id=actor.token_id)
    await do_record(uow, AuditAction.PASSWORD_CHANGED, actor_id=actor.user_id, ip=actor.ip,
                    target=user_target(user.id), details={"sessions_ended": ended})


def check_password_reset(user: User, new_password: str) -> None:
    """What a new password must be whoever sets it (`check_password_change` for one's own)."""
    if new_password.lower() == user.username:
        raise Invalid("The password must not be the username.")


async def do_reset_password(uow: UnitOfWork, user: User, new_password_hash: str, *,
                            by: Actor | None, details: dict[str, str] | None = None) -> int:
    """Someone else sets `user`'s password: an administrator (`by`; the generated password
    is answered to them once) or an operator at the command line (`by` None; `details` say
    who asked). Every session made with the old password ends. An administrator's reset ends
    the API tokens too — whoever held the password may have made them —; the operator's
    (a lost password, not a breach) keeps them, to be revoked one by one. Returns how many
    credentials ended."""
    if by is not None:
        require(auth_policy.can_reset_password(by, user.id, Role(user.role)),
                "Only an administrator resets someone else's password (yours: change it).")
    if user.bot:
        # The system account must never sign in: nobody may be it.
        raise Forbidden("A system account has no password.", code="system_account")
    user.password_hash = new_password_hash
    ended = await do_revoke_credentials(uow, user.id,
                                        kind=TokenKind.SESSION if by is None else None)
    counted = "sessions_ended" if by is None else "credentials_revoked"
    await do_record(uow, AuditAction.PASSWORD_RESET, actor_id=by.user_id if by else None,
                    ip=by.ip if by else None, target=user_target(user.id),
                    details={**(details or {}), counted: ended})
    return ended


async def reset_login_failures(failures: FailureCounter, user: User) -> None:
    """Forget the account's failed sign-ins, so a person locked out by them can use the new
    password at once (where the counter is shared, over Redis)."""
    await failures.reset(_account_key(user, user.username))


async def do_revoke_credentials(uow: UnitOfWork, user_id: int, *, kind: TokenKind | None = None,
                                keep_token_id: int | None = None) -> int:
    """Revoke the person's live credentials (of one kind, or all); return how many."""
    statement = (update(AuthToken)
                 .where(AuthToken.user_id == user_id, AuthToken.revoked_at.is_(None))
                 .values(revoked_at=utcnow()))
    if kind is not None:
        statement = statement.where(AuthToken.kind == kind.value)
    if keep_token_id is not None:
        statement = statement.where(AuthToken.id != keep_token_id)
    result = await uow.session.execute(statement)
    await uow.signal(CredentialsChanged(user_id))
    return int(getattr(result, "rowcount", 0) or 0)


async def do_revoke_api_tokens_of(uow: UnitOfWork, actor: Actor, user_id: int, *,
                                  reason: str) -> list[int]:
    """Revoke every live API token of the person, each audited as revoked by `actor` for
    `reason`; return their ids. Every node forgets the credentials after the commit."""
    token_ids = list((await uow.session.scalars(
        select(AuthToken.id).where(AuthToken.user_id == user_id,
                                   AuthToken.kind == TokenKind.API.value,
                                   AuthToken.revoked_at.is_(None))
        .order_by(AuthToken.id))).all())
    if not token_ids:
        return []
    await uow.session.execute(update(AuthToken).where(AuthToken.id.in_(token_ids))
                              .values(revoked_at=utcnow()))
    await uow.signal(CredentialsChanged(user_id))
    for token_id in token_ids:
        await do_record(uow, AuditAction.TOKEN_REVOKED, actor_id=actor.user_id, ip=actor.ip,
                        target=token_target(token_id),
                        details={"owner_id": user_id, "reason": reason})
    return token_ids


async def do_create_api_token(uow: UnitOfWork, actor: Actor, name: str,
                              expires_in_days: int | None) -> tuple[AuthToken, str]:
    """A long-lived token for scripts and bots. The secret is returned once, never stored."""
    require(auth_policy.can_create_api_token(actor), "Guests cannot create API tokens.")
    secret = new_token(API_TOKEN_PREFIX)
    token = AuthToken(user_id=actor.user_id, kind=TokenKind.API.value, name=name,
                      digest=token_digest(secret), created_at=utcnow(),
                      expires_at=(utcnow() + timedelta(days=expires_in_days)
                                  if expires_in_days else None))
    uow.session.add(token)
    await uow.flush()
    await do_record(uow, AuditAction.TOKEN_CREATED, actor_id=actor.user_id, ip=actor.ip,
                    target=token_target(token.id), details={"name": name})
    return token, secret


async def do_revoke_api_token(uow: UnitOfWork, actor: Actor, token_id: int) -> None:
    token = await uow.session.get(AuthToken, token_id)
    if token is None or token.kind != TokenKind.API.value or token.revoked_at is not None:
        raise NotFound("No such token.")
    if not auth_policy.can_revoke_token(actor, token.user_id):
        # Someone else's token: as good as absent, so ids reveal nothing.
        raise NotFound("No such token.")
    token.revoked_at = utcnow()
    await uow.signal(CredentialsChanged(token.user_id))
    await do_record(uow, AuditAction.TOKEN_REVOKED, actor_id=actor.user_id, ip=actor.ip,
                    target=token_target(token.id), details={"owner_id": token.user_id})


async def do_touch_credential(uow: UnitOfWork, token_id: int, ip: str | None) -> None:
    """Remember when and from where a credential was last used (at most every few minutes)."""
    token = await uow.session.get(AuthToken, token_id)
    if token is not None:
        token.last_used_at = utcnow()
        token.last_ip = ip

