"""What sign-in and credentials contribute to the server."""

from __future__ import annotations

from datetime import datetime

from xietong.auth import models
from xietong.auth.actions import do_revoke_api_tokens_of, do_revoke_credentials
from xietong.auth.api import router
from xietong.auth.commands import reset_password
from xietong.auth.queries import last_sign_ins
from xietong.core.i18n import CHINESE
from xietong.core.signals import LastSignIns, UserDeactivated, UserDemotedToGuest
from xietong.core.uow import UnitOfWork
from xietong.manifest import DomainManifest, Mount, Reaction


async def _credentials_end_with_account(uow: UnitOfWork, signal: UserDeactivated) -> int:
    return await do_revoke_credentials(uow, signal.user_id)


async def _guests_keep_no_api_tokens(uow: UnitOfWork, signal: UserDemotedToGuest) -> list[int]:
    return await do_revoke_api_tokens_of(uow, signal.actor, signal.user_id,
                                         reason="demoted_to_guest")


async def _last_sign_ins(uow: UnitOfWork, signal: LastSignIns) -> dict[int, datetime]:
    return await last_sign_ins(uow, signal.user_ids)


MANIFEST = DomainManifest(
    name="auth",
    routers=(Mount(router),),
    models=(models,),
    commands={"reset-password": reset_password},
    signal_handlers=(
        Reaction(UserDeactivated, _credentials_end_with_account),
        Reaction(UserDemotedToGuest, _guests_keep_no_api_tokens),
        Reaction(LastSignIns, _last_sign_ins),
    ),
    error_texts={
        CHINESE: {
            "system_account": "系统账号不能登录，也不能修改。",
            "bad_credentials": "用户名或密码错误。",
            "wrong_password": "当前密码不正确。",
            "account_inactive": "账号已停用。",
        },
    },
)
