"""Writers of the glossary. Every change of a term is recorded in its history, re-indexed
for search, told to whoever reads it (`glossary.term_changed`) and — when it changes what a
text can be matched against — gives the glossary a new revision, so every node's matcher
is rebuilt. None commits (the caller's unit of work does).

Glossary writes are serialised (`uow.lock`): a name is checked against every other term's
before it is written, so two people giving two terms one alias at once get a clean 409
naming the other term, not a constraint error (the unique index stays as the backstop)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete

from xietong.chat.actions import render_html
from xietong.chat.mentioning import ResolvedMentions
from xietong.core.actor import Actor, Role
from xietong.core.clock import utcnow
from xietong.core.db import table_of
from xietong.core.errors import Conflict, Invalid
from xietong.core.uow import UnitOfWork
from xietong.glossary import queries
from xietong.glossary.access import TermAccess, Viewer
from xietong.glossary.events import TermChanged, TermWithdrawn, audience_of
from xietong.glossary.matcher import STATE_ID
from xietong.glossary.models import (
    GlossaryName,
    GlossaryState,
    GlossaryTerm,
    GlossaryTermFollower,
    GlossaryTermOwner,
    GlossaryTermRevision,
    TermStatus,
    TermVisibility,
)
from xietong.glossary.normalise import normalise_name
from xietong.glossary.schemas import TermCreate, TermUpdate
from xietong.glossary.searching import do_index_term, do_unindex_term
from xietong.glossary.views import term_data
from xietong.org import queries as org_queries
from xietong.org.names import fold, label_search_text, sort_key_for
from xietong.policy import glossary as glossary_policy
from xietong.policy import require

GLOSSARY_LOCK = "glossary"
# A name shorter than this (once normalised) would be found in nearly every text.
MIN_NAME_CHARS = 2
MAX_NORMALISED_CHARS = 255

# Fields whose change is a change of what a text is matched against.
MATCHED_FIELDS = frozenset({"term", "aliases", "status", "visibility", "department_id",
                            "owner_ids"})
# Fields whose change followers are told of (`glossary_term_changed`).
ANNOUNCED_FIELDS = frozenset({"definition", "status"})


async def do_new_revision(uow: UnitOfWork) -> None:
    """Give the glossary a new revision: every node's matcher is stale from the commit on."""
    await uow.upsert(table_of(GlossaryState), {"id": STATE_ID, "revision": uuid.uuid4().hex},
                     key=("id",))


async def _check_names(uow: UnitOfWork, viewer: Viewer, term_id: int | None, term: str,
                       aliases: Sequence[str]) -> list[tuple[str, str]]:
    """The term's names as (name, normalised), the term first: each long enough, none
    given twice, none another term's (409 naming that term, when the caller may read it)."""
    names: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for name in (term, *aliases):
        normalised = normalise_name(name)
        if len(normalised.replace(" ", "")) < MIN_NAME_CHARS:
            raise Invalid(f"“{name}” is too short to be recognised: at least "
                          f"{MIN_NAME_CHARS} characters.", code="term_name_too_short",
                          details={"name": name})
        if len(normalised) > MAX_NORMALISED_CHARS:
            raise Invalid(f"“{name}” is too long once normalised.", code="term_name_too_long",
                          details={"name": name})
        if normalised in seen:
            raise Invalid(f"“{name}” and “{seen[normalised]}” are the same name.",
                          code="term_name_repeated", details={"name": name})
        seen[normalised] = name
        names.append((name, normalised))
    taken = [(normalised, holder) for normalised, holder in
             await queries.names_taken(uow, seen) if holder != term_id]
    if taken:
        normalised, holder = taken[0]
        other = (await queries.terms_by_ids(uow, [holder]))[holder]
        owners = (await queries.owners_of(uow, [holder]))[holder]
        if viewer.may_read(other.department_id, other.visibility, owners):
            raise Conflict(f"“{seen[normalised]}” is already a name of the term "
                           f"“{other.term}”.", code="term_name_taken",
                           details={"name": seen[normalised], "term_id": other.id,
                                    "term": other.term})
        raise Conflict(f"“{seen[normalised]}” is already a name of a term you cannot see.",
                       code="term_name_taken", details={"name": seen[normalised]})
    return names


