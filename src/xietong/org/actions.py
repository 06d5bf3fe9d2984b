"""Writers of the organisation: people, departments, memberships. They never commit."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from xietong.audit.actions import AuditAction, department_target, do_record, user_target
from xietong.core.actor import Actor, Role
from xietong.core.errors import Conflict, Forbidden, Invalid
from xietong.core.security import Passwords
from xietong.core.signals import (
    CredentialsChanged,
    DepartmentMembershipChanged,
    DepartmentNamed,
    DepartmentRemoving,
    UserDeactivated,
    UserDemotedToGuest,
)
from xietong.core.text import same_name_key
from xietong.core.uow import UnitOfWork
from xietong.org import queries
from xietong.org.events import (
    DepartmentCreated,
    DepartmentDeleted,
    DepartmentMembersChanged,
    DepartmentUpdated,
    UserCreated,
    UserUpdated,
    department_readers,
    person_readers,
)
from xietong.org.models import Department, DepartmentManager, DepartmentMember, User
from xietong.org.names import search_text_for, sort_key_for
from xietong.org.schemas import DepartmentUpdate, UserUpdate
from xietong.org.views import department_out, user_out
from xietong.policy import auth as auth_policy
from xietong.policy import org as org_policy
from xietong.policy import require

TREE_LOCK = "org:department-tree"
# Usernames and email addresses: held from the uniqueness check to the commit, so of two
# people added with one username at once the second sees the first and gets a clean
# "username_taken" rather than a bare unique-index conflict.
IDENTITY_LOCK = "org:identities"


def refresh_search_fields(user: User) -> None:
    user.search_text = search_text_for(username=user.username, display_name=user.display_name,
                                       email=user.email, title=user.title)
    user.sort_key = sort_key_for(user.display_name)


# --- people -------------------------------------------------------------------------------

async def check_unique_identity(uow: UnitOfWork, *, username: str | None, email: str | None,
                                except_user_id: int | None = None) -> None:
    """Refuse a username or email someone else has. Takes the identity lock until commit."""
    await uow.lock(IDENTITY_LOCK)
    if username is not None:
        found = await uow.session.scalar(select(User.id).where(User.username == username))
        if found is not None and found != except_user_id:
            raise Conflict("That username is taken.", code="username_taken")
    if email is not None:
        found = await uow.session.scalar(select(User.id).where(User.email == email))
        if found is not None and found != except_user_id:
            raise Conflict("That email address belongs to someone else.", code="email_taken")


async def check_display_name_free(uow: UnitOfWork, display_name: str, *,
                                  except_user_id: int | None = None) -> None:
    """Refuse a display name that copies an active person's: the same once NFC-normalised,
    case-folded and with blank runs as one space (`core.text.same_name_key`), so nobody can
    pass for a colleague in a mention list or a DM. Former colleagues' names are free again.
    Takes the identity lock until commit, so two people cannot take one name at once."""
    await uow.lock(IDENTITY_LOCK)
    wanted = same_name_key(display_name)
    for user_id, name in await queries.active_display_names(uow):
        if user_id != except_user_id and same_name_key(name) == wanted:
            # No id in the answer: a guest renaming themselves must not learn who it is.
            raise Invalid("Someone else is already called that; add something that tells "
                          "you apart (a department, a middle name).",
                          code="display_name_taken")


def new_user(*, username: str, display_name: str, email: str | None, phone: str | None,
             title: str | None, role: Role, password_hash: str | None) -> User:
    """A new active person's row (not yet added), with what search and sorting match on."""
    user = User(username=username, display_name=display_name, email=email, phone=phone,
                title=title, role=role.value, active=True, password_hash=password_hash)
    refresh_search_fields(user)
    return user


# Not a valid username for a person (`core.text` wants a letter or digit first), so nobody
# can take it before the system account is first needed.
SYSTEM_USERNAME = "_assistant"
SYSTEM_DISPLAY_NAME = "协同助手"


