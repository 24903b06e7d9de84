"""Queries on reference totals (instance-wide reference data: no agency owns it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from astara.db.models import ReferenceTotal as R


def replace_source(session: Session, source: str, rows: Sequence[dict[str, Any]]) -> None:
    """Drop the source's rows and store ``rows`` instead (a re-import changes nothing twice)."""
    session.execute(delete(R).where(R.source == source))
    if rows:
        session.execute(insert(R), list(rows))


def sources_for(session: Session, country: str, year: int) -> list[str]:
    """Sources with totals for the country and year, the one reaching the latest year first."""
    having = select(R.source).where(R.country == country, R.year == year).distinct()
    newest = func.max(R.year)
    stmt = (
        select(R.source, newest)
        .where(R.source.in_(having))
        .group_by(R.source)
        .order_by(newest.desc(), R.source)
    )
    return [source for source, _ in session.execute(stmt)]


def totals_by_group(session: Session, source: str, country: str, year: int) -> list[tuple[str | None, float]]:
    stmt = (
        select(R.drug_group, func.sum(R.kg))
        .where(R.source == source, R.country == country, R.year == year)
        .group_by(R.drug_group)
    )
    return [(g, float(kg or 0.0)) for g, kg in session.execute(stmt)]