async def _write_names(uow: UnitOfWork, term_id: int, names: list[tuple[str, str]]) -> None:
    await uow.session.execute(delete(GlossaryName).where(GlossaryName.term_id == term_id))
    await uow.session.flush()
    uow.session.add_all(GlossaryName(term_id=term_id, name=name, normalised=normalised,
                                     is_alias=position > 0, position=position)
                        for position, (name, normalised) in enumerate(names))


async def _check_department(uow: UnitOfWork, actor: Actor, viewer: Viewer,
                            department_id: int) -> None:
    if not await org_queries.department_exists(uow, [department_id]):
        raise Invalid("Unknown department.", code="unknown_department",
                      details={"department_id": department_id})
    require(glossary_policy.can_create_term(
        actor, in_department=department_id in viewer.above_mine,
        manages_department=department_id in viewer.managed),
        "Terms of a department are written by its people, its managers and administrators.",
        code="may_not_write_term")


async def _check_owners(uow: UnitOfWork, owner_ids: Sequence[int]) -> list[int]:
    """Owners are active people of the company (not guests, not the system account)."""
    wanted = sorted(set(owner_ids))
    people = {user.id: user for user in await org_queries.users_by_ids(uow, wanted, None)}
    refused = [u for u in wanted if u not in people or not people[u].active or people[u].bot
               or not glossary_policy.may_own_terms(Role(people[u].role))]
    if refused:
        raise Invalid("Owners are active people of the company.", code="unknown_person",
                      details={"user_ids": refused})
    return wanted


async def _default_owners(uow: UnitOfWork, actor: Actor, department_id: int) -> list[int]:
    """The department's managers, or the creator when it has none."""
    managers = (await org_queries.managers_of(uow, [department_id])).get(department_id, [])
    active = await org_queries.active_user_ids(uow, managers)
    return sorted(m for m in managers if m in active) or [actor.user_id]


def _search_text(term: str, aliases: Sequence[str], english: str) -> str:
    parts = [label_search_text(name) for name in (term, *aliases)]
    if english:
        parts.append("".join(fold(english).split()))
    return " ".join(parts)


def _describe(term: GlossaryTerm, aliases: list[str], owner_ids: list[int]) -> dict[str, object]:
    """The recorded fields of a term, for its history."""
    return {"term": term.term, "aliases": aliases, "english": term.english,
            "definition": term.definition, "examples": list(term.examples),
            "department_id": term.department_id, "owner_ids": owner_ids,
            "visibility": term.visibility, "status": term.status,
            "replaced_by_id": term.replaced_by_id}


async def _replacement(uow: UnitOfWork, viewer: Viewer, term: GlossaryTerm,
                       replaced_by_id: int) -> GlossaryTerm:
    """A deprecated term's successor: another active term the caller reads, read by at
    least everyone who reads this one (a company-wide term points to a company-wide one)."""
    other = (await queries.terms_by_ids(uow, [replaced_by_id])).get(replaced_by_id)
    owners = (await queries.owners_of(uow, [replaced_by_id]))[replaced_by_id]
    if (other is None or other.id == term.id
            or not viewer.may_read(other.department_id, other.visibility, owners)):
        raise Invalid("The term to use instead does not exist.", code="unknown_replacement",
                      details={"replaced_by_id": replaced_by_id})
    if other.status != TermStatus.ACTIVE.value:
        raise Invalid("Point to a term in use, not to another deprecated one.",
                      code="replacement_deprecated", details={"replaced_by_id": other.id})
    if (term.visibility == TermVisibility.COMPANY.value
            and other.visibility != TermVisibility.COMPANY.value):
        raise Invalid("A company-wide term points to a company-wide term.",
                      code="replacement_hidden", details={"replaced_by_id": other.id})
    return other


