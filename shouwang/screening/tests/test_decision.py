"""The pure gate decision, path by path (DESIGN.md §4)."""

import datetime as dt
from decimal import Decimal

from shouwang.screening.choices import AlertKind, Decision
from shouwang.screening.decision import GateInput, Identity, PassFacts, decide
from shouwang.screening.policy import Policy
from shouwang.screening.temperature import parse_temperature

TODAY = dt.date(2020, 3, 1)
GOOD_PASS = PassFacts(dt.date(2020, 2, 29), dt.date(2020, 5, 31), revoked=False, community_id=1)


def gate(**kw: object) -> GateInput:
    base: dict[str, object] = {
        "identity": Identity.PASS,
        "checkpoint_id": 10,
        "community_id": 1,
        "direction": "in",
        "today": TODAY,
        "pass_facts": GOOD_PASS,
        "reading": parse_temperature("36.6"),
        "mask": True,
    }
    base.update(kw)
    return GateInput(**base)  # type: ignore[arg-type]


def test_valid_pass_normal_reading_admits() -> None:
    out = decide(gate())
    assert out.decision == Decision.ADMIT
    assert out.reasons == ("pass_valid", "temperature_normal")
    assert out.alerts == ()


def test_pass_states_deny_on_entry() -> None:
    cases = {
        "pass_revoked": PassFacts(GOOD_PASS.valid_from, GOOD_PASS.valid_until, True, 1),
        "pass_expired": PassFacts(dt.date(2020, 1, 1), dt.date(2020, 2, 29), False, 1),
        "pass_not_yet_valid": PassFacts(dt.date(2020, 3, 2), dt.date(2020, 5, 31), False, 1),
        "pass_other_community": PassFacts(GOOD_PASS.valid_from, GOOD_PASS.valid_until, False, 2),
        "pass_checkpoint_not_allowed": PassFacts(
            GOOD_PASS.valid_from, GOOD_PASS.valid_until, False, 1, frozenset({11})
        ),
    }
    for code, facts in cases.items():
        out = decide(gate(pass_facts=facts))
        assert (out.decision, out.reasons[0]) == (Decision.DENY, code)


def test_pass_valid_on_its_last_day_and_first_day() -> None:
    assert decide(gate(today=GOOD_PASS.valid_until)).decision == Decision.ADMIT
    assert decide(gate(today=GOOD_PASS.valid_from)).decision == Decision.ADMIT


def test_leaving_is_not_blocked_by_a_pass_problem() -> None:
    expired = PassFacts(dt.date(2020, 1, 1), dt.date(2020, 2, 1), False, 1)
    out = decide(gate(direction="out", pass_facts=expired, reading=parse_temperature(None)))
    assert out.decision == Decision.ADMIT
    assert "pass_expired" in out.reasons


def test_forged_denies_and_alerts_not_a_pass_registers() -> None:
    forged = decide(gate(identity=Identity.FORGED, pass_facts=None))
    assert (forged.decision, forged.reasons[0], forged.alerts) == (
        Decision.DENY,
        "pass_forged",
        (AlertKind.FORGED_PASS,),
    )
    other_qr = decide(gate(identity=Identity.NOT_A_PASS, pass_facts=None))
    assert (other_qr.decision, other_qr.reasons[0]) == (Decision.REGISTER, "not_a_pass")
    assert "pass_expired" not in other_qr.reasons
    unknown = decide(gate(identity=Identity.UNKNOWN, pass_facts=None))
    assert (unknown.decision, unknown.reasons[0]) == (Decision.REGISTER, "person_unknown")


def test_first_fever_asks_for_retest_second_refers() -> None:
    first = decide(gate(reading=parse_temperature("37.5")))
    assert (first.decision, first.reasons[0]) == (Decision.RETEST, "fever_first_reading")
    second = decide(gate(reading=parse_temperature("37.6"), previous_retest=first.reasons))
    assert (second.decision, second.reasons[0], second.alerts) == (
        Decision.REFER,
        "fever_confirmed",
        (AlertKind.FEVER_REFERRAL,),
    )
    normal = decide(gate(reading=parse_temperature("36.8"), previous_retest=first.reasons))
    assert normal.decision == Decision.ADMIT
    assert "retest_normal" in normal.reasons


def test_threshold_is_inclusive_and_configurable() -> None:
    assert decide(gate(reading=parse_temperature("37.3"))).decision == Decision.RETEST
    assert decide(gate(reading=parse_temperature("37.2"))).decision == Decision.ADMIT
    lenient = Policy(fever_c=Decimal("37.5"))
    assert decide(gate(reading=parse_temperature("37.3")), lenient).decision == Decision.ADMIT


def test_implausible_reading_is_a_retest_never_a_decision() -> None:
    for typed in ("3.0", "34.0", "43"):
        out = decide(gate(reading=parse_temperature(typed)))
        assert (out.decision, out.reasons[0]) == (Decision.RETEST, "temperature_implausible")
    # An implausible retest after a fever reading is still a retest, not a referral.
    again = decide(gate(reading=parse_temperature("30.1"), previous_retest=("fever_first_reading",)))
    assert again.decision == Decision.RETEST


def test_fahrenheit_is_converted_and_labelled() -> None:
    out = decide(gate(reading=parse_temperature("98.6")))
    assert out.decision == Decision.ADMIT
    assert "temperature_converted_f" in out.reasons


def test_missing_reading_on_entry_asks_for_one() -> None:
    out = decide(gate(reading=parse_temperature(None)))
    assert (out.decision, out.reasons[0]) == (Decision.RETEST, "temperature_missing")
    assert decide(gate(direction="out", reading=parse_temperature(None))).decision == Decision.ADMIT


def test_no_mask_denies_entry() -> None:
    out = decide(gate(mask=False))
    assert (out.decision, out.reasons[0]) == (Decision.DENY, "no_mask")
    assert (
        decide(gate(mask=False, direction="out", reading=parse_temperature(None))).decision == Decision.ADMIT
    )


def test_quarantine_stops_going_out_and_notes_coming_in() -> None:
    out = decide(gate(direction="out", quarantine_until=TODAY, reading=parse_temperature(None)))
    assert (out.decision, out.reasons[0], out.alerts) == (
        Decision.DENY,
        "quarantine_active",
        (AlertKind.QUARANTINE_BREACH,),
    )
    free = decide(
        gate(direction="out", quarantine_until=TODAY - dt.timedelta(days=1), reading=parse_temperature(None))
    )
    assert free.decision == Decision.ADMIT
    back = decide(gate(quarantine_until=TODAY))
    assert back.decision == Decision.ADMIT
    assert "quarantine_noted" in back.reasons


def test_fever_outranks_a_bad_pass_once_confirmed() -> None:
    expired = PassFacts(dt.date(2020, 1, 1), dt.date(2020, 2, 1), False, 1)
    out = decide(
        gate(pass_facts=expired, reading=parse_temperature("38.5"), previous_retest=("fever_first_reading",))
    )
    assert out.decision == Decision.REFER
    assert {"fever_confirmed", "pass_expired"} <= set(out.reasons)


def test_person_without_pass_is_denied_entry() -> None:
    out = decide(gate(identity=Identity.PERSON_WITHOUT_PASS, pass_facts=None))
    assert (out.decision, out.reasons[0]) == (Decision.DENY, "no_pass")
