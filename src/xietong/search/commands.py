"""Search's `xietong` command."""

from __future__ import annotations

import typer

from xietong.edge import Services
from xietong.manifest import command_line
from xietong.search.indexing import rebuild_index


def reindex(ctx: typer.Context) -> None:
    """Rebuild the search index from every message (after an upgrade, or if it is suspect)."""

    async def work(runtime: Services) -> int:
        async with runtime.unit_of_work() as uow:
            return await rebuild_index(uow)

    typer.echo(f"Indexed {command_line(ctx).run(work)} messages.")
