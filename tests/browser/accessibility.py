"""axe-core in the browser tests: the accessibility rules a page breaks, as axe reports them.

axe-core comes from the web client's npm dev dependencies (installed by `make web`, which
the browser tests need anyway), so its version is pinned in web/package-lock.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import Page

AXE_SCRIPT = (Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core"
              / "axe.min.js")
BLOCKING_IMPACTS = ("serious", "critical")


async def axe_violations(page: Page, within: str | None = None) -> list[dict[str, Any]]:
    """Every axe violation on the page as it is now (WCAG 2.x A and AA rules and axe's best
    practices); `within`: only in the elements this CSS selector matches."""
    if not await page.evaluate("typeof window.axe === 'object'"):
        # Evaluated rather than added as a <script>, so a Content-Security-Policy cannot stop it.
        await page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    result: dict[str, Any] = await page.evaluate(
        "within => axe.run(within ? {include: [within]} : document,"
        " {resultTypes: ['violations']})", within)
    violations: list[dict[str, Any]] = result["violations"]
    return violations


async def assert_no_serious_violations(page: Page, within: str | None = None) -> None:
    """Fail with what axe found when a serious or critical rule is broken (`within`: only in
    the elements this CSS selector matches)."""
    blocking = [v for v in await axe_violations(page, within)
                if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in blocking)