async def system_account(uow: UnitOfWork) -> User:
    """The system account that posts other domains' cards (a request's progress), made the
    first time one is posted. It has no password, so it never signs in."""
    found = await uow.session.scalar(select(User).where(User.username == SYSTEM_USERNAME))
    if found is not None:
        return found
    user = new_user(username=SYSTEM_USERNAME, display_name=SYSTEM_DISPLAY_NAME, email=None,
                    phone=None, title=None, role=Role.MEMBER, password_hash=None)
    user.bot = True
    try:
        async with uow.session.begin_nested():
            uow.session.add(user)
            await uow.session.flush()
    except IntegrityError:
        # Another transaction made it at the same moment: use theirs.
        found = await uow.session.scalar(select(User).where(User.username == SYSTEM_USERNAME))
        assert found is not None
        return found
    return user


async def do_create_user(uow: UnitOfWork, actor: Actor | None, *, username: str,
                         display_name: str, password: str, passwords: Passwords,
                         role: Role = Role.MEMBER, email: str | None = None,
                         phone: str | None = None, title: str | None = None,
                         department_ids: Iterable[int] = (),
                         primary_department_id: int | None = None,
                         ip: str | None = None, setup_account: bool = False) -> User:
    """Create a person. `actor` None means the operator at the server's console (CLI).
    `setup_account`: made by installing, not yet known to be a person (see the model)."""
    if actor is not None:
        require(org_policy.can_manage_org(actor), "Only administrators add people.")
        require(org_policy.can_grant_role(actor, role), "Only an owner can make an owner.")
    if password.lower() == username:
        raise Invalid("The password must not be the username.")
    # Hash before the first query: the transaction (and SQLite's write lock) starts there.
    password_hash = await passwords.hash(password)
    await check_unique_identity(uow, username=username, email=email)
    await check_display_name_free(uow, display_name)
    user = new_user(username=username, display_name=display_name, email=email, phone=phone,
                    title=title, role=role, password_hash=password_hash)
    user.setup_account = setup_account
    uow.session.add(user)
    await uow.flush()
    await set_user_departments(uow, user.id, list(department_ids), primary_department_id)
    await do_record(uow, AuditAction.USER_CREATED, actor_id=actor.user_id if actor else None,
                    ip=actor.ip if actor else ip, target=user_target(user.id),
                    details={"username": username, "role": role.value})
    if org_policy.is_guest(role):
        await do_admit_guests(uow, actor, {user.id: list(dict.fromkeys(department_ids))},
                              via="user_created", ip=ip)
    uow.emit(UserCreated(user=await user_out(uow, user)), person_readers(user.id))
    return user


