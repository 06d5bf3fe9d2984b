"""Adding people in bulk from a spreadsheet (CSV or XLSX), with a dry run first.

The columns are found by their headers, Chinese or English (姓名 or name, 部门 or
department …; `COLUMNS`); only 姓名 is required. Each row is checked by the rules that
adding one person follows (`core.text`'s names, usernames, addresses; no name an active
colleague has; no username or address someone has) and against the other rows; a
department is written as its path from the top (研发部/后端组), or by its name alone when
no other department has it; several are separated by ";" (the first is the primary one).
A username left empty is made from the name's pinyin (张伟: zhangwei, then zhangwei2 …).
A cell that starts like a spreadsheet formula (=, +, -, @) is refused: it is no name, and
would run as a formula in whoever's spreadsheet it is exported to next.

**All or nothing.** The real run adds every row in one transaction, or none: a file with
any problem is refused whole (and the dry run says which rows, and why). Half an import
would leave the administrator to find out which half, and to fix the file so the rest
can be imported without the first half twice. The rows are checked again in the writing
transaction, so someone added meanwhile cannot slip in between the check and the write.

Each person gets a generated password, answered once in the reply (for the administrator
to hand out) and stored only as a hash (`core.security.Passwords.hash_generated`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import TypeAdapter, ValidationError
from pypinyin import Style, lazy_pinyin
from sqlalchemy import select

from xietong.audit.actions import AuditAction, do_record, user_target
from xietong.core.actor import Actor, Role
from xietong.core.errors import Invalid
from xietong.core.security import Passwords, generate_password
from xietong.core.signals import DepartmentMembershipChanged
from xietong.core.text import DisplayName, Email, Phone, ShortText, Username, same_name_key
from xietong.core.uow import UnitOfWork
from xietong.org import queries
from xietong.org.actions import IDENTITY_LOCK, do_admit_guests, new_user
from xietong.org.events import (
    DepartmentMembersChanged,
    UserCreated,
    department_readers,
    person_readers,
)
from xietong.org.models import DepartmentMember, User
from xietong.org.schemas import (
    DepartmentRef,
    ImportedAccount,
    ImportProblem,
    ImportReport,
    ImportRow,
)
from xietong.org.spreadsheets import Table
from xietong.org.views import department_path, users_out
from xietong.policy import org as org_policy
from xietong.policy import require

# Each field and the headers it is read from (compared folded: case, width, spaces,
# underscores, "*" and notes in brackets ignored, so "姓名*" and "Display_Name" match).
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "显示名称", "显示名", "name", "display name", "full name"),
    "username": ("用户名", "账号", "帐号", "登录名", "username", "user name", "login",
                 "account"),
    "email": ("邮箱", "电子邮箱", "电子邮件", "邮件", "email", "e-mail", "mail"),
    "phone": ("手机", "手机号", "手机号码", "电话", "联系电话", "phone", "mobile",
              "telephone"),
    "department": ("部门", "所属部门", "department", "departments", "dept"),
    "title": ("职位", "职务", "岗位", "title", "job title", "position"),
    "role": ("角色", "权限", "role"),
}

ROLES: dict[str, Role] = {
    "成员": Role.MEMBER, "普通成员": Role.MEMBER, "员工": Role.MEMBER, "member": Role.MEMBER,
    "管理员": Role.ADMIN, "admin": Role.ADMIN, "administrator": Role.ADMIN,
    "访客": Role.GUEST, "外部": Role.GUEST, "外部访客": Role.GUEST, "guest": Role.GUEST,
    "所有者": Role.OWNER, "owner": Role.OWNER,
}

_DEPARTMENT_SEPARATORS = re.compile(r"[;；\n]")
_PATH_SEPARATORS = re.compile(r"\s*[/／>＞]\s*")
_USERNAME_MAX = 32
# A name with one of these problems makes no username either.
_NAME_UNUSABLE = frozenset({"name_missing", "name_invalid", "formula"})

_display_name = TypeAdapter(DisplayName)
_username = TypeAdapter(Username)
_email = TypeAdapter(Email)
_phone = TypeAdapter(Phone)
_title = TypeAdapter(ShortText)


def _fold_header(header: str) -> str:
    header = unicodedata.normalize("NFKC", header).lower()
    header = re.sub(r"\(.*?\)|\[.*?\]", "", header)
    return re.sub(r"[\s_*:-]", "", header)


_HEADERS = {_fold_header(alias): name for name, aliases in COLUMNS.items() for alias in aliases}


def match_columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Which column each field is in, and the headers of the columns nobody reads.
    Refuses a file without a name column, or with a field in two columns."""
    found: dict[str, int] = {}
    ignored = []
    for index, text in enumerate(header):
        name = _HEADERS.get(_fold_header(text))
        if name is None:
            if text:
                ignored.append(text)
            continue
        if name in found:
            raise Invalid(f"Two columns hold the {name}: {header[found[name]]!r} and {text!r}.",
                          code="import_duplicate_column",
                          details={"field": name, "headers": [header[found[name]], text]})
        found[name] = index
    if "name" not in found:
        raise Invalid("The file has no name column (姓名 or name) in its first row.",
                      code="import_missing_column", details={"field": "name"})
    return found, ignored


