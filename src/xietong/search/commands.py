"""Search's `xietong` command."""

from __future__ import annotations

import typer

from xietong.edge import Services
from xietong.manifest import command_line
from xietong.search.indexing import rebuild_everything


def reindex(ctx: typer.Context) -> None:
    """Rebuild the search index from every message, request, project and task (after an
    upgrade, or if it is suspect)."""

    async def work(runtime: Services) -> list[tuple[str, int]]:
        async with runtime.unit_of_work() as uow:
            return await rebuild_everything(uow)

    indexed = command_line(ctx).run(work)
    typer.echo("Indexed " + ", ".join(f"{count} {what}" for what, count in indexed) + ".")