async def do_update_user(uow: UnitOfWork, actor: Actor, user: User, changes: UserUpdate) -> None:
    """Apply the fields present in `changes`, each under its own permission rule."""
    if user.bot:
        raise Forbidden("A system account is not edited.", code="system_account")
    given = changes.model_fields_set
    target_role = Role(user.role)
    administers = org_policy.can_administer_user(actor, target_role)
    admin_fields = {"role", "active", "department_ids", "primary_department_id"}
    if given & admin_fields and not administers:
        raise Forbidden("Only an administrator can change roles, departments or accounts.")
    if not org_policy.can_edit_profile(actor, user.id, target_role):
        raise Forbidden("You can only edit your own profile.")
    # A guest's departments (a new role's or new departments) make them an insider.
    may_open_departments = bool(given & {"role", "department_ids"})
    departments_before = ((await queries.memberships_of(uow, [user.id]))[user.id].department_ids
                          if may_open_departments else [])

    profile = {"display_name", "email", "phone", "title", "avatar_url"} & given
    if "display_name" in profile and changes.display_name is None:
        raise Invalid("A display name is required.")
    if "email" in profile:
        await check_unique_identity(uow, username=None, email=changes.email,
                                    except_user_id=user.id)
    if "display_name" in profile and changes.display_name is not None:
        await check_display_name_free(uow, changes.display_name, except_user_id=user.id)
    changed = [f for f in sorted(profile) if getattr(user, f) != getattr(changes, f)]
    for field in sorted(profile):
        setattr(user, field, getattr(changes, field))
    if changed:
        user.setup_account = False  # someone gave it a person's details
    if profile:
        refresh_search_fields(user)
        await do_record(uow, AuditAction.USER_UPDATED, actor_id=actor.user_id, ip=actor.ip,
                        target=user_target(user.id), details={"fields": sorted(profile)})

    if "role" in given and changes.role is not None and changes.role != target_role:
        require(org_policy.can_grant_role(actor, changes.role),
                "Only an owner can make an owner.")
        if org_policy.is_owner(target_role):
            await _keep_an_owner(uow)
        user.role = changes.role.value
        changed.append("role")
        await uow.signal(CredentialsChanged(user.id))
        role_details: dict[str, object] = {"from": target_role.value, "to": changes.role.value}
        if not auth_policy.can_hold_api_tokens(changes.role):
            # Guests cannot make API tokens, so a guest keeps none: a script running on a
            # member's token must not go on with a member's reach after the demotion.
            # (auth revokes them: it imports org, so org asks it through a signal.)
            revoked = [token_id for answer in await uow.signal(UserDemotedToGuest(actor, user.id))
                       for token_id in answer]
            role_details["api_tokens_revoked"] = revoked
        await do_record(uow, AuditAction.USER_ROLE_CHANGED, actor_id=actor.user_id, ip=actor.ip,
                        target=user_target(user.id), details=role_details)
        if org_policy.is_owner(target_role):
            await uow.flush()
            await _check_owner_remains(uow)

    if "active" in given and changes.active is not None and changes.active != user.active:
        await _set_active(uow, actor, user, changes.active)
        changed.append("active")

    if given & {"department_ids", "primary_department_id"}:
        current = (await queries.memberships_of(uow, [user.id]))[user.id]
        department_ids = (changes.department_ids if changes.department_ids is not None
                          else current.department_ids)
        await set_user_departments(uow, user.id, department_ids, changes.primary_department_id)
        changed += ["department_ids", "primary_department_id"]
        await do_record(uow, AuditAction.USER_DEPARTMENTS_CHANGED, actor_id=actor.user_id,
                        ip=actor.ip, target=user_target(user.id),
                        details={"department_ids": department_ids})

    if may_open_departments and org_policy.is_guest(Role(user.role)):
        after = (await queries.memberships_of(uow, [user.id]))[user.id].department_ids
        opened = [d for d in after
                  if not org_policy.is_guest(target_role) or d not in departments_before]
        await do_admit_guests(uow, actor, {user.id: opened}, via="user_update")
    if changed:
        uow.emit(UserUpdated(user=await user_out(uow, user), changed=changed),
                 person_readers(user.id))


async def _set_active(uow: UnitOfWork, actor: Actor, user: User, active: bool) -> None:
    if not active and user.id == actor.user_id:
        raise Invalid("You cannot deactivate your own account.")
    user.active = active
    if active:
        await do_record(uow, AuditAction.USER_REACTIVATED, actor_id=actor.user_id, ip=actor.ip,
                        target=user_target(user.id))
        return
    if org_policy.is_owner(Role(user.role)):
        await _keep_an_owner(uow)
        await uow.flush()
        await _check_owner_remains(uow)
    # A deactivated person's sessions and tokens die with the account, at once.
    ended = sum(await uow.signal(UserDeactivated(user.id)))
    await do_record(uow, AuditAction.USER_DEACTIVATED, actor_id=actor.user_id, ip=actor.ip,
                    target=user_target(user.id), details={"credentials_revoked": ended})


async def _keep_an_owner(uow: UnitOfWork) -> None:
    # Owner changes are rare; serialising them makes "is there another owner?" race-free.
    await uow.lock("org:owners")


async def _check_owner_remains(uow: UnitOfWork) -> None:
    if await queries.active_owner_count(uow) == 0:
        raise Invalid("The organisation must keep at least one active owner.", code="last_owner")


