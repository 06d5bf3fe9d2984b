"""An administrator resets someone's password: a generated one, shown once, and every
credential made with the old one ends; audited; only for those the administrator manages."""

from __future__ import annotations

from sqlalchemy import select

from tests.api_inputs import Unchanged, refused
from tests.helpers import PASSWORD, Cast, anonymous_client, client_with_token
from xietong.audit.models import AuditEntry
from xietong.org.models import User

LOGIN = "/api/v1/auth/login"


def reset_path(user_id: int) -> str:
    return f"/api/v1/users/{user_id}/password-reset"


async def test_a_reset_gives_a_new_password_and_ends_every_credential(cast: Cast) -> None:
    admin, lina = cast.linxiaoyan, cast.lina
    token = await lina.api.post("/api/v1/tokens", json={"name": "日报脚本"})
    assert token.status_code == 201
    api_token = token.json()["token"]
    async with cast.runtime.reader() as uow:
        old_hash = (await uow.session.get(User, lina.id)).password_hash  # type: ignore[union-attr]

    response = await admin.api.post(reset_path(lina.id))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    password = body["password"]
    assert len(password) >= 20
    assert password != PASSWORD
    assert body["credentials_revoked"] == 2  # her session and her API token

    # Her session and token are dead; the old password opens nothing; the new one does.
    assert (await lina.api.get("/api/v1/users/me")).status_code == 401
    async with client_with_token(cast.client, api_token) as script:
        assert (await script.get("/api/v1/users/me")).status_code == 401
    async with anonymous_client(cast.client) as anonymous:
        old = await anonymous.post(LOGIN, json={"login": "lina", "password": PASSWORD})
        assert old.status_code == 401
        new = await anonymous.post(LOGIN, json={"login": "lina", "password": password})
        assert new.status_code == 200, new.text
    async with cast.runtime.reader() as uow:
        stored = await uow.session.get(User, lina.id)
        assert stored is not None
        assert stored.password_hash not in (old_hash, None)
        assert password not in (stored.password_hash or "")
        [entry] = (await uow.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "password.reset"))).all()
    assert (entry.actor_id, entry.target, entry.details) == (
        admin.id, f"user:{lina.id}", {"credentials_revoked": 2})

    # Each reset is a new password.
    again = await admin.api.post(reset_path(lina.id))
    assert again.json()["password"] != password


async def test_who_may_reset_whose_password(cast: Cast, unchanged: Unchanged) -> None:
    admin, owner = cast.linxiaoyan, cast.zhoujianguo
    async with unchanged:
        # Members and guests reset nobody's, not even their own this way.
        for person in (cast.zhangwei, cast.lina):
            for target in (cast.liuyang, person):
                refused(await person.api.post(reset_path(target.id)), 403, "forbidden")
        # A guest sees only people they share a channel with: the rest are not there.
        refused(await cast.alex.api.post(reset_path(cast.liuyang.id)), 404, "not_found")
        refused(await cast.alex.api.post(reset_path(cast.alex.id)), 403, "forbidden")
        # An admin does not reset an owner's, nor their own (that is a password change).
        refused(await admin.api.post(reset_path(owner.id)), 403, "forbidden")
        refused(await admin.api.post(reset_path(admin.id)), 403, "forbidden")
        refused(await owner.api.post(reset_path(owner.id)), 403, "forbidden")
        refused(await admin.api.post(reset_path(999_999)), 404, "not_found")
        async with anonymous_client(cast.client) as anonymous:
            refused(await anonymous.post(reset_path(cast.liuyang.id)), 401)
    # An owner resets an admin's; an admin a deactivated member's (for their return).
    assert (await owner.api.post(reset_path(admin.id))).status_code == 200
    deactivate = await owner.api.patch(f"/api/v1/users/{cast.liuyang.id}",
                                       json={"active": False})
    assert deactivate.status_code == 200
    assert (await owner.api.post(reset_path(cast.liuyang.id))).status_code == 200
