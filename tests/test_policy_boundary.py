"""Permission rules live in `xietong.policy` only: a role compared anywhere else fails here.

The checker reads the source (`ast`), so it catches a rule on a line no test runs. What
counts as a role comparison:

- a `Role` or `MemberRole` member (`Role.GUEST`, `MemberRole.ADMIN.value`) inside a
  comparison (`==`, `!=`, `in`, `is`, `<` …) or a `match` pattern;
- a `.role` attribute (`actor.role`, `User.role`, `member.role.value`) compared with a
  literal (`"guest"`, `("owner", "admin")`), or as a `match` subject, or with a method
  called on it (`User.role.in_(...)`, `.role.__eq__(...)`): the SQL and dunder spellings
  of the same rule;
- `.is_admin`, used in any way.

Two roles compared with each other (`changes.role != target_role`: is the role changing?)
and a role checked for None are not rules and pass. Building a role (`Role(user.role)`,
`role=Role.OWNER`) passes too.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from xietong.chat.models import ChannelKind, MemberRole
from xietong.policy import chat as chat_policy

SOURCE = Path(__file__).resolve().parents[1] / "src" / "xietong"

# Where role comparisons belong (paths relative to src/xietong). Keep this short: each
# entry is a place where comparing roles is the point.
ALLOWED = (
    "policy/",  # the rules themselves
    "core/actor.py",  # defines Role and Actor.is_admin (the one comparison is_admin makes)
)

ROLE_ENUMS = frozenset({"Role", "MemberRole"})


@dataclass(frozen=True, slots=True)
class Violation:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def _is_role_member(node: ast.AST) -> bool:
    """`Role.GUEST` (or `MemberRole.ADMIN`), however it is reached."""
    return (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id in ROLE_ENUMS and node.attr.isupper())


def _mentions_role_member(node: ast.AST) -> bool:
    return any(_is_role_member(n) for n in ast.walk(node))


def _mentions_role_attribute(node: ast.AST) -> bool:
    """`x.role`, `x.role.value`, `Role(x.role)`: the operand is someone's role."""
    return any(isinstance(n, ast.Attribute) and n.attr == "role" for n in ast.walk(node))


def _is_literal(node: ast.AST) -> bool:
    """A constant other than None, or a tuple, list or set of them."""
    if isinstance(node, ast.Constant):
        return node.value is not None
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return bool(node.elts) and all(_is_literal(e) for e in node.elts)
    return False


def role_comparisons(source: str, path: str = "<string>") -> list[Violation]:
    """Every role comparison in `source` (Python code), by line."""
    found: list[Violation] = []
    for node in ast.walk(ast.parse(source, filename=path)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_mentions_role_member(o) for o in operands):
                found.append(Violation(path, line, "a Role member compared"))
            elif (any(_mentions_role_attribute(o) for o in operands)
                  and any(_is_literal(o) for o in operands)):
                found.append(Violation(path, line, ".role compared with a literal"))
        elif isinstance(node, ast.Attribute) and node.attr == "is_admin":
            found.append(Violation(path, line, ".is_admin used"))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and isinstance(node.func.value, ast.Attribute)
              and node.func.value.attr == "role"):
            found.append(Violation(path, line, f"a method of .role called ({node.func.attr})"))
        elif isinstance(node, ast.Match) and (
                _mentions_role_attribute(node.subject)
                or any(_mentions_role_member(case.pattern) for case in node.cases)):
            found.append(Violation(path, line, "a role matched"))
    return sorted(found, key=lambda v: v.line)


def violations_under(root: Path, allowed: tuple[str, ...] = ALLOWED) -> list[Violation]:
    """Role comparisons in the Python files under `root`, outside the `allowed` paths."""
    found: list[Violation] = []
    for file in sorted(root.rglob("*.py")):
        relative = file.relative_to(root).as_posix()
        if relative.startswith("migrations/") or any(
                relative == a or (a.endswith("/") and relative.startswith(a))
                for a in allowed):
            continue
        found.extend(role_comparisons(file.read_text(encoding="utf-8"), relative))
    return found


def test_role_comparisons_live_in_policy_only() -> None:
    found = violations_under(SOURCE)
    assert not found, ("Permission rules belong in xietong/policy/<domain>.py, named as "
                       "questions; move these there:\n" + "\n".join(map(str, found)))


def test_the_checker_catches_a_planted_rule(tmp_path: Path) -> None:
    """A copy of a small tree: rules planted in a domain are found, the same lines in
    policy/ and core/actor.py are not, and what is no rule passes."""
    (tmp_path / "policy").mkdir()
    (tmp_path / "chat").mkdir()
    (tmp_path / "core").mkdir()
    planted = (
        "from xietong.core.actor import Role\n"
        "def may_post(actor, member, user):\n"
        "    if actor.role == Role.GUEST:\n"                       # 3
        "        return False\n"
        "    if member.role == 'admin':\n"                         # 5
        "        return True\n"
        "    if actor.is_admin:\n"                                 # 7
        "        return True\n"
        "    if actor.role in (Role.OWNER, Role.ADMIN):\n"         # 9
        "        return True\n"
        "    q = select(User).where(User.role.in_(['owner']))\n"   # 11
        "    match actor.role:\n"                                  # 12
        "        case Role.MEMBER:\n"
        "            return True\n"
        "    return user.role.value != 'guest'\n"                  # 15
    )
    harmless = (
        "from xietong.core.actor import Role\n"
        "def change(user, changes, target_role):\n"
        "    if changes.role is not None and changes.role != target_role:\n"
        "        user.role = changes.role.value\n"
        "    return Role(user.role), make(role=Role.OWNER)\n"
    )
    (tmp_path / "chat" / "actions.py").write_text(planted)
    (tmp_path / "chat" / "views.py").write_text(harmless)
    (tmp_path / "policy" / "chat.py").write_text(planted)
    (tmp_path / "core" / "actor.py").write_text(planted)
    found = violations_under(tmp_path)
    assert [(v.path, v.line) for v in found] == [
        ("chat/actions.py", n) for n in (3, 5, 7, 9, 11, 12, 15)]
    # And the same checker, with nothing allowed, finds the planted lines in policy/ too.
    assert {v.path for v in violations_under(tmp_path, allowed=())} == {
        "chat/actions.py", "policy/chat.py", "core/actor.py"}


def test_the_checker_reads_source_strings() -> None:
    assert role_comparisons("ok = actor.role != Role.GUEST\n")
    assert role_comparisons("ok = 'guest' == actor.role\n")
    assert not role_comparisons("ok = actor.role is None\n")


def test_chat_policy_names_the_stored_values() -> None:
    """`policy.chat` compares kinds and member roles as strings (it imports no domain):
    they must be the values chat stores."""
    named = (chat_policy.PUBLIC, chat_policy.DEPARTMENT, chat_policy.ANNOUNCEMENT,
             chat_policy.DM, chat_policy.CHANNEL_ADMIN)
    stored = (ChannelKind.PUBLIC.value, ChannelKind.DEPARTMENT.value,
              ChannelKind.ANNOUNCEMENT.value, ChannelKind.DM.value, MemberRole.ADMIN.value)
    assert named == stored