async def do_admit_guests(uow: UnitOfWork, actor: Actor | None,
                          departments_by_guest: dict[int, list[int]], *, via: str,
                          ip: str | None = None) -> None:
    """Let guests into departments (`departments_by_guest`: guest id to the departments
    newly opened to them) or refuse: a department's channel, history and people are
    insiders' (`policy.org.can_put_guest_in_department`). Each admission is audited. `actor`
    None is the operator at the server's console. Call before or with the change, in its
    unit of work."""
    opened = {g: d for g, d in sorted(departments_by_guest.items()) if d}
    if not opened:
        return
    if actor is not None and not org_policy.can_put_guest_in_department(actor):
        raise Forbidden("Only administrators put a guest into a department: it opens the "
                        "department's channel, history and people to them.",
                        code="guest_needs_admin", details={"user_ids": sorted(opened)})
    for guest_id, department_ids in opened.items():
        await do_record(uow, AuditAction.GUEST_ADMITTED,
                        actor_id=actor.user_id if actor else None,
                        ip=actor.ip if actor else ip, target=user_target(guest_id),
                        details={"department_ids": department_ids, "via": via})


async def set_user_departments(uow: UnitOfWork, user_id: int, department_ids: list[int],
                                primary_department_id: int | None) -> None:
    wanted = list(dict.fromkeys(department_ids))
    missing = set(wanted) - await queries.department_exists(uow, wanted)
    if missing:
        raise Invalid("Unknown department.", details={"department_ids": sorted(missing)})
    if primary_department_id is not None and primary_department_id not in wanted:
        raise Invalid("The primary department must be one of the person's departments.")
    primary = primary_department_id if primary_department_id is not None else (
        wanted[0] if wanted else None)
    before = (await queries.memberships_of(uow, [user_id]))[user_id].department_ids
    await uow.session.execute(delete(DepartmentMember).where(DepartmentMember.user_id == user_id))
    await uow.flush()
    uow.session.add_all(DepartmentMember(department_id=d, user_id=user_id, is_primary=d == primary)
                        for d in wanted)
    if wanted:
        await _known_as_people(uow, [user_id])
    await uow.flush()
    await uow.signal(DepartmentMembershipChanged(user_ids=(user_id,)))
    for department_id in sorted(set(before) ^ set(wanted)):
        joined = department_id in wanted
        uow.emit(DepartmentMembersChanged(department_id=department_id,
                                          added=[user_id] if joined else [],
                                          removed=[] if joined else [user_id]),
                 department_readers(department_id))


async def _known_as_people(uow: UnitOfWork, user_ids: Collection[int]) -> None:
    """A setup account put in a department is someone's: it joins the directory."""
    if user_ids:
        await uow.session.execute(update(User).where(User.id.in_(user_ids), User.setup_account)
                                  .values(setup_account=False))


async def ensure_first_owner(uow: UnitOfWork, *, username: str, display_name: str,
                             password: str, passwords: Passwords) -> User | None:
    """Create the first owner when nobody exists yet (a setup account: see the model);
    return it, or None when people exist."""
    await uow.lock("org:owners")
    if await queries.count_users(uow):
        return None
    owner = await do_create_user(uow, None, username=username, display_name=display_name,
                                 password=password, passwords=passwords, role=Role.OWNER,
                                 setup_account=True)
    await do_record(uow, AuditAction.PASSWORD_GENERATED, actor_id=None, ip=None,
                    target=user_target(owner.id))
    return owner


# --- departments --------------------------------------------------------------------------

async def _check_sibling_name_free(uow: UnitOfWork, name: str, parent_id: int | None,
                                   except_id: int | None = None) -> None:
    query = select(Department.id).where(Department.name == name,
                                        func.coalesce(Department.parent_id, 0) == (parent_id or 0))
    found = await uow.session.scalar(query)
    if found is not None and found != except_id:
        raise Conflict("A department with that name already exists at that level.",
                       code="name_taken")


