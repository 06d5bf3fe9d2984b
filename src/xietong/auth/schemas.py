from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from xietong.core.text import LoginName, Password, TokenName
from xietong.org.schemas import UserOut


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    login: LoginName
    # Checked only against the stored hash, so any length up to the cap is accepted here.
    password: str = Field(min_length=1, max_length=256)


class LoginOut(BaseModel):
    user: UserOut
    token: str
    csrf_token: str


class SessionOut(BaseModel):
    """Whether the request carries a live credential, and whose."""

    signed_in: bool
    user: UserOut | None


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    old_password: str = Field(min_length=1, max_length=256)
    new_password: Password


class ApiTokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: TokenName
    expires_in_days: int | None = Field(default=None, ge=1, le=3650, strict=True)


class ApiTokenOut(BaseModel):
    id: int
    name: str | None
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None


class ApiTokenCreated(ApiTokenOut):
    # The secret, shown this once; only its digest is kept.
    token: str


class ApiTokenList(BaseModel):
    items: list[ApiTokenOut]


class PasswordReset(BaseModel):
    # The new password, shown this once to the administrator who asked; only its hash is kept.
    password: str
    # How many of the person's sessions and API tokens ended with the old password.
    credentials_revoked: int