async def do_create_term(uow: UnitOfWork, actor: Actor, viewer: Viewer,
                         data: TermCreate) -> GlossaryTerm:
    department_id = data.department_id or viewer.home_department_id
    if department_id is None:
        raise Invalid("Name the department the term belongs to (you are in none).",
                      code="term_department_required")
    await uow.lock(GLOSSARY_LOCK)
    await _check_department(uow, actor, viewer, department_id)
    names = await _check_names(uow, viewer, None, data.term, data.aliases)
    owner_ids = (await _check_owners(uow, data.owner_ids) if data.owner_ids
                 else await _default_owners(uow, actor, department_id))
    now = utcnow()
    term = GlossaryTerm(
        term=data.term, english=data.english, definition=data.definition,
        definition_html=await render_html(data.definition, ResolvedMentions()),
        examples=list(data.examples), department_id=department_id,
        visibility=data.visibility.value, status=TermStatus.ACTIVE.value,
        sort_key=sort_key_for(data.term),
        search_text=_search_text(data.term, data.aliases, data.english),
        created_by=actor.user_id, created_at=now, updated_by=actor.user_id, updated_at=now)
    uow.session.add(term)
    await uow.flush()
    await _write_names(uow, term.id, names)
    uow.session.add_all(GlossaryTermOwner(term_id=term.id, user_id=u) for u in owner_ids)
    recorded = _describe(term, list(data.aliases), owner_ids)
    uow.session.add(GlossaryTermRevision(
        term_id=term.id, actor_id=actor.user_id, change="created",
        changes={name: [None, value] for name, value in recorded.items()
                 if value not in (None, "", [])},
        created_at=now))
    await uow.flush()
    await do_new_revision(uow)
    await do_index_term(uow, term)
    uow.emit(TermChanged(term=await term_data(uow, term), change="created",
                         fields=sorted(recorded), actor_id=actor.user_id),
             await audience_of(uow, visibility=term.visibility,
                               department_id=term.department_id, owner_ids=owner_ids))
    return term


async def _set_status(uow: UnitOfWork, viewer: Viewer, term: GlossaryTerm,
                      data: TermUpdate) -> None:
    """The status and the successor a deprecated term points to (an active one points to
    none); the successor checked again whenever either it or the term's visibility moved."""
    given = data.model_fields_set
    if data.status is not None:
        term.status = data.status.value
    if term.status == TermStatus.ACTIVE.value:
        if "replaced_by_id" in given and data.replaced_by_id is not None:
            raise Invalid("Only a deprecated term points to another.",
                          code="replacement_needs_deprecation")
        term.replaced_by_id = None
    elif "replaced_by_id" in given:
        term.replaced_by_id = data.replaced_by_id
    if term.replaced_by_id is not None and ({"replaced_by_id", "visibility"} & given):
        await _replacement(uow, viewer, term, term.replaced_by_id)


def _refuse_nulls(data: TermUpdate) -> None:
    for name in ("term", "aliases", "english", "definition", "examples", "department_id",
                 "owner_ids", "visibility", "status"):
        if name in data.model_fields_set and getattr(data, name) is None:
            raise Invalid(f"{name} cannot be null; leave it out to keep it.",
                          code="null_setting")


