"""The gate decision: a pure function, no ORM, no request (STYLE.md §7).

(identity, person status, reading, direction, policy) → (decision, reason codes, alerts).
Rules from DESIGN.md §4; the order of severity is refer > deny > retest > register > admit, so a
confirmed fever always goes to the health station and a bad pass is never sent to retest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from shouwang.screening.choices import AlertKind, Decision, Direction
from shouwang.screening.policy import DEFAULT_POLICY, Policy
from shouwang.screening.temperature import NO_READING, Reading


class Identity(StrEnum):
    """What identification found."""

    PASS = "pass"  # a pass of ours (scanned, typed, or the pass on file of an identified person)
    PERSON_WITHOUT_PASS = "person_without_pass"  # known person, no pass on file
    NOT_A_PASS = "not_a_pass"  # a QR that is not ours
    FORGED = "forged"  # shaped like ours, signature fails
    UNKNOWN = "unknown"  # no such pass or person


@dataclass(frozen=True)
class PassFacts:
    """The pass as the decision needs it. Dates are local, inclusive."""

    valid_from: dt.date
    valid_until: dt.date
    revoked: bool
    community_id: int
    allowed_checkpoints: frozenset[int] = frozenset()  # empty: every checkpoint of its community


@dataclass(frozen=True)
class GateInput:
    """Everything the decision looks at. ``today`` is the local date at the checkpoint.

    ``previous_retest`` holds the reason codes of this person's earlier ``retest`` answer at this
    gate within the retest window, if any; it makes this screening the retest. ``referred_since``
    is the local time (``HH:MM``) of a fever referral of this person within the referral hold.
    ``checkpoint_open`` is False outside the gate's opening ``hours``.
    """

    identity: Identity
    checkpoint_id: int
    community_id: int
    direction: str
    today: dt.date
    pass_facts: PassFacts | None = None
    person_community_id: int | None = None
    quarantine_until: dt.date | None = None
    reading: Reading = NO_READING
    mask: bool | None = None
    previous_retest: tuple[str, ...] = ()
    checkpoint_open: bool = True
    hours: str = ""
    referred_since: str | None = None


@dataclass(frozen=True)
class Outcome:
    """The decision with its reasons (stable codes, most important first) and alerts."""

    decision: Decision
    reasons: tuple[str, ...]
    alerts: tuple[AlertKind, ...] = ()
    params: dict[str, str] = field(default_factory=dict)


_SEVERITY = [Decision.REFER, Decision.DENY, Decision.RETEST, Decision.REGISTER, Decision.ADMIT]


def _pass_problems(g: GateInput) -> tuple[str, ...]:
    facts = g.pass_facts
    if facts is None:
        return ()
    if facts.revoked:
        return ("pass_revoked",)
    if facts.community_id != g.community_id:
        return ("pass_other_community",)
    if g.today < facts.valid_from:
        return ("pass_not_yet_valid",)
    if g.today > facts.valid_until:
        return ("pass_expired",)
    if facts.allowed_checkpoints and g.checkpoint_id not in facts.allowed_checkpoints:
        return ("pass_checkpoint_not_allowed",)
    return ()


def decide(g: GateInput, policy: Policy = DEFAULT_POLICY) -> Outcome:
    """Decide one screening. Pure and total: every input gets an :class:`Outcome`."""
    found: list[tuple[Decision, str]] = []
    alerts: list[AlertKind] = []
    params: dict[str, str] = {}
    going_in = g.direction == Direction.IN

    # Identity and pass.
    if g.identity == Identity.FORGED:
        found.append((Decision.DENY, "pass_forged"))
        alerts.append(AlertKind.FORGED_PASS)
    elif g.identity == Identity.NOT_A_PASS:
        found.append((Decision.REGISTER if going_in else Decision.ADMIT, "not_a_pass"))
    elif g.identity == Identity.UNKNOWN:
        found.append((Decision.REGISTER if going_in else Decision.ADMIT, "person_unknown"))
    elif g.identity == Identity.PERSON_WITHOUT_PASS:
        found.append((Decision.DENY if going_in else Decision.ADMIT, "no_pass"))
    elif g.identity == Identity.PASS and g.pass_facts is not None:
        problems = _pass_problems(g)
        for code in problems:
            # Leaving is never blocked by a pass problem; it is only noted.
            found.append((Decision.DENY if going_in else Decision.ADMIT, code))
        if not problems:
            found.append((Decision.ADMIT, "pass_valid"))
        params["until"] = f"{g.pass_facts.valid_until:%Y-%m-%d}"
        params["since"] = f"{g.pass_facts.valid_from:%Y-%m-%d}"

    if not g.checkpoint_open:
        found.append((Decision.DENY, "checkpoint_closed"))
        params["hours"] = g.hours

    # A fever referral holds at every gate until the health station has seen them.
    if going_in and g.referred_since is not None:
        found.append((Decision.REFER, "fever_referred_recently"))
        params["referred_at"] = g.referred_since

    # Home quarantine: stopped going out, noted coming in.
    if g.quarantine_until is not None and g.today <= g.quarantine_until:
        params["until"] = f"{g.quarantine_until:%Y-%m-%d}"
        if going_in:
            found.append((Decision.ADMIT, "quarantine_noted"))
        else:
            found.append((Decision.DENY, "quarantine_active"))
            alerts.append(AlertKind.QUARANTINE_BREACH)

    # Mask.
    mask_required = policy.mask_required_in if going_in else policy.mask_required_out
    if g.mask is False and mask_required:
        found.append((Decision.DENY, "no_mask"))
    elif g.mask is None and mask_required:
        found.append((Decision.ADMIT, "mask_unchecked"))

    # Temperature.
    if going_in or policy.temperature_on_exit or g.reading.taken:
        found.extend(_temperature(g, policy, alerts, params))

    decision = min((d for d, _ in found), key=_SEVERITY.index, default=Decision.ADMIT)
    ordered = sorted(found, key=lambda pair: _SEVERITY.index(pair[0]))
    reasons = tuple(dict.fromkeys(code for _, code in ordered))
    return Outcome(decision, reasons, tuple(dict.fromkeys(alerts)), params)


def _temperature(
    g: GateInput, policy: Policy, alerts: list[AlertKind], params: dict[str, str]
) -> list[tuple[Decision, str]]:
    reading = g.reading
    if reading.celsius is None:
        return [(Decision.RETEST, "temperature_missing")]
    params["c"] = f"{reading.celsius}"
    found: list[tuple[Decision, str]] = []
    if reading.converted_from_f:
        found.append((Decision.ADMIT, "temperature_converted_f"))
    if not reading.plausible:
        found.append((Decision.RETEST, "temperature_implausible"))
    elif reading.celsius >= policy.fever_c:
        if "fever_first_reading" in g.previous_retest or "fever_confirmed" in g.previous_retest:
            found.append((Decision.REFER, "fever_confirmed"))
            alerts.append(AlertKind.FEVER_REFERRAL)
        else:
            found.append((Decision.RETEST, "fever_first_reading"))
    elif g.previous_retest:
        found.append((Decision.ADMIT, "retest_normal"))
    else:
        found.append((Decision.ADMIT, "temperature_normal"))
    return found
