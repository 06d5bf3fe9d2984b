"""Sign-in's `xietong` commands: a new password for someone who lost theirs.

It lives here rather than with the organisation's commands because it ends sessions, which
only `auth` writes (and `org` sits below `auth` in the import layers)."""

from __future__ import annotations

import getpass
import secrets
from typing import Annotated

import typer
from pydantic import TypeAdapter, ValidationError

from xietong.auth import actions
from xietong.core.text import LoginName, Password
from xietong.edge import Services
from xietong.manifest import command_line
from xietong.org import queries as org_queries


def _operator() -> str:
    """Who ran the command, as the operating system knows them (for the audit log)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no password-file entry
        return "unknown"


def reset_password(
    ctx: typer.Context,
    login: Annotated[str, typer.Argument(metavar="USERNAME",
                                         help="The person's sign-in name (or email)")],
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin",
        help="Read the new password from the first line of standard input "
             "instead of generating one")] = False,
) -> None:
    """Set a new password for someone who lost theirs and end their sessions (audited as
    password.reset). Without --password-stdin a strong one is generated and shown once."""
    cli = command_line(ctx)
    try:
        login = TypeAdapter(LoginName).validate_python(login.strip())
        if password_stdin:
            typed = typer.get_text_stream("stdin").readline().rstrip("\r\n")
            password = TypeAdapter(Password).validate_python(typed)
        else:
            password = secrets.token_urlsafe(15)  # 20 characters, 120 random bits
    except ValidationError as error:
        cli.fail(f"Invalid value: {error.errors()[0]['msg']}.", 2)

    async def work(runtime: Services) -> tuple[str, bool, int] | None:
        async with runtime.reader() as uow:
            user = await org_queries.find_user_by_login(uow, login)
            if user is None:
                return None
            actions.check_password_reset(user, password)
            # argon2's cost is paid outside the write transaction.
            new_hash = await runtime.passwords.hash(password)
        async with runtime.unit_of_work() as uow:
            user = await org_queries.find_user_by_login(uow, login)
            if user is None:  # removed meanwhile
                return None
            ended = await actions.do_reset_password(
                uow, user, new_hash, by=None,
                details={"via": "command_line", "os_user": _operator()})
            await actions.reset_login_failures(runtime.failures, user)
            return user.username, user.active, ended

    # A password the rules refuse (the username itself) ends here, said in one sentence.
    done = cli.run(work)
    if done is None:
        cli.fail(f"There is no user '{login}'.")
    username, active, ended = done
    if password_stdin:
        typer.echo(f"Password of '{username}' changed.")
    else:
        typer.secho(f"\n  New password for '{username}' (shown only this once):", bold=True)
        typer.echo(f"    username    {username}\n    password    {password}\n")
    typer.echo(f"{ended} session{'s' if ended != 1 else ''} ended; API tokens are kept.")
    if not active:
        typer.echo("The account is deactivated: it cannot sign in until it is reactivated.")