def is_header(cells: list[str]) -> bool:
    """Does this row name the columns (it has a name column)? Rows above it are passed over."""
    return any(_HEADERS.get(_fold_header(cell)) == "name" for cell in cells)


def looks_like_formula(value: str, field_name: str) -> bool:
    """Would a spreadsheet take this cell for a formula? (A phone number may start with +.)"""
    if not value:
        return False
    return value[0] in "=@" or (value[0] in "+-" and field_name != "phone")


@dataclass
class Candidate:
    """One row on its way to becoming a person."""

    row: int
    display_name: str
    username: str = ""
    username_generated: bool = False
    email: str | None = None
    phone: str | None = None
    title: str | None = None
    role: Role | None = Role.MEMBER
    departments: list[DepartmentRef] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    def refuse(self, field_name: str, code: str, message: str, **params: str | int) -> None:
        self.problems.append(ImportProblem(field=field_name, code=code, message=message,
                                           params=params))


@dataclass(frozen=True, slots=True)
class Directory:
    """What the rows are checked against: who and what exists now."""

    usernames: set[str]
    emails: set[str]
    name_keys: set[str]
    # Each department's path from the top, and the departments known by each name.
    paths: dict[int, list[str]]
    by_path: dict[tuple[str, ...], int]
    by_name: dict[str, list[int]]


async def _directory(uow: UnitOfWork) -> Directory:
    departments = await queries.all_departments(uow)
    names = {d.id: d.name for d in departments}
    parents = queries.parent_map(departments)
    paths = {d.id: department_path(names, parents, d.id) for d in departments}
    by_name: dict[str, list[int]] = defaultdict(list)
    for department in departments:
        by_name[_fold_name(department.name)].append(department.id)
    # Every username, not only the file's: generated ones need to know which are free. (Two
    # narrow columns, read once per import.)
    usernames = set(await uow.session.scalars(select(User.username)))
    emails = set(await uow.session.scalars(select(User.email).where(User.email.is_not(None))))
    return Directory(
        usernames=usernames, emails={e for e in emails if e},
        name_keys={same_name_key(name) for _, name in await queries.active_display_names(uow)},
        paths=paths,
        by_path={tuple(_fold_name(part) for part in path): d for d, path in paths.items()},
        by_name=dict(by_name))


