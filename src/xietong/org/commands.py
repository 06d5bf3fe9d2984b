"""The organisation's `xietong` commands: the first owner of an installation."""

from __future__ import annotations

import secrets
from typing import Annotated

import typer
from pydantic import TypeAdapter, ValidationError

from xietong.core.actor import Role
from xietong.core.text import DisplayName, Password, Username
from xietong.edge import Services
from xietong.manifest import command_line
from xietong.org import actions, queries


def create_admin(
    ctx: typer.Context,
    username: Annotated[str, typer.Option(help="Sign-in name (a-z, 0-9, . _ -)")],
    password: Annotated[str, typer.Option(help="At least 8 characters")],
    display_name: Annotated[str | None, typer.Option(help="Name shown to others")] = None,
) -> None:
    """Create an owner account (says so and succeeds if the user already exists)."""
    cli = command_line(ctx)
    try:
        username = TypeAdapter(Username).validate_python(username)
        password = TypeAdapter(Password).validate_python(password)
        name = TypeAdapter(DisplayName).validate_python(display_name or username)
    except ValidationError as error:
        cli.fail(f"Invalid value: {error.errors()[0]['msg']}.", 2)

    async def work(runtime: Services) -> bool:
        async with runtime.unit_of_work() as uow:
            if await queries.find_user_by_login(uow, username):
                return False
            # Without a name it is an installer's account, not yet a colleague.
            await actions.do_create_user(uow, None, username=username, display_name=name,
                                         password=password, passwords=runtime.passwords,
                                         role=Role.OWNER, setup_account=display_name is None)
            return True

    if cli.run(work):
        typer.echo(f"Created owner '{username}'.")
    else:
        typer.echo(f"User '{username}' already exists; nothing changed.")


def ensure_owner(ctx: typer.Context) -> None:
    """Create a first owner 'admin' with a generated password when there are no users yet."""
    cli = command_line(ctx)
    settings = cli.settings()
    password = secrets.token_urlsafe(12)

    async def work(runtime: Services) -> bool:
        async with runtime.unit_of_work() as uow:
            created = await actions.ensure_first_owner(
                uow, username="admin", display_name="管理员 Admin", password=password,
                passwords=runtime.passwords)
        return created is not None

    if cli.run(work):
        url = f"http://{settings.host}:{settings.port}/"
        typer.secho("\n  First owner account created (the password is shown only this once):",
                    bold=True)
        typer.echo(f"    sign in at  {url}\n    username    admin\n    password    {password}\n")
