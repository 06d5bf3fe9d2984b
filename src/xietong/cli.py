"""The `xietong` command: serve, migrate, seed-demo, check, and the domains' own commands
(`DomainManifest.commands`: create-admin, ensure-owner, reindex …)."""

from __future__ import annotations

import asyncio
import json
import secrets
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer

from xietong.core.errors import XietongError
from xietong.domains import DOMAINS
from xietong.edge import Services
from xietong.manifest import CommandLine, DemoOptions, DemoOutcome, DomainManifest
from xietong.runtime import Runtime, open_runtime
from xietong.settings import ConfigurationError, Settings, load_settings

app = typer.Typer(help="Xietong (协同) collaboration server.", no_args_is_help=True,
                  add_completion=False)
T = TypeVar("T")


def fail(message: str, code: int = 1) -> NoReturn:
    typer.secho(message, err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ConfigurationError as error:
        fail(f"Configuration error: {error}", 2)


def run_with_runtime(settings: Settings, work: Callable[[Runtime], Awaitable[T]]) -> T:
    """Build the runtime, run `work(runtime)`, close it, and explain database failures."""
    async def main() -> T:
        async with open_runtime(settings) as runtime:
            return await work(runtime)

    try:
        return asyncio.run(main())
    except XietongError as error:
        fail(error.message)
    except OSError as error:
        fail(f"Cannot reach a service: {error}. Is the database (or Redis) running?")
    except Exception as error:
        if type(error).__module__.startswith(("sqlalchemy", "asyncpg", "sqlite3")):
            fail(f"Database error: {error}".splitlines()[0])
        raise


class Console:
    """The CLI as the domains' commands see it (`manifest.CommandLine`)."""

    def fail(self, message: str, code: int = 1) -> NoReturn:
        fail(message, code)

    def settings(self) -> Settings:
        return settings_or_exit()

    def run(self, work: Callable[[Services], Awaitable[T]]) -> T:
        return run_with_runtime(self.settings(), work)


@app.callback()
def _console(ctx: typer.Context) -> None:
    console: CommandLine = Console()
    ctx.obj = console  # for every command, which finds it by `manifest.command_line`


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    from xietong.migrate import current_revision, upgrade_to_head

    settings = settings_or_exit()

    async def work(runtime: Runtime) -> str | None:
        await upgrade_to_head(runtime)
        return await current_revision(runtime)

    revision = run_with_runtime(settings, work)
    typer.echo(f"Database is at revision {revision}.")


@app.command("seed-demo")
def seed_demo(
    password: Annotated[str, typer.Option(help="Password of every demo person")] = "xietong-demo",
) -> None:
    """Fill a demo company: departments, 48 people with Chinese names, conversations …"""
    settings = settings_or_exit()

    async def work(runtime: Runtime) -> list[DemoOutcome]:
        options = DemoOptions(password=password, passwords=runtime.passwords,
                              zone=runtime.settings.zone)
        outcomes = []
        for domain in runtime.domains:
            for step in domain.demo:
                async with runtime.unit_of_work() as uow:
                    outcomes.append(await step(uow, options))
        return outcomes

    outcomes = run_with_runtime(settings, work)
    created = [thing for outcome in outcomes for thing in outcome.created]
    if not created:
        typer.echo("The demo company is already there; nothing changed.")
        return
    listed = ", ".join(created[:-1]) + " and " + created[-1] if len(created) > 1 else created[0]
    hints = [outcome.hint for outcome in outcomes if outcome.hint]
    typer.echo(" ".join([f"Created {listed}.", *hints]))


@app.command()
def check() -> None:
    """Check the configuration and that the database (and Redis) answer."""
    from xietong.migrate import current_revision

    settings = settings_or_exit()

    async def work(runtime: Runtime) -> str | None:
        await runtime.check_database()
        await runtime.check_redis()
        return await current_revision(runtime)

    revision = run_with_runtime(settings, work)
    database = settings.database_url.split("@")[-1]
    typer.echo(f"Configuration OK. Database {database} answers (schema revision {revision}).")
    if settings.redis_url:
        typer.echo("Redis answers.")


@app.command()
def serve() -> None:
    """Serve HTTP and WebSocket on XIETONG_HOST:XIETONG_PORT (default 127.0.0.1:8000), in
    XIETONG_WORKERS processes (default 1)."""
    from xietong.migrate import current_revision, head_revision
    from xietong.serving import serve as serve_until_stopped

    settings = settings_or_exit()

    async def schema_revision(runtime: Runtime) -> str | None:
        return await current_revision(runtime)

    if run_with_runtime(settings, schema_revision) != head_revision():
        fail("The database schema is not up to date; run `xietong migrate` first.")
    workers = f" with {settings.workers} worker processes" if settings.workers > 1 else ""
    typer.echo(f"Xietong serving on http://{settings.host}:{settings.port}/{workers}")
    serve_until_stopped(settings)


@app.command()
def openapi(
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write it to this file instead of standard output.")] = None,
) -> None:
    """Print the OpenAPI document (JSON): every HTTP operation, and the event socket's
    frames as components. `make types` generates the web client's types from it."""
    from xietong.app import create_app

    async def document() -> dict[str, Any]:
        # The document does not depend on the configuration: a throwaway runtime that
        # never connects to anything (and leaves nothing behind) serves to build the app.
        with tempfile.TemporaryDirectory() as data_dir:
            settings = Settings(data_dir=Path(data_dir), database_url="",
                                secret_key=secrets.token_urlsafe(32), redis_url=None)
            async with open_runtime(settings) as runtime:
                return create_app(runtime).openapi()

    text = json.dumps(asyncio.run(document()), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


def add_commands_of(domains: tuple[DomainManifest, ...]) -> None:
    for domain in domains:
        for name, command in domain.commands.items():
            app.command(name)(command)


add_commands_of(DOMAINS)


def main() -> None:
    app()
