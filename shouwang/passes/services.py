"""Writes of the passes app: issuing and revoking passes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from shouwang.core.audit import log_action
from shouwang.core.errors import InvalidInput, ShouwangError
from shouwang.passes import signing
from shouwang.passes.models import Pass, PassCheckpoint, PassType
from shouwang.people.models import InstitutionMember, Resident
from shouwang.places.models import Checkpoint, Community


def qr_payload(p: Pass) -> str:
    """The signed QR text for a pass (see :mod:`shouwang.passes.signing`)."""
    return signing.sign_pass(p.number, p.community.code, p.valid_until)


def _next_numbers(community: Community, count: int) -> list[str]:
    """``<COMMUNITY CODE>-000123``-style numbers, continuing the community's sequence."""
    prefix = community.code.upper() + "-"
    last = (
        Pass.objects.filter(community=community, number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    start = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return [f"{prefix}{n:06d}" for n in range(start, start + count)]


def issue_pass(
    holder: Resident | InstitutionMember,
    *,
    pass_type: PassType,
    valid_from: dt.date,
    valid_until: dt.date,
    actor: Any,
    checkpoints: Iterable[Checkpoint] = (),
) -> Pass:
    """Issue one pass. Dates are local, inclusive. Raises ``pass_dates`` if they are reversed."""
    return issue_passes(
        [holder],
        pass_type=pass_type,
        valid_from=valid_from,
        valid_until=valid_until,
        actor=actor,
        checkpoints=checkpoints,
    )[0]


def issue_passes(
    holders: Iterable[Resident | InstitutionMember],
    *,
    pass_type: PassType,
    valid_from: dt.date,
    valid_until: dt.date,
    actor: Any,
    checkpoints: Iterable[Checkpoint] = (),
) -> list[Pass]:
    """Issue a pass to each holder, numbered in sequence, in one transaction with one audit row."""
    if valid_until < valid_from:
        raise InvalidInput("pass_dates", field="valid_until")
    holders = list(holders)
    community = pass_type.community
    gates = list(checkpoints)
    with transaction.atomic():
        # Lock the community row so two issuers cannot hand out the same numbers.
        Community.objects.select_for_update().filter(pk=community.pk).exists()
        numbers = _next_numbers(community, len(holders))
        passes = [
            Pass(
                community=community,
                number=number,
                pass_type=pass_type,
                resident=holder if isinstance(holder, Resident) else None,
                member=holder if isinstance(holder, InstitutionMember) else None,
                valid_from=valid_from,
                valid_until=valid_until,
                restricted=bool(gates),
            )
            for number, holder in zip(numbers, holders, strict=True)
        ]
        Pass.objects.bulk_create(passes)
        if gates:
            saved = Pass.objects.filter(number__in=numbers)
            PassCheckpoint.objects.bulk_create(
                [PassCheckpoint(community=community, pass_obj=p, checkpoint=g) for p in saved for g in gates]
            )
            passes = list(saved.order_by("number"))
        else:
            passes = list(Pass.objects.filter(number__in=numbers).order_by("number"))
        log_action(
            "pass.issue",
            actor=actor,
            community=community,
            count=len(passes),
            first=numbers[0] if numbers else None,
            last=numbers[-1] if numbers else None,
        )
    return passes


def issue_missing_passes(
    community: Community, *, pass_type: PassType, valid_from: dt.date, valid_until: dt.date, actor: Any
) -> list[Pass]:
    """Issue ``pass_type`` to every resident of ``community`` with no live pass on ``valid_from``."""
    # Residents whose pass was revoked are left out: a revocation (moved away, pass lent to
    # someone) is undone by a worker one person at a time, not by a bulk run.
    live = Pass.objects.filter(resident=OuterRef("pk"), revoked_at__isnull=True, valid_until__gte=valid_from)
    revoked = Pass.objects.filter(resident=OuterRef("pk"), revoked_at__isnull=False)
    holders = (
        Resident.objects.filter(community=community)
        .filter(~Q(Exists(live)) & ~Q(Exists(revoked)))
        .order_by("pk")
    )
    return issue_passes(
        holders, pass_type=pass_type, valid_from=valid_from, valid_until=valid_until, actor=actor
    )


def revoke_pass(p: Pass, *, reason: str, actor: Any) -> Pass:
    """Revoke a pass; it stops working at every gate at once (and on devices at next sync)."""
    if not reason.strip():
        raise InvalidInput("required", field="reason", what="作废原因 reason")
    with transaction.atomic():
        locked = Pass.objects.select_for_update().get(pk=p.pk)
        if locked.revoked_at is not None:
            raise ShouwangError("pass_already_revoked")
        locked.revoked_at = timezone.now()
        locked.revoked_reason = reason.strip()[:200]
        locked.save(update_fields=["revoked_at", "revoked_reason"])
        log_action(
            "pass.revoke", actor=actor, community=locked.community, obj=locked, reason=locked.revoked_reason
        )
    return locked


def record_pass_print(
    passes: list[Pass], *, community: Community, actor: Any, status: str, pngs: bool
) -> None:
    """Audit a print run of pass cards: cards carry names, so printing is an export of personal data."""
    log_action(
        "pass.print",
        actor=actor,
        community=community,
        count=len(passes),
        status=status,
        first=passes[0].number if passes else None,
        last=passes[-1].number if passes else None,
        pngs=pngs,
    )