def _fold_name(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold().strip()


def _first_error(error: ValidationError) -> str:
    return str(error.errors()[0]["msg"])


def _read_row(number: int, cells: list[str], columns: Mapping[str, int],
              actor: Actor, directory: Directory) -> Candidate:
    """A row checked on its own and against the directory (not yet against other rows)."""
    def cell(name: str) -> str:
        return cells[columns[name]].strip() if name in columns else ""

    raw_name = cell("name")
    candidate = Candidate(row=number, display_name=raw_name)
    for name in COLUMNS:
        if looks_like_formula(cell(name), name):
            candidate.refuse(name, "formula", "Starts like a spreadsheet formula (= + - @).")
    formulas = {problem.field for problem in candidate.problems}

    if not raw_name:
        candidate.refuse("name", "name_missing", "The name is empty.")
    elif "name" not in formulas:
        try:
            candidate.display_name = _display_name.validate_python(raw_name)
        except ValidationError as error:
            candidate.refuse("name", "name_invalid", _first_error(error))
        else:
            if same_name_key(candidate.display_name) in directory.name_keys:
                candidate.refuse("name", "name_taken", "An active colleague has this name.")

    candidate.username = cell("username")
    if candidate.username and "username" not in formulas:
        try:
            candidate.username = _username.validate_python(candidate.username)
        except ValidationError as error:
            candidate.refuse("username", "username_invalid", _first_error(error))
        else:
            if candidate.username in directory.usernames:
                candidate.refuse("username", "username_taken", "That username is taken.")

    for name, adapter, taken in (("email", _email, directory.emails),
                                 ("phone", _phone, None), ("title", _title, None)):
        value = cell(name)
        if not value or name in formulas:
            setattr(candidate, name, value or None)
            continue
        try:
            cleaned = adapter.validate_python(value)
        except ValidationError as error:
            setattr(candidate, name, value)
            candidate.refuse(name, f"{name}_invalid", _first_error(error))
            continue
        setattr(candidate, name, cleaned)
        if taken is not None and cleaned in taken:
            candidate.refuse(name, f"{name}_taken", "That email address belongs to someone.")

    role_text = cell("role")
    if role_text and "role" not in formulas:
        candidate.role = ROLES.get(_fold_name(role_text))
        if candidate.role is None:
            candidate.refuse("role", "role_unknown", "Unknown role.", value=role_text)
        elif not org_policy.can_grant_role(actor, candidate.role):
            candidate.refuse("role", "role_forbidden", "Only an owner can make an owner.")

    if "department" not in formulas:
        _read_departments(candidate, cell("department"), directory)
    return candidate


def _read_departments(candidate: Candidate, text: str, directory: Directory) -> None:
    for written in (part.strip() for part in _DEPARTMENT_SEPARATORS.split(text)):
        if not written:
            continue
        path = tuple(_fold_name(p) for p in _PATH_SEPARATORS.split(written.strip("/／ ")))
        found = directory.by_path.get(path)
        if found is None and len(path) == 1:
            named = directory.by_name.get(path[0], [])
            if len(named) > 1:
                candidate.refuse("department", "department_ambiguous",
                                 "Several departments have this name: write its path.",
                                 value=written, paths="; ".join(
                                     "/".join(directory.paths[d]) for d in named))
                continue
            found = named[0] if named else None
        if found is None:
            candidate.refuse("department", "department_unknown", "No such department.",
                             value=written)
        elif all(d.id != found for d in candidate.departments):
            candidate.departments.append(DepartmentRef(id=found, path=directory.paths[found]))


def _username_base(display_name: str) -> str:
    """The name's pinyin as a username (张伟: zhangwei; Alex Chen: alexchen), or ""."""
    letters = "".join(lazy_pinyin(display_name, style=Style.NORMAL))
    ascii_only = unicodedata.normalize("NFKD", letters).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]", "", ascii_only.lower())
    return base[:_USERNAME_MAX - 3]


def _check_against_each_other(candidates: list[Candidate], directory: Directory) -> None:
    """Duplicates within the file (the later row is refused, naming the first), then the
    usernames left empty, made from pinyin and kept clear of every other."""
    first: dict[tuple[str, str], int] = {}
    for candidate in candidates:
        keys = [("name", same_name_key(candidate.display_name)) if candidate.display_name
                else None,
                ("username", candidate.username) if candidate.username else None,
                ("email", candidate.email) if candidate.email else None]
        for key in filter(None, keys):
            if key in first:
                candidate.refuse(key[0], f"{key[0]}_duplicate",
                                 f"Row {first[key]} has the same {key[0]}.", row=first[key])
            else:
                first[key] = candidate.row
    taken = directory.usernames | {c.username for c in candidates if c.username}
    for candidate in candidates:
        if candidate.username or any(
                p.field == "username" or (p.field == "name" and p.code in _NAME_UNUSABLE)
                for p in candidate.problems):
            continue
        base = _username_base(candidate.display_name)
        if len(base) < 2:
            candidate.refuse("username", "username_missing",
                             "No username can be made from this name: give one.")
            continue
        username, n = base, 1
        while username in taken:
            n += 1
            username = f"{base}{n}"
        taken.add(username)
        candidate.username, candidate.username_generated = username, True


