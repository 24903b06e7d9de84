"""REST API: who am I, and API tokens (create, list, revoke)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from astara.auth import service
from astara.kit.dates import UtcDateTime
from astara.web.deps import unit

router = APIRouter(prefix="/api", tags=["auth"])


class Me(BaseModel):
    agency: str
    user_id: int | None
    role: str


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="What the token is for.")


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: UtcDateTime
    last_used_at: UtcDateTime | None
    revoked_at: UtcDateTime | None


class NewToken(TokenOut):
    token: str = Field(description="The token itself; shown this once, never stored.")


@router.get("/me", response_model=Me)
def me(request: Request) -> Me:
    with unit(request) as (_session, scope):
        return Me(agency=scope.agency_code, user_id=scope.user_id, role=scope.role)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(request: Request) -> list[TokenOut]:
    with unit(request) as (session, scope):
        return [TokenOut.model_validate(t, from_attributes=True) for t in service.list_tokens(session, scope)]


@router.post("/tokens", response_model=NewToken, status_code=201)
def create_token(request: Request, body: TokenIn) -> NewToken:
    with unit(request) as (session, scope):
        token, plain = service.create_token(session, scope, body.name)
        session.flush()
        out = TokenOut.model_validate(token, from_attributes=True)
    return NewToken(**out.model_dump(), token=plain)


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke_token(request: Request, token_id: int) -> TokenOut:
    with unit(request) as (session, scope):
        return TokenOut.model_validate(service.revoke_token(session, scope, token_id), from_attributes=True)
