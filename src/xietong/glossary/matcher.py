"""Finding glossary terms in a text: every active term's names (the term and its aliases)
in one Aho–Corasick automaton (pyahocorasick, in C), run over the text folded as names are
(`glossary.normalise`), and the matches chosen leftmost first, the longest at each place,
never overlapping: with 客户 and 客户成功 in the glossary, 客户成功部 is 客户成功 only.

The automaton reports every match, overlapping ones too; the choosing is ours, after the
matches that cannot stand are dropped — one inside a cluster (the e of an é written with a
combining accent), one glued to a Latin word ("SLA" in "SLAB"), one of a term the reader may
not read — so that a dropped long match leaves room for a shorter one at the same place
(客户A in 客户AB is glued to "B", 客户 still matches).

Every node keeps one matcher, for the revision of the names it was built from
(`GlossaryState`); `matcher_for` reads that one row and builds a new matcher when another
node (or this one) changed the glossary since. A message shown costs a primary-key read
and a pass of the automaton; the names are read again only after a change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import ahocorasick
from sqlalchemy import select

from xietong.core.uow import UnitOfWork
from xietong.glossary.models import (
    GlossaryName,
    GlossaryState,
    GlossaryTerm,
    GlossaryTermOwner,
    TermStatus,
    TermVisibility,
)
from xietong.glossary.normalise import fold_text

STATE_ID = 1


@dataclass(frozen=True, slots=True)
class MatchedTerm:
    """What the matcher knows of a term: enough to name it and to ask who may read it."""

    id: int
    term: str
    department_id: int | None
    visibility: str
    owner_ids: frozenset[int]


@dataclass(frozen=True, slots=True)
class Match:
    """A term found in a text: `text[start:end]` (code points of the text as given)."""

    start: int
    end: int
    term: MatchedTerm


class Matcher:
    """An automaton over the normalised names of some terms."""

    def __init__(self, names: Iterable[tuple[str, int]], terms: Iterable[MatchedTerm]) -> None:
        """`names`: (normalised name, term id) pairs, each name once."""
        self.terms = {term.id: term for term in terms}
        # Some term is kept to its department: who reads a text decides what it matches.
        self.restricted = any(term.visibility != TermVisibility.COMPANY.value
                              for term in self.terms.values())
        self._automaton = ahocorasick.Automaton()
        count = 0
        for normalised, term_id in names:
            if term_id in self.terms and normalised:
                self._automaton.add_word(normalised, (term_id, len(normalised)))
                count += 1
        self.name_count = count
        if count:
            self._automaton.make_automaton()

    def find(self, text: str,
             readable: Callable[[MatchedTerm], bool] | None = None) -> list[Match]:
        """The terms in `text` (those `readable` admits), leftmost first, the longest at each
        place, none overlapping another."""
        if not self.name_count or not text:
            return []
        folded = fold_text(text)
        candidates: list[tuple[int, int, int]] = []
        allowed: dict[int, bool] = {}
        for last, (term_id, length) in self._automaton.iter(folded.text):
            start, end = last - length + 1, last + 1
            if not (folded.spans_clusters(start, end) and folded.at_word_edges(start, end)):
                continue
            if readable is not None:
                if term_id not in allowed:
                    allowed[term_id] = readable(self.terms[term_id])
                if not allowed[term_id]:
                    continue
            candidates.append((start, -length, term_id))
        candidates.sort()
        found: list[Match] = []
        reached = 0
        for start, negative_length, term_id in candidates:
            if start >= reached:
                reached = start - negative_length
                begin, finish = folded.original(start, reached)
                found.append(Match(begin, finish, self.terms[term_id]))
        return found


async def build_matcher(uow: UnitOfWork) -> Matcher:
    """A matcher over every active term's names, as the database has them now."""
    rows = (await uow.session.execute(
        select(GlossaryTerm.id, GlossaryTerm.term, GlossaryTerm.department_id,
               GlossaryTerm.visibility)
        .where(GlossaryTerm.status == TermStatus.ACTIVE.value))).all()
    owners: dict[int, set[int]] = {}
    for term_id, user_id in (await uow.session.execute(
            select(GlossaryTermOwner.term_id, GlossaryTermOwner.user_id)
            .join(GlossaryTerm, GlossaryTerm.id == GlossaryTermOwner.term_id)
            .where(GlossaryTerm.status == TermStatus.ACTIVE.value))).all():
        owners.setdefault(term_id, set()).add(user_id)
    terms = [MatchedTerm(id=row.id, term=row.term, department_id=row.department_id,
                         visibility=row.visibility,
                         owner_ids=frozenset(owners.get(row.id, ())))
             for row in rows]
    names = (await uow.session.execute(
        select(GlossaryName.normalised, GlossaryName.term_id)
        .join(GlossaryTerm, GlossaryTerm.id == GlossaryName.term_id)
        .where(GlossaryTerm.status == TermStatus.ACTIVE.value))).all()
    return Matcher(((n.normalised, n.term_id) for n in names), terms)


async def current_revision(uow: UnitOfWork) -> str | None:
    revision: str | None = await uow.session.scalar(
        select(GlossaryState.revision).where(GlossaryState.id == STATE_ID))
    return revision


class MatcherCache:
    """This node's matcher and the revision it was built for. The revision is random per
    change, so two databases (tests, a restored backup) never share one by accident."""

    def __init__(self) -> None:
        self._revision: str | None = None
        self._matcher: Matcher | None = None
        self.builds = 0

    async def matcher_for(self, uow: UnitOfWork) -> Matcher:
        """The matcher for the glossary as `uow` sees it: this node's, unless the glossary
        changed since it was built (one primary-key read to know)."""
        revision = await current_revision(uow)
        if self._matcher is not None and revision == self._revision:
            return self._matcher
        # The revision is read before the names: a change committed in between is in the
        # names, and the next call (seeing its newer revision) builds again.
        matcher = await build_matcher(uow)
        self._revision, self._matcher = revision, matcher
        self.builds += 1
        return matcher


# One per process: every request of this node shares it.
MATCHERS = MatcherCache()
