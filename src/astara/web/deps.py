"""Request plumbing shared by the route modules: the runtime and the unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.runtime import Runtime


def runtime_of(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


@contextmanager
def unit(request: Request) -> Iterator[tuple[Session, Scope]]:
    """One transaction for this request, acting for the instance's agency."""
    with runtime_of(request).unit() as pair:
        yield pair
