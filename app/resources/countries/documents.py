"""Country documents: the name, and the agencies whose country claim names it."""

from collections import defaultdict

from sqlalchemy import select
from sqlmodel import Session, col

from app.models.public import LinkRef, RefType
from app.resources._types import Built
from app.resources.agencies.models import Agency
from app.resources.countries.models import Country, CountryPublic
from app.resources.reads import key, subject_keys
from app.services.refs import claim_bases, in_order, support_for, url_for

__all__ = ["build_countries"]


def build_countries(session: Session, codes: list[str]) -> list[Built]:
    countries = {
        c.code: c
        for c in session.execute(select(Country).where(col(Country.code).in_(codes))).scalars()
    }
    agencies: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for agency_id, name, code in session.execute(
        select(col(Agency.id), col(Agency.name), col(Agency.country_code))
        .where(col(Agency.country_code).in_(codes))
        .order_by(col(Agency.id))
    ):
        agencies[code].append((agency_id, name))
    of_country = claim_bases(
        session=session,
        subject_type="agency",
        claim="country",
        ids=[a for group in agencies.values() for a, _ in group],
    )
    cited = support_for(session=session, subject_type="country", ids=codes)
    out = []
    for c in in_order(codes, countries):
        deps = {
            key("country", "code", c.code),
            key("agency", "country_code", c.code),
            *subject_keys("country", c.code),
        }
        for a, _ in agencies[c.code]:
            deps |= subject_keys("agency", a)
        document = CountryPublic(
            code=c.code,
            url=url_for("country", c.code),
            name=c.name,
            agencies=[
                LinkRef(
                    type=RefType.agency,
                    id=a,
                    name=name,
                    url=url_for("agency", a),
                    basis=of_country[a],
                )
                for a, name in agencies[c.code]
            ],
            **cited[c.code],
        )
        out.append(Built(c.code, document, frozenset(deps)))
    return out
