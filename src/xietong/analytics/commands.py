"""Analytics' `xietong` command."""

from __future__ import annotations

from datetime import date

import typer

from xietong.analytics.rollups import RollupConsumer, oldest_whole_day, rebuild
from xietong.core.errors import XietongError
from xietong.edge import Services
from xietong.manifest import command_line
from xietong.realtime.log import EventLog


def analytics_rebuild(
        ctx: typer.Context,
        since: str = typer.Option(
            "", help="the first company day to recompute (YYYY-MM-DD); default: the "
                     "oldest day the event log still holds whole")) -> None:
    """Recompute the analytics rollups from the event log, from a day on: replaying days
    already counted changes nothing; it repairs them after a fix to the rollups."""
    cli = command_line(ctx)
    try:
        first = date.fromisoformat(since) if since else None
    except ValueError:
        cli.fail(f"--since {since!r} is not a date (YYYY-MM-DD).")

    async def work(runtime: Services) -> tuple[date, int]:
        zone = runtime.settings.zone
        consumer = RollupConsumer(zone=zone)
        async with runtime.unit_of_work() as uow:
            log = EventLog(is_postgres=uow.is_postgres)
            day = first or await oldest_whole_day(uow, log, zone)
            return day, await rebuild(uow, consumer, log, since=day)

    try:
        day, read = cli.run(work)
    except XietongError as error:
        cli.fail(str(error))
    typer.echo(f"Recomputed the analytics from {day}: {read} events read again.")
