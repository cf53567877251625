"""Reads of the people app: finding a person at the gate by name or pinyin."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.db.models import Q

from shouwang.people.models import InstitutionMember, Resident
from shouwang.places.models import Community


@dataclass(frozen=True)
class PersonHit:
    """One row of the gate's pick-list: masked, with where they live or work."""

    kind: str  # "resident" | "member"
    id: int
    masked_name: str
    id_masked: str
    where: str


def search_people(community: Community, query: str, *, limit: int = 10) -> list[PersonHit]:
    """Residents and institution members of ``community`` whose name matches ``query``.

    Latin letters match pinyin initials or full pinyin from the start (``zs``, ``zhangs`` find
    张三; surnames like 单 read ``shan``, see :mod:`shouwang.people.names`); Chinese matches any
    part of the name. At most ``limit`` of each kind, residents first. Two queries.
    """
    text = "".join(
        ch for ch in unicodedata.normalize("NFKC", query).lower() if not ch.isspace() and ch.isprintable()
    )
    if not text:
        return []
    if text.isascii() and text.isalpha():
        match = Q(name_initials__startswith=text) | Q(name_pinyin__startswith=text)
    else:
        match = Q(name__contains=text)
    residents = (
        Resident.objects.filter(match, community=community)
        .select_related("household")
        .order_by("name_pinyin", "pk")[:limit]
    )
    hits = [
        PersonHit("resident", r.pk, r.masked_name, r.id_masked, r.household.address if r.household else "")
        for r in residents
    ]
    members = (
        InstitutionMember.objects.filter(match, community=community)
        .select_related("institution")
        .order_by("name_pinyin", "pk")[:limit]
    )
    hits += [PersonHit("member", m.pk, m.masked_name, m.id_masked, m.institution.name) for m in members]
    return hits[:limit]