async def check_import(uow: UnitOfWork, actor: Actor, table: Table) -> list[Candidate]:
    """Every row of `table` as it would be added, with its problems. Writes nothing."""
    require(org_policy.can_import_people(actor), "Only administrators add people.")
    columns, _ = match_columns(table.header)
    directory = await _directory(uow)
    candidates = [_read_row(number, cells, columns, actor, directory)
                  for number, cells in table.rows]
    _check_against_each_other(candidates, directory)
    return candidates


async def new_passwords(passwords: Passwords, table: Table) -> dict[int, tuple[str, str]]:
    """A generated password and its hash for each row of `table`, by row number: made
    before the writing transaction, so it is not held while they are hashed."""
    made = {}
    for number, _ in table.rows:
        password = generate_password()
        made[number] = (password, await passwords.hash_generated(password))
    return made


def report(table: Table, candidates: list[Candidate], *, dry_run: bool,
           created: list[ImportedAccount] | None = None) -> ImportReport:
    columns, ignored = match_columns(table.header)
    rows = [ImportRow(row=c.row, display_name=c.display_name, username=c.username,
                      username_generated=c.username_generated, email=c.email, phone=c.phone,
                      title=c.title, role=c.role, departments=c.departments,
                      problems=c.problems)
            for c in candidates]
    with_problems = sum(1 for c in candidates if c.problems)
    return ImportReport(dry_run=dry_run, file_kind=table.kind,
                        columns={name: table.header[index] for name, index in columns.items()},
                        ignored_columns=ignored, rows=rows,
                        ready=len(candidates) - with_problems, with_problems=with_problems,
                        created=created or [])


async def do_import_people(uow: UnitOfWork, actor: Actor, table: Table, *,
                           passwords: Mapping[int, tuple[str, str]], file_name: str | None
                           ) -> ImportReport:
    """Add every row of `table`, or refuse the whole file (`import_has_problems`, the
    report in the details) when any row has a problem now. `passwords` holds each row's
    (password, hash), made before the transaction; the reply names each person once with
    their password."""
    await uow.lock(IDENTITY_LOCK)
    candidates = await check_import(uow, actor, table)
    if any(c.problems for c in candidates):
        found = report(table, candidates, dry_run=False)
        raise Invalid("Some rows cannot be added; nothing was imported.",
                      code="import_has_problems", details=found.model_dump(mode="json"))
    users = [new_user(username=c.username, display_name=c.display_name, email=c.email,
                      phone=c.phone, title=c.title, role=c.role or Role.MEMBER,
                      password_hash=passwords[c.row][1])
             for c in candidates]
    uow.session.add_all(users)
    await uow.flush()
    # Memberships in bulk, and department channels follow once for the whole file.
    joined: dict[int, list[int]] = defaultdict(list)
    for user, candidate in zip(users, candidates, strict=True):
        for index, department in enumerate(candidate.departments):
            uow.session.add(DepartmentMember(department_id=department.id, user_id=user.id,
                                             is_primary=index == 0))
            joined[department.id].append(user.id)
    await uow.flush()
    await uow.signal(DepartmentMembershipChanged(user_ids=tuple(u.id for u in users)))
    for user in users:
        await do_record(uow, AuditAction.USER_CREATED, actor_id=actor.user_id, ip=actor.ip,
                        target=user_target(user.id),
                        details={"username": user.username, "role": user.role,
                                 "via": "import"})
    guests = {u.id: [d.id for d in c.departments]
              for u, c in zip(users, candidates, strict=True)
              if org_policy.is_guest(Role(u.role))}
    await do_admit_guests(uow, actor, guests, via="users_imported")
    await do_record(uow, AuditAction.USERS_IMPORTED, actor_id=actor.user_id, ip=actor.ip,
                    details={"file": file_name, "kind": table.kind, "created": len(users),
                             "user_ids": [u.id for u in users]})
    for out in await users_out(uow, users):
        uow.emit(UserCreated(user=out), person_readers(out.id))
    for department_id, user_ids in sorted(joined.items()):
        uow.emit(DepartmentMembersChanged(department_id=department_id, added=user_ids,
                                          removed=[]),
                 department_readers(department_id))
    created = [ImportedAccount(id=u.id, username=u.username, display_name=u.display_name,
                               password=passwords[c.row][0])
               for u, c in zip(users, candidates, strict=True)]
    return report(table, candidates, dry_run=False, created=created)
