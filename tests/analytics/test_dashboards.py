"""The dashboards over HTTP: who sees which figures (the company, a manager's subtree, the
overview only, nothing), departments too small to show, and the range they cover."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.helpers import Cast, Person, error_code
from xietong.core.clock import utcnow

ANALYTICS = "/api/v1/analytics"
SETTINGS = "/api/v1/admin/settings"
CHARTS = ("network", "responsiveness", "sla", "delivery", "satisfaction", "adoption")
DRILL_DOWNS = ("sla/requests", "delivery/tasks")


async def staff(cast: Cast) -> Cast:
    """The cast, with departments big enough to show: 研发部 five (李娜 and four engineers),
    销售部 five with 华东区 (张伟, 刘洋 and three more), 客服部 three (王芳 and two)."""
    for n, name in enumerate(("赵磊", "钱坤", "孙悦", "周琦")):
        await cast.add_person(f"dev{n}", name, departments=("研发部",), title="工程师")
    for n, name in enumerate(("吴敏", "郑浩")):
        await cast.add_person(f"sales{n}", name, departments=("销售部",), title="销售")
    await cast.add_person("sales2", "冯磊", departments=("华东区",), title="销售")
    for n, name in enumerate(("陈静", "褚红")):
        await cast.add_person(f"care{n}", name, departments=("客服部",), title="客服专员")
    return cast


@pytest.fixture
async def company(cast: Cast) -> Cast:
    return await staff(cast)


async def get(person: Person, path: str, **params: Any) -> dict[str, Any]:
    response = await person.api.get(f"{ANALYTICS}/{path}", params=params)
    assert response.status_code == 200, (path, response.text)
    found: dict[str, Any] = response.json()
    return found


async def refused(person: Person, path: str, status: int, code: str, **params: Any) -> None:
    response = await person.api.get(f"{ANALYTICS}/{path}", params=params)
    assert response.status_code == status, (path, response.text)
    assert error_code(response) == code, path


async def change_settings(cast: Cast, **settings: Any) -> None:
    response = await cast.linxiaoyan.api.patch(SETTINGS, json=settings)
    assert response.status_code == 200, response.text


# Where each dashboard lists its department rows.
ROWS = {"delivery": "departments", "satisfaction": "requests"}


def rows_of(reply: dict[str, Any], key: str = "rows") -> dict[int, dict[str, Any]]:
    return {row["department_id"]: row for row in reply[key]}


async def rows(person: Person, chart: str, **params: Any) -> dict[int, dict[str, Any]]:
    return rows_of(await get(person, chart, **params), ROWS.get(chart, "rows"))


async def test_an_administrator_sees_every_department(company: Cast) -> None:
    d = company.departments
    admin = company.linxiaoyan
    access = await get(admin, "access")
    assert access["scope"] == "company"
    assert set(access["department_ids"]) == set(d.values())
    assert access["min_group_size"] == 5
    tops = {d["总经办"], d["销售部"], d["研发部"], d["客服部"]}
    for chart in ("responsiveness", "sla", "satisfaction", "adoption", "delivery"):
        assert set(await rows(admin, chart)) == tops, chart
    network = await get(admin, "network")
    assert {n["department_id"] for n in network["nodes"]} == tops
    # A department's filter lists its children (a leaf lists itself).
    below = await get(admin, "adoption", department_id=d["销售部"])
    assert [r["department_id"] for r in below["rows"]] == [d["华东区"]]
    leaf = await get(admin, "adoption", department_id=d["研发部"])
    assert [r["department_id"] for r in leaf["rows"]] == [d["研发部"]]
    for path in DRILL_DOWNS:
        assert await get(admin, path, department_id=d["客服部"]) == {"items": [],
                                                                     "next_cursor": None}


async def test_a_manager_sees_their_subtree_and_the_rest_as_one(company: Cast) -> None:
    d = company.departments
    manager = company.zhangwei
    access = await get(manager, "access")
    assert access["scope"] == "departments"
    assert set(access["department_ids"]) == {d["销售部"], d["华东区"]}
    for chart in ("responsiveness", "sla", "satisfaction", "adoption", "delivery"):
        assert list(await rows(manager, chart)) == [d["销售部"]], chart
    assert [r["department_id"] for r in (await get(
        manager, "adoption", department_id=d["华东区"]))["rows"]] == [d["华东区"]]
    network = await get(manager, "network")
    assert {n["department_id"] for n in network["nodes"]} <= {d["销售部"], 0}
    # Another department: neither its figures nor its items.
    for path in (*CHARTS, *DRILL_DOWNS):
        await refused(manager, path, 404, "analytics_department_hidden",
                      department_id=d["研发部"])
    await refused(manager, "overview", 404, "analytics_department_hidden",
                  department_id=d["研发部"])
    response = await manager.api.get(f"{ANALYTICS}/export/sla.csv",
                                     params={"department_id": d["客服部"]})
    assert response.status_code == 404
    assert error_code(response) == "analytics_department_hidden"
    # The company's overview is everyone's who sees anything.
    assert (await get(manager, "overview"))["suppressed"] is False
    # Managing 华东区 too adds no row: it is already within 销售部's.
    made = await company.linxiaoyan.api.patch(f"/api/v1/departments/{d['华东区']}",
                                              json={"manager_ids": [manager.id]})
    assert made.status_code == 200, made.text
    assert list(await rows(manager, "adoption")) == [d["销售部"]]
    assert {n["department_id"] for n in (await get(manager, "network"))["nodes"]} <= {
        d["销售部"], 0}


async def test_a_member_sees_nothing_unless_the_company_opens_the_overview(
        company: Cast) -> None:
    member = company.liuyang
    for path in ("access", "overview", *CHARTS, *DRILL_DOWNS, "export/overview.csv"):
        await refused(member, path, 404, "analytics_hidden")
    await change_settings(company, view_analytics_overview={"roles": ["everyone"]})
    access = await get(member, "access")
    assert access == {"scope": "overview", "department_ids": [], "min_group_size": 5}
    overview = await get(member, "overview")
    assert overview["suppressed"] is False
    for path in (*CHARTS, *DRILL_DOWNS, "export/network.csv", "export/adoption.xlsx"):
        await refused(member, path, 404, "analytics_overview_only")
    await refused(member, "overview", 404, "analytics_department_hidden",
                  department_id=company.departments["华东区"])
    response = await member.api.get(f"{ANALYTICS}/export/overview.csv")
    assert response.status_code == 200
    # A guest sees nothing, even then.
    for path in ("access", "overview", *CHARTS, "export/overview.csv"):
        await refused(company.alex, path, 404, "analytics_hidden")


async def test_a_department_too_small_is_suppressed(company: Cast) -> None:
    d = company.departments
    admin = company.linxiaoyan
    responsiveness = rows_of(await get(admin, "responsiveness"))
    # 客服部 has three people, 总经办 one: below the minimum of five.
    for small in (d["客服部"], d["总经办"]):
        assert responsiveness[small] == {
            "department_id": small, "name": responsiveness[small]["name"], "suppressed": True,
            "mentions": None, "requests": None}
    assert responsiveness[d["研发部"]]["suppressed"] is False
    assert responsiveness[d["研发部"]]["mentions"]["count"] == 0
    adoption = rows_of(await get(admin, "adoption"))
    assert adoption[d["客服部"]]["people"] == 3
    assert adoption[d["客服部"]]["shares"] is None
    assert adoption[d["销售部"]]["shares"] is not None
    delivery = rows_of(await get(admin, "delivery"), "departments")
    assert delivery[d["客服部"]]["suppressed"] is True
    assert delivery[d["客服部"]]["created"] is None
    sla = [r for r in (await get(admin, "sla"))["rows"] if r["department_id"] == d["客服部"]]
    assert sla == [{"department_id": d["客服部"], "name": "客服部", "type_id": None,
                    "type_name": None, "suppressed": True, "filed": None,
                    "response_met": None, "resolution_met": None, "breached": None,
                    "compliance": None}]
    overview = await get(admin, "overview", department_id=d["客服部"])
    assert overview["suppressed"] is True
    assert overview["people"] is None
    assert overview["daily"] == []
    network = {n["department_id"]: n for n in (await get(admin, "network"))["nodes"]}
    assert network[d["客服部"]]["suppressed"] is True
    assert network[d["客服部"]]["messages"] is None
    # A company that allows groups of three shows it.
    await change_settings(company, analytics_min_group_size=3)
    assert rows_of(await get(admin, "responsiveness"))[d["客服部"]]["suppressed"] is False
    assert (await get(admin, "access"))["min_group_size"] == 3


async def test_the_range_defaults_to_thirty_days_and_is_bounded(company: Cast) -> None:
    admin = company.linxiaoyan
    today = utcnow().astimezone(company.runtime.settings.zone).date()
    overview = await get(admin, "overview")
    assert overview["range"] == {"from": str(today - timedelta(days=29)), "to": str(today)}
    assert overview["previous"] == {"from": str(today - timedelta(days=59)),
                                    "to": str(today - timedelta(days=30))}
    assert len(overview["daily"]) == 30
    chosen = await get(admin, "overview", **{"from": "2026-01-01", "to": "2026-01-07"})
    assert chosen["range"] == {"from": "2026-01-01", "to": "2026-01-07"}
    assert chosen["previous"] == {"from": "2025-12-25", "to": "2025-12-31"}
    assert [day["day"] for day in chosen["daily"]][::6] == ["2026-01-01", "2026-01-07"]
    # 400 days is the longest range.
    longest = await get(admin, "adoption", **{"from": "2025-01-01", "to": "2026-02-04"})
    assert longest["weeks"][0] == "2024-12-30"
    await refused(admin, "adoption", 422, "analytics_range_too_long",
                  **{"from": "2025-01-01", "to": "2026-02-05"})
    await refused(admin, "overview", 422, "analytics_range_backwards",
                  **{"from": "2026-01-02", "to": "2026-01-01"})
    await refused(admin, "overview", 422, "invalid", **{"from": "2026-02-30"})
    for edge in ({"from": "0001-01-01", "to": "0001-01-10"}, {"to": "0001-01-01"},
                 {"from": "9999-12-20", "to": "9999-12-31"}, {"from": "9999-12-31"}):
        for path in ("overview", "adoption", "satisfaction"):
            await refused(admin, path, 422, "analytics_range_out_of_bounds", **edge)
    await refused(admin, "sla", 400, "analytics_unknown_department", department_id=999999)
    await refused(admin, "sla/requests", 400, "bad_cursor", cursor="nonsense")