async def _check_people_exist(uow: UnitOfWork, user_ids: Iterable[int], field: str) -> list[int]:
    wanted = list(dict.fromkeys(user_ids))
    # A system account is nobody's member or manager: named, it is as unknown as a stranger.
    missing = (set(wanted) - await queries.existing_user_ids(uow, wanted)
               | await queries.bot_ids(uow, wanted))
    if missing:
        raise Invalid("Unknown person.", details={field: sorted(missing)})
    return wanted


async def _set_managers(uow: UnitOfWork, department_id: int, manager_ids: list[int]) -> None:
    await uow.session.execute(
        delete(DepartmentManager).where(DepartmentManager.department_id == department_id))
    uow.session.add_all(DepartmentManager(department_id=department_id, user_id=u)
                        for u in manager_ids)
    await uow.flush()


async def do_create_department(uow: UnitOfWork, actor: Actor, *, name: str,
                               parent_id: int | None, manager_ids: Iterable[int] = (),
                               position: int | None = None) -> Department:
    require(org_policy.can_manage_org(actor), "Only administrators create departments.")
    await uow.lock(TREE_LOCK)
    if parent_id is not None and not await queries.department_exists(uow, [parent_id]):
        raise Invalid("The parent department does not exist.", details={"parent_id": parent_id})
    await _check_sibling_name_free(uow, name, parent_id)
    managers = await _check_people_exist(uow, manager_ids, "manager_ids")
    if position is None:
        last = await uow.session.scalar(
            select(func.max(Department.position))
            .where(func.coalesce(Department.parent_id, 0) == (parent_id or 0)))
        position = (last or 0) + 1
    department = Department(name=name, parent_id=parent_id, position=position)
    uow.session.add(department)
    await uow.flush()
    await _set_managers(uow, department.id, managers)
    # Its documents space is made with it.
    await uow.signal(DepartmentNamed(department.id, name, created=True,
                                     actor_id=actor.user_id))
    await do_record(uow, AuditAction.DEPARTMENT_CREATED, actor_id=actor.user_id, ip=actor.ip,
                    target=department_target(department.id),
                    details={"name": name, "parent_id": parent_id, "manager_ids": managers})
    uow.emit(DepartmentCreated(department=await department_out(uow, department)),
             department_readers(department.id))
    return department


async def do_update_department(uow: UnitOfWork, actor: Actor, department: Department,
                               changes: DepartmentUpdate) -> None:
    """Rename, move, reorder or change managers. A move under its own subtree is refused."""
    require(org_policy.can_manage_org(actor), "Only administrators change departments.")
    await uow.lock(TREE_LOCK)
    given = changes.model_fields_set
    record: dict[str, object] = {}
    new_parent = changes.parent_id if "parent_id" in given else department.parent_id
    if new_parent != department.parent_id:
        parents = queries.parent_map(await queries.all_departments(uow))
        if new_parent is not None and new_parent not in parents:
            raise Invalid("The new parent department does not exist.",
                          details={"parent_id": new_parent})
        if new_parent is not None and department.id in queries.ancestors_and_self(parents,
                                                                                  new_parent):
            raise Invalid("A department cannot move under itself or its own sub-department.",
                          code="department_cycle")
        record["parent_id"] = {"from": department.parent_id, "to": new_parent}
    new_name = changes.name if changes.name is not None else department.name
    if new_name != department.name or new_parent != department.parent_id:
        await _check_sibling_name_free(uow, new_name, new_parent, except_id=department.id)
    if new_name != department.name:
        record["name"] = {"from": department.name, "to": new_name}
    department.name, department.parent_id = new_name, new_parent
    if changes.position is not None and changes.position != department.position:
        record["position"] = changes.position
        department.position = changes.position
    if changes.manager_ids is not None:
        managers = await _check_people_exist(uow, changes.manager_ids, "manager_ids")
        await _set_managers(uow, department.id, managers)
        record["manager_ids"] = managers
    if record:
        await uow.flush()
        if "parent_id" in record:
            # Department channels above and below the moved subtree gain or lose people.
            await uow.signal(DepartmentMembershipChanged(user_ids=()))
        if "name" in record:
            await uow.signal(DepartmentNamed(department.id, department.name, created=False,
                                             actor_id=actor.user_id))
        await do_record(uow, AuditAction.DEPARTMENT_UPDATED, actor_id=actor.user_id, ip=actor.ip,
                        target=department_target(department.id), details=record)
        uow.emit(DepartmentUpdated(department=await department_out(uow, department),
                                   changed=sorted(record)),
                 department_readers(department.id))