async def do_update_term(uow: UnitOfWork, actor: Actor, found: TermAccess,
                         data: TermUpdate) -> GlossaryTerm:
    """Change what `data` names. The caller locked the term's row (`for_update`)."""
    require(glossary_policy.can_edit_term(actor, found.standing),
            "Only the term's department, its owners and administrators change a term.",
            code="may_not_write_term")
    _refuse_nulls(data)
    await uow.lock(GLOSSARY_LOCK)
    term, viewer = found.term, found.viewer
    aliases = (await queries.aliases_of(uow, [term.id]))[term.id]
    before = _describe(term, aliases, found.owner_ids)
    was = (term.visibility, term.department_id, found.owner_ids)
    new_aliases = aliases if data.aliases is None else list(data.aliases)
    if data.term is not None or data.aliases is not None:
        names = await _check_names(uow, viewer, term.id, data.term or term.term, new_aliases)
        await _write_names(uow, term.id, names)
    if data.term is not None:
        term.term = data.term
        term.sort_key = sort_key_for(data.term)
    if data.english is not None:
        term.english = data.english
    if data.definition is not None and data.definition != term.definition:
        term.definition = data.definition
        term.definition_html = await render_html(data.definition, ResolvedMentions())
    if data.examples is not None:
        term.examples = list(data.examples)
    if data.department_id is not None and data.department_id != term.department_id:
        await _check_department(uow, actor, viewer, data.department_id)
        term.department_id = data.department_id
    owner_ids = found.owner_ids
    if data.owner_ids is not None:
        owner_ids = await _check_owners(uow, data.owner_ids)
        if not owner_ids:
            raise Invalid("A term has at least one owner.", code="owners_required")
    if data.visibility is not None:
        term.visibility = data.visibility.value
    await _set_status(uow, viewer, term, data)
    term.search_text = _search_text(term.term, new_aliases, term.english)
    after = _describe(term, new_aliases, owner_ids)
    changed = {name: [before[name], after[name]] for name in before
               if before[name] != after[name]}
    if not changed:
        return term
    if "owner_ids" in changed:
        await uow.session.execute(delete(GlossaryTermOwner)
                                  .where(GlossaryTermOwner.term_id == term.id))
        await uow.session.flush()
        uow.session.add_all(GlossaryTermOwner(term_id=term.id, user_id=u) for u in owner_ids)
    now = utcnow()
    term.updated_by, term.updated_at = actor.user_id, now
    uow.session.add(GlossaryTermRevision(term_id=term.id, actor_id=actor.user_id,
                                         change="updated", changes=changed, created_at=now))
    await uow.flush()
    if changed.keys() & MATCHED_FIELDS:
        await do_new_revision(uow)
    if changed.keys() & {"term", "aliases", "english", "definition", "examples"}:
        await do_index_term(uow, term)
    if _may_lose_readers(was, (term.visibility, term.department_id, owner_ids)):
        # Those who read it before and may not now must drop it; those who still may get
        # the change right after.
        uow.emit(TermWithdrawn(term_id=term.id, reason="hidden"), await audience_of(
            uow, visibility=was[0], department_id=was[1], owner_ids=was[2]))
    uow.emit(TermChanged(term=await term_data(uow, term), change="updated",
                         fields=sorted(changed), actor_id=actor.user_id),
             await audience_of(uow, visibility=term.visibility,
                               department_id=term.department_id, owner_ids=owner_ids))
    return term


# Who reads a term is decided by these: its visibility, department and owners.
Readership = tuple[str, int | None, list[int]]


def _may_lose_readers(before: Readership, after: Readership) -> bool:
    """Whether a change may take the term out of someone's sight: kept to its department
    from now on, or, kept so already, given another department or other owners."""
    if after[0] == TermVisibility.COMPANY.value:
        return False
    return before[0] == TermVisibility.COMPANY.value or before[1:] != after[1:]


async def do_delete_term(uow: UnitOfWork, actor: Actor, found: TermAccess) -> None:
    require(glossary_policy.can_delete_term(actor, found.standing),
            "Only the managers of the term's department and administrators delete a term; "
            "deprecate it instead.", code="may_not_delete_term")
    await uow.lock(GLOSSARY_LOCK)
    term = found.term
    audience = await audience_of(uow, visibility=term.visibility,
                                 department_id=term.department_id, owner_ids=found.owner_ids)
    await do_unindex_term(uow, term.id)
    await uow.session.delete(term)
    await uow.flush()
    await do_new_revision(uow)
    uow.emit(TermWithdrawn(term_id=term.id, reason="deleted"), audience)


async def do_follow(uow: UnitOfWork, actor: Actor, found: TermAccess, *,
                    following: bool) -> None:
    """Follow the term (told when its definition or status changes) or stop; doing it twice
    is doing it once."""
    if following:
        await uow.insert_ignoring_duplicates(GlossaryTermFollower, [
            {"term_id": found.term.id, "user_id": actor.user_id, "created_at": utcnow()}])
    else:
        await uow.session.execute(delete(GlossaryTermFollower).where(
            GlossaryTermFollower.term_id == found.term.id,
            GlossaryTermFollower.user_id == actor.user_id))
