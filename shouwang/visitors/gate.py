"""What the gate decides about outsiders (visitors and delivery riders), and what it needs to
know when a visitor pass is scanned.

:func:`decide_outsider` is pure: it runs the residents' decision
(:func:`shouwang.screening.decision.decide`) on a registered outsider, so mask and temperature
follow exactly the same rules — a fever reading asks for a retest, a second one refers to the
health station, an implausible reading asks for a retest, a fever referral holds at every gate,
gate hours apply. :func:`visitor_at_gate` recognises a scanned visitor pass and turns it into
facts for the same decision (a one-day pass of its community), for the screening's ``identify``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

from shouwang.passes import signing
from shouwang.screening.choices import Direction
from shouwang.screening.decision import GateInput, Identity, Outcome, PassFacts, decide
from shouwang.screening.policy import DEFAULT_POLICY, Policy
from shouwang.screening.temperature import NO_READING, Reading
from shouwang.visitors import passes

_TRUE = {"1", "true", "yes", "y", "on", "是"}
_FALSE = {"0", "false", "no", "n", "off", "否", ""}
# ``TPS-V200301-007``: community code, V, local date YYMMDD, sequence of the day.
VISITOR_PASS_NUMBER = re.compile(r"[A-Z0-9_-]+-V\d{6}-\d{3,}")


@dataclass(frozen=True)
class OutsiderPolicy:
    """The sub-district's rules for outsiders, read from ``Subdistrict.policy`` beside the
    screening :class:`~shouwang.screening.policy.Policy` (which ignores these keys).

    ``visitor_document_required``: a visitor's identity document must be registered (default
    True; the issue makes it optional by policy). ``riders_enter``: delivery riders may be let in
    rather than hand over at the gate (default False: handoff at the gate, as in the 2020
    operation). ``invitation_days_ahead``: how far ahead a visit may be pre-registered.
    """

    visitor_document_required: bool = True
    riders_enter: bool = False
    invitation_days_ahead: int = 14

    @classmethod
    def from_overrides(cls, overrides: dict[str, Any] | None) -> OutsiderPolicy:
        """Defaults with a sub-district's overrides; unknown keys are ignored, and a flag written
        as text (``"false"``, ``"否"``) means what it says rather than Python's ``bool("false")``."""
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if not overrides or f.name not in overrides:
                continue
            raw = overrides[f.name]
            default = getattr(DEFAULT_OUTSIDER_POLICY, f.name)
            if isinstance(default, bool):
                values[f.name] = _flag(raw, default)
            else:
                try:
                    values[f.name] = int(raw)
                except (TypeError, ValueError):
                    continue
        return dataclasses.replace(DEFAULT_OUTSIDER_POLICY, **values) if values else DEFAULT_OUTSIDER_POLICY


def _flag(raw: Any, default: bool) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return default


DEFAULT_OUTSIDER_POLICY = OutsiderPolicy()


def decide_outsider(
    *,
    reading: Reading = NO_READING,
    mask: bool | None,
    today: dt.date,
    checkpoint_id: int,
    community_id: int,
    checkpoint_open: bool = True,
    hours: str = "",
    previous_retest: tuple[str, ...] = (),
    referred_since: str | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> Outcome:
    """The gate decision for a visitor or rider being registered on the way in.

    The registration itself is the identity check, so no pass rule applies: the decision comes
    from the checkpoint's hours, a fever referral still holding (``referred_since``, local
    ``HH:MM``), the mask and the reading (°C), with ``previous_retest`` the reason codes of this
    person's ``retest`` answer at this gate within the retest window. Admit, retest, refer or
    deny — never ``register``.
    """
    return decide(
        GateInput(
            identity=Identity.PASS,  # without pass facts: no pass reason, see above
            checkpoint_id=checkpoint_id,
            community_id=community_id,
            direction=Direction.IN,
            today=today,
            reading=reading,
            mask=mask,
            previous_retest=previous_retest,
            checkpoint_open=checkpoint_open,
            hours=hours,
            referred_since=referred_since,
        ),
        policy,
    )


@dataclass(frozen=True)
class VisitorAtGate:
    """A scanned or typed visitor pass, as the screening needs it.

    ``identity`` is ``PASS`` for a pass of a stored visit (then ``pass_facts`` says it is valid on
    the visit's local date only, at every gate of its community), ``FORGED`` for a payload whose
    signature fails, ``UNKNOWN`` for a genuine payload whose visit is gone (purged).
    ``person_key`` ties the visitor's screenings together (``v:<visitor id>``) for duplicates,
    retests and referral holds; ``person_masked`` is what the gate shows.
    """

    identity: Identity
    person_key: str
    person_masked: str = ""
    pass_facts: PassFacts | None = None
    visit_id: uuid.UUID | None = None
    visitor_id: int | None = None
    community_id: int | None = None
    pass_number: str = ""
    host: str = ""
    on_site: bool = False


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def is_visitor_pass(text: str) -> bool:
    """Whether a scanned text claims to be a visitor pass (shape only, no signature check)."""
    return passes.kind_of(text) == passes.VISITOR_PREFIX


def looks_like_visitor_pass_number(typed: str) -> bool:
    """Whether a typed pass number has the visitor pass's shape (``TPS-V200301-007``)."""
    return bool(VISITOR_PASS_NUMBER.fullmatch(normalise_number(typed)))


def normalise_number(typed: str) -> str:
    return unicodedata.normalize("NFKC", typed).strip().upper().replace(" ", "")


def visitor_at_gate(qr: str) -> VisitorAtGate | None:
    """A scanned QR as a visitor pass; None when it is not shaped like one (let the caller try
    the residents' passes). Reads the visit by its pass number (one query)."""
    if not is_visitor_pass(qr):
        return None
    try:
        claim = passes.verify_claim(passes.VISITOR_PREFIX, qr)
    except signing.NotAPass:
        return None
    except signing.ForgedPass:
        return VisitorAtGate(Identity.FORGED, person_key=f"q:{_digest(signing.strip_eci(qr))}")
    return _by_number(claim.ref)


def visitor_at_gate_by_number(typed: str) -> VisitorAtGate | None:
    """A typed visitor pass number; None when it does not have the shape of one. A number of the
    right shape that names no visit is ``UNKNOWN`` (the caller decides whether to ask again)."""
    if not looks_like_visitor_pass_number(typed):
        return None
    return _by_number(normalise_number(typed))


def _by_number(number: str) -> VisitorAtGate:
    from shouwang.visitors.models import Visit

    visit = (
        Visit.objects.filter(pass_number=number)
        .only(
            "id",
            "community_id",
            "local_date",
            "host_label",
            "out_at",
            "pass_number",
            "visitor_id",
            "visitor_name_masked",
        )
        .first()
    )
    if visit is None:
        return VisitorAtGate(Identity.UNKNOWN, person_key=f"n:{_digest(number)}")
    return VisitorAtGate(
        Identity.PASS,
        person_key=f"v:{visit.visitor_id}",
        person_masked=f"{visit.masked_name} 访客 {visit.pass_number}",
        pass_facts=PassFacts(
            valid_from=visit.local_date,
            valid_until=visit.local_date,
            revoked=False,
            community_id=visit.community_id,
        ),
        visit_id=visit.id,
        visitor_id=visit.visitor_id,
        community_id=visit.community_id,
        pass_number=visit.pass_number,
        host=visit.host_label,
        on_site=visit.out_at is None,
    )
