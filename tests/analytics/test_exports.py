"""A dashboard exported as CSV (UTF-8 with a BOM, for Excel) and as an Excel workbook: the
same rows as the dashboard, Chinese headers, suppressed rows said so, formulas kept as
text, and the same refusals as the dashboard."""

from __future__ import annotations

import csv
from io import BytesIO, StringIO
from urllib.parse import unquote

from openpyxl import load_workbook

from tests.analytics.test_dashboards import ANALYTICS, get, staff
from tests.helpers import Cast, error_code

CHARTS = ("overview", "network", "responsiveness", "sla", "delivery", "satisfaction",
          "adoption")


def csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), body[:10]
    return list(csv.reader(StringIO(body[3:].decode("utf-8"))))


async def test_every_chart_exports_as_csv_and_xlsx(cast: Cast) -> None:
    company = await staff(cast)
    admin = company.linxiaoyan
    span = {"from": "2026-11-02", "to": "2026-11-15"}
    for chart in CHARTS:
        response = await admin.api.get(f"{ANALYTICS}/export/{chart}.csv", params=span)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        disposition = unquote(response.headers["content-disposition"])
        # An ASCII stand-in for old clients, then the Chinese name (files.api's form).
        assert disposition.startswith('attachment; filename="'), disposition
        assert "; filename*=UTF-8''数据洞察-" in disposition, disposition
        assert disposition.endswith("-2026-11-02-2026-11-15.csv"), disposition
        assert csv_rows(response.content), chart
        response = await admin.api.get(f"{ANALYTICS}/export/{chart}.xlsx", params=span)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        book = load_workbook(BytesIO(response.content), read_only=True)
        assert book.sheetnames, chart
    response = await admin.api.get(f"{ANALYTICS}/export/nonsense.csv")
    assert response.status_code == 422


async def test_the_adoption_export_has_the_dashboards_rows(cast: Cast) -> None:
    company = await staff(cast)
    admin = company.linxiaoyan
    span = {"from": "2026-11-02", "to": "2026-11-15"}
    reply = await get(admin, "adoption", **span)
    rows = csv_rows((await admin.api.get(f"{ANALYTICS}/export/adoption.csv",
                                         params=span)).content)
    assert rows[0] == ["部门", "人数", "2026-11-02 当周", "2026-11-09 当周", "备注"]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {row["name"] for row in reply["rows"]}
    # 客服部 (three people) is below the minimum group size: no figures, a note.
    assert by_name["客服部"] == ["客服部", "3", "", "", "人数过少，不单独显示"]
    assert by_name["研发部"] == ["研发部", "5", "0.0", "0.0", ""]
    book = load_workbook(BytesIO((await admin.api.get(
        f"{ANALYTICS}/export/adoption.xlsx", params=span)).content))
    sheet = book["采用率"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == rows[0]
    assert ["客服部", 3, None, None, "人数过少，不单独显示"] in values
    assert ["研发部", 5, 0, 0, None] in values


async def test_a_name_that_looks_like_a_formula_stays_text(cast: Cast) -> None:
    company = await staff(cast)
    admin = company.linxiaoyan
    made = await admin.api.post("/api/v1/departments", json={"name": "=HYPERLINK(1)"})
    assert made.status_code == 201, made.text
    rows = csv_rows((await admin.api.get(f"{ANALYTICS}/export/network.csv")).content)
    assert ["'=HYPERLINK(1)", "0", "", "", "", "", "人数过少，不单独显示"] in rows
    book = load_workbook(BytesIO((await admin.api.get(
        f"{ANALYTICS}/export/network.xlsx")).content))
    names = [row[0].value for row in book["部门"].iter_rows(min_row=2)]
    assert "'=HYPERLINK(1)" in names


async def test_exports_refuse_as_their_dashboards_do(cast: Cast) -> None:
    company = await staff(cast)
    for person, chart, code in ((company.liuyang, "overview", "analytics_hidden"),
                                (company.alex, "sla", "analytics_hidden"),
                                (company.zhangwei, "delivery", "analytics_department_hidden")):
        for suffix in ("csv", "xlsx"):
            response = await person.api.get(
                f"{ANALYTICS}/export/{chart}.{suffix}",
                params={"department_id": company.departments["研发部"]}
                if chart == "delivery" else {})
            assert response.status_code == 404, response.text
            assert error_code(response) == code
    response = await company.linxiaoyan.api.get(
        f"{ANALYTICS}/export/sla.csv", params={"from": "2026-01-02", "to": "2026-01-01"})
    assert error_code(response) == "analytics_range_backwards"