async def do_delete_department(uow: UnitOfWork, actor: Actor, department: Department) -> None:
    require(org_policy.can_manage_org(actor), "Only administrators delete departments.")
    await uow.lock(TREE_LOCK)
    has_child = await uow.session.scalar(
        select(Department.id).where(Department.parent_id == department.id).limit(1))
    if has_child is not None or await queries.member_ids(uow, department.id):
        raise Conflict("Move its sub-departments and people elsewhere first.",
                       code="department_not_empty")
    await do_record(uow, AuditAction.DEPARTMENT_DELETED, actor_id=actor.user_id, ip=actor.ip,
                    target=department_target(department.id), details={"name": department.name})
    await uow.signal(DepartmentRemoving(department.id, actor_id=actor.user_id))
    department_id = department.id
    await uow.session.delete(department)
    await uow.flush()
    uow.emit(DepartmentDeleted(department_id=department_id), department_readers(department_id))


async def do_set_department_members(uow: UnitOfWork, actor: Actor, department: Department,
                                    user_ids: Iterable[int]) -> list[int]:
    """Make exactly `user_ids` the direct members. People who leave their primary department
    get another of theirs as primary; people who had none get this one."""
    parents = queries.parent_map(await queries.all_departments(uow))
    managed = await queries.departments_managed_by(uow, actor.user_id)
    chain = set(queries.ancestors_and_self(parents, department.id)) & managed
    require(org_policy.can_manage_department_members(actor, chain),
            "Only administrators and this department's managers set its members.")
    wanted = await _check_people_exist(uow, user_ids, "user_ids")
    current = set(await queries.member_ids(uow, department.id))
    leaving, joining = current - set(wanted), [u for u in wanted if u not in current]
    # A manager keeps or removes a guest an admin let in, but cannot let one in.
    await do_admit_guests(uow, actor, {g: [department.id]
                                       for g in await queries.guest_ids(uow, joining)},
                          via="department_members")
    if leaving:
        await uow.session.execute(delete(DepartmentMember).where(
            DepartmentMember.department_id == department.id,
            DepartmentMember.user_id.in_(leaving)))
        await uow.flush()
    memberships = await queries.memberships_of(uow, [*leaving, *joining])
    await _known_as_people(uow, joining)
    for user_id in joining:
        uow.session.add(DepartmentMember(
            department_id=department.id, user_id=user_id,
            is_primary=memberships[user_id].primary_department_id is None))
    for user_id in leaving:
        remaining = memberships[user_id]
        if remaining.primary_department_id is None and remaining.department_ids:
            promoted = await uow.session.get(DepartmentMember,
                                             (remaining.department_ids[0], user_id))
            if promoted is not None:
                promoted.is_primary = True
    await uow.flush()
    await do_record(uow, AuditAction.DEPARTMENT_MEMBERS_SET, actor_id=actor.user_id, ip=actor.ip,
                    target=department_target(department.id),
                    details={"added": joining, "removed": sorted(leaving)})
    await uow.signal(DepartmentMembershipChanged(user_ids=tuple(sorted({*joining, *leaving}))))
    if joining or leaving:
        uow.emit(DepartmentMembersChanged(department_id=department.id, added=joining,
                                          removed=sorted(leaving)),
                 department_readers(department.id))
    return wanted
