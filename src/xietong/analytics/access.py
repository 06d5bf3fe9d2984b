"""Who sees which figures: `viewer_of` fetches and decides, once per request.

A viewer is the reach the policy gives (`policy.analytics.analytics_reach`), the departments
whose own figures they may see, the company's org chart as analytics needs it, and the
minimum group size. Someone who may see nothing gets 404 `analytics_hidden` everywhere, as
for anything one may not see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from xietong.core.actor import Actor
from xietong.core.errors import BadRequest, NotFound
from xietong.core.uow import UnitOfWork
from xietong.org import queries as org_queries
from xietong.org.company_settings.queries import company_settings, standing_of
from xietong.policy import analytics as policy
from xietong.policy.analytics import Reach

# The node standing for every department a manager may not break down.
OTHERS = 0


@dataclass(frozen=True, slots=True)
class OrgChart:
    """The departments as analytics reads them: names, tree and headcounts (everyone in a
    department or below it)."""

    names: dict[int, str]
    parents: dict[int, int | None]
    people: dict[int, int]

    def subtree(self, department_id: int) -> set[int]:
        return org_queries.descendants_and_self(self.parents, department_id)

    def children(self, department_id: int | None) -> list[int]:
        return sorted(d for d, parent in self.parents.items() if parent == department_id)


@dataclass(frozen=True, slots=True)
class Viewer:
    reach: Reach
    # The departments whose own figures and lists the viewer may see (all, for COMPANY).
    visible: frozenset[int]
    # The departments a manager manages (the tops of `visible`); empty otherwise.
    managed: frozenset[int]
    chart: OrgChart
    min_group_size: int

    @property
    def sees_company(self) -> bool:
        return self.reach is Reach.COMPANY

    def may_break_down(self, department_id: int) -> bool:
        """Whether this department's own figures may be shown to the viewer: theirs to see,
        and with enough people not to point at anyone."""
        return (department_id in self.visible
                and policy.may_see_breakdown(self.chart.people.get(department_id, 0),
                                             self.min_group_size))

    def require_breakdowns(self) -> None:
        """Breakdowns by department are for those who reach beyond the overview."""
        if self.reach is Reach.OVERVIEW:
            raise NotFound("Only the company overview is open to you.",
                           code="analytics_overview_only")

    def focus(self, department_id: int | None) -> set[int] | None:
        """The departments a filter names (a subtree), checked against what the viewer
        sees; None: the whole company (only for those who see it)."""
        if department_id is None:
            if self.sees_company or self.reach is Reach.OVERVIEW:
                return None
            return set(self.visible)
        if department_id not in self.chart.names:
            raise BadRequest(f"There is no department {department_id}.",
                             code="analytics_unknown_department")
        if department_id not in self.visible:
            raise NotFound("You may not see this department's figures.",
                           code="analytics_department_hidden")
        return self.chart.subtree(department_id)

    def rows(self, department_id: int | None) -> list[int]:
        """The departments a breakdown lists: the children of the filtered department (the
        top level without one), or, for a manager, the departments they manage (not one
        inside another they manage: rows must not overlap, or one's figures count twice)."""
        if department_id is None and not self.sees_company:
            return sorted(d for d in self.managed
                          if not any(d != top and d in self.chart.subtree(top)
                                     for top in self.managed))
        return [d for d in self.chart.children(department_id) if d in self.visible] or (
            [department_id] if department_id is not None else [])


async def org_chart(uow: UnitOfWork) -> OrgChart:
    departments = await org_queries.all_departments(uow)
    counts = await org_queries.headcounts(uow, departments)
    return OrgChart(names={d.id: d.name for d in departments},
                    parents=org_queries.parent_map(departments),
                    people={d: c.total for d, c in counts.items()})


async def viewer_of(uow: UnitOfWork, actor: Actor) -> Viewer:
    """What `actor` may see of the analytics, or 404 `analytics_hidden`."""
    settings = await company_settings(uow)
    standing = await standing_of(uow, actor, settings.view_analytics,
                                 settings.view_analytics_overview)
    reach = policy.analytics_reach(actor, settings.view_analytics,
                                   settings.view_analytics_overview, standing)
    if reach is Reach.NONE:
        raise NotFound("Collaboration analytics are not open to you.", code="analytics_hidden")
    chart = await org_chart(uow)
    managed: frozenset[int] = frozenset()
    if reach is Reach.COMPANY:
        visible = frozenset(chart.names)
    elif reach is Reach.DEPARTMENTS:
        managed = frozenset(await org_queries.departments_managed_by(uow, actor.user_id))
        visible = frozenset(_subtrees(chart, managed))
    else:
        visible = frozenset()
    return Viewer(reach=reach, visible=visible, managed=managed, chart=chart,
                  min_group_size=settings.analytics_min_group_size)


def _subtrees(chart: OrgChart, tops: Iterable[int]) -> set[int]:
    found: set[int] = set()
    for top in tops:
        found |= chart.subtree(top)
    return found
