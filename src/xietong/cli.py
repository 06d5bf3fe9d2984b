"""The `xietong` command: serve, migrate, create-admin, seed-demo, check."""

from __future__ import annotations

import asyncio
import json
import secrets
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from xietong.core.actor import Role
from xietong.core.errors import XietongError
from xietong.runtime import Runtime, open_runtime
from xietong.settings import ConfigurationError, Settings, load_settings

app = typer.Typer(help="Xietong (协同) collaboration server.", no_args_is_help=True,
                  add_completion=False)
T = TypeVar("T")


def fail(message: str, code: int = 1) -> None:
    typer.secho(message, err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ConfigurationError as error:
        fail(f"Configuration error: {error}", 2)
        raise  # unreachable; keeps type checkers content


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
    raise AssertionError("unreachable")


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


@app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Option(help="Sign-in name (a-z, 0-9, . _ -)")],
    password: Annotated[str, typer.Option(help="At least 8 characters")],
    display_name: Annotated[str | None, typer.Option(help="Name shown to others")] = None,
) -> None:
    """Create an owner account (says so and succeeds if the user already exists)."""
    from pydantic import TypeAdapter, ValidationError

    from xietong.core.text import DisplayName, Password, Username
    from xietong.org import actions, queries

    try:
        username = TypeAdapter(Username).validate_python(username)
        password = TypeAdapter(Password).validate_python(password)
        name = TypeAdapter(DisplayName).validate_python(display_name or username)
    except ValidationError as error:
        fail(f"Invalid value: {error.errors()[0]['msg']}.", 2)
    settings = settings_or_exit()

    async def work(runtime: Runtime) -> bool:
        async with runtime.unit_of_work() as uow:
            if await queries.find_user_by_login(uow, username):
                return False
            await actions.do_create_user(uow, None, username=username, display_name=name,
                                         password=password, passwords=runtime.passwords,
                                         role=Role.OWNER)
            return True

    if run_with_runtime(settings, work):
        typer.echo(f"Created owner '{username}'.")
    else:
        typer.echo(f"User '{username}' already exists; nothing changed.")


@app.command("ensure-owner")
def ensure_owner() -> None:
    """Create a first owner 'admin' with a generated password when there are no users yet."""
    from xietong.org import actions

    settings = settings_or_exit()
    password = secrets.token_urlsafe(12)

    async def work(runtime: Runtime) -> bool:
        async with runtime.unit_of_work() as uow:
            created = await actions.ensure_first_owner(
                uow, username="admin", display_name="管理员 Admin", password=password,
                passwords=runtime.passwords)
        return created is not None

    if run_with_runtime(settings, work):
        url = f"http://{settings.host}:{settings.port}/"
        typer.secho("\n  First owner account created (the password is shown only this once):",
                    bold=True)
        typer.echo(f"    sign in at  {url}\n    username    admin\n    password    {password}\n")


@app.command("seed-demo")
def seed_demo(
    password: Annotated[str, typer.Option(help="Password of every demo person")] = "xietong-demo",
) -> None:
    """Fill a demo company: departments with managers and 48 people with Chinese names."""
    from xietong.chat.demo import seed_demo_conversations
    from xietong.org.demo import DemoResult, seed_demo_company

    settings = settings_or_exit()

    async def work(runtime: Runtime) -> tuple[DemoResult, int]:
        async with runtime.unit_of_work() as uow:
            company = await seed_demo_company(uow, password=password,
                                              passwords=runtime.passwords)
        async with runtime.unit_of_work() as uow:
            channels = await seed_demo_conversations(uow)
        return company, channels

    result, channels = run_with_runtime(settings, work)
    if result.already_present and not channels:
        typer.echo("The demo company is already there; nothing changed.")
    else:
        typer.echo(f"Created {result.departments} departments, {result.people} people and "
                   f"{channels} channels. Sign in as e.g. 'zhangwei' (张伟, 销售总监) with "
                   f"password '{password}'.")


@app.command()
def reindex() -> None:
    """Rebuild the search index from every message (after an upgrade, or if it is suspect)."""
    from xietong.search.indexing import rebuild_index

    settings = settings_or_exit()

    async def work(runtime: Runtime) -> int:
        async with runtime.unit_of_work() as uow:
            return await rebuild_index(uow)

    typer.echo(f"Indexed {run_with_runtime(settings, work)} messages.")


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


def main() -> None:
    app()
