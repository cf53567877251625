"""``record_screening``: identification, storage, idempotency, duplicates and retests."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from conftest import ZHANG_SAN_ID, World, start_quarantine
from shouwang.core.errors import Forbidden, InvalidInput
from shouwang.core.idempotency import IdReusedDifferently
from shouwang.passes import signing
from shouwang.passes.services import qr_payload, revoke_pass
from shouwang.screening.identify import Identifier
from shouwang.screening.models import Alert, ScreeningEvent
from shouwang.screening.services import record_screening

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def screen(world: World, ident: Identifier, **kw: Any) -> Any:
    args: dict[str, Any] = {
        "checkpoint": world.gate_a,
        "direction": "in",
        "temperature": "366",
        "mask": True,
        "actor": world.gate_user,
    }
    args.update(kw)
    return record_screening(ident, **args)


def test_scanned_pass_is_admitted_and_stored(world: World) -> None:
    result = screen(world, Identifier(qr=qr_payload(world.pass_)))
    event = result.event
    assert result.created
    assert event.decision == "admit"
    assert event.temperature_c == Decimal("36.6")
    assert event.temperature_raw == "366"
    assert event.pass_obj == world.pass_
    assert event.staff == world.gate_user
    assert event.person_masked.startswith("张*")
    assert ZHANG_SAN_ID not in event.person_masked
    assert ScreeningEvent.objects.count() == 1


def test_each_way_of_identifying_finds_the_pass(world: World) -> None:
    t0 = timezone.now() - dt.timedelta(hours=1)
    idents = [
        Identifier(pass_number=world.pass_.number.lower()),
        Identifier(id_number=ZHANG_SAN_ID),
        Identifier(id_number=" ".join(ZHANG_SAN_ID)),
        Identifier(resident=world.resident.pk),
    ]
    for i, ident in enumerate(idents):
        event = screen(world, ident, occurred_at=t0 + dt.timedelta(minutes=i)).event
        assert (event.decision, event.pass_obj) == ("admit", world.pass_), ident


def test_qr_with_eci_prefix_verifies(world: World) -> None:
    event = screen(world, Identifier(qr="\\000026" + qr_payload(world.pass_))).event
    assert event.decision == "admit"


def test_payload_signed_with_another_key_is_forged(world: World) -> None:
    fake = signing.sign_pass(world.pass_.number, "tps", dt.date(2099, 1, 1), key=Ed25519PrivateKey.generate())
    event = screen(world, Identifier(qr=fake)).event
    assert (event.decision, event.reasons[0]) == ("deny", "pass_forged")
    assert Alert.objects.filter(screening=event, kind="forged_pass").exists()


def test_other_qr_is_not_a_pass(world: World) -> None:
    event = screen(world, Identifier(qr="https://example.com/health-code?id=1")).event
    assert (event.decision, event.reasons[0]) == ("register", "not_a_pass")


def test_revoked_pass_is_denied(world: World) -> None:
    revoke_pass(world.pass_, reason="moved away", actor=world.admin)
    event = screen(world, Identifier(qr=qr_payload(world.pass_))).event
    assert (event.decision, event.reasons[0]) == ("deny", "pass_revoked")


def test_pass_of_other_community_is_denied_at_its_gate(world: World) -> None:
    from shouwang.core.models import Staff

    Staff.objects.get(user=world.other_gate_user).communities.add(world.community_b)
    event = screen(
        world, Identifier(qr=qr_payload(world.pass_)), checkpoint=world.gate_b, actor=world.other_gate_user
    ).event
    assert (event.decision, event.reasons[0]) == ("deny", "pass_other_community")


def test_staff_of_another_community_cannot_screen_here(world: World) -> None:
    with pytest.raises(Forbidden):
        screen(world, Identifier(qr=qr_payload(world.pass_)), actor=world.other_gate_user)
    assert ScreeningEvent.objects.count() == 0


def test_same_client_id_is_one_record(world: World) -> None:
    cid = uuid.uuid4()
    first = screen(world, Identifier(qr=qr_payload(world.pass_)), client_id=cid)
    again = screen(world, Identifier(qr=qr_payload(world.pass_)), client_id=cid)
    assert first.created and not again.created
    assert again.event.pk == first.event.pk == cid
    with pytest.raises(IdReusedDifferently):
        screen(world, Identifier(qr=qr_payload(world.pass_)), client_id=cid, temperature="37.9")
    assert ScreeningEvent.objects.count() == 1


def test_pass_scanned_twice_within_seconds_is_one_record(world: World) -> None:
    t0 = timezone.now() - dt.timedelta(minutes=1)
    first = screen(world, Identifier(qr=qr_payload(world.pass_)), occurred_at=t0)
    second = screen(world, Identifier(qr=qr_payload(world.pass_)), occurred_at=t0 + dt.timedelta(seconds=5))
    assert not second.created
    assert second.event.pk == first.event.pk
    # Other direction, or later than the window: a new record.
    assert screen(world, Identifier(qr=qr_payload(world.pass_)), occurred_at=t0, direction="out").created
    assert screen(
        world, Identifier(qr=qr_payload(world.pass_)), occurred_at=t0 + dt.timedelta(seconds=11)
    ).created
    assert ScreeningEvent.objects.count() == 3


def test_a_client_id_spent_on_a_merged_scan_stays_spent(world: World) -> None:
    """Found by a breaker: a UUID merged into an earlier scan was free again, so the same UUID
    with another reading made a new record and resending the first request then got a 409."""
    t0 = timezone.now() - dt.timedelta(minutes=1)
    qr = Identifier(qr=qr_payload(world.pass_))
    first = screen(world, qr, occurred_at=t0, client_id=uuid.uuid4())
    merged_id = uuid.uuid4()
    merged = screen(world, qr, occurred_at=t0 + dt.timedelta(seconds=2), client_id=merged_id)
    assert not merged.created and merged.event.pk == first.event.pk
    # The same request again (a retried sync): the same answer, nothing new.
    again = screen(world, qr, occurred_at=t0 + dt.timedelta(seconds=2), client_id=merged_id)
    assert not again.created and again.event.pk == first.event.pk
    # The same UUID with other content: refused, not a new record.
    with pytest.raises(IdReusedDifferently):
        screen(world, qr, occurred_at=t0 + dt.timedelta(seconds=3), client_id=merged_id, temperature="395")
    assert ScreeningEvent.objects.count() == 1
    assert not screen(world, qr, occurred_at=t0 + dt.timedelta(seconds=2), client_id=merged_id).created


def test_retest_then_refer(world: World) -> None:
    t0 = timezone.now() - dt.timedelta(minutes=10)
    first = screen(world, Identifier(qr=qr_payload(world.pass_)), temperature="37.8", occurred_at=t0).event
    assert first.decision == "retest"
    second = screen(
        world,
        Identifier(qr=qr_payload(world.pass_)),
        temperature="37.9",
        occurred_at=t0 + dt.timedelta(minutes=3),
    )
    assert second.created
    assert (second.event.decision, second.event.reasons[0]) == ("refer", "fever_confirmed")
    assert Alert.objects.filter(kind="fever_referral").count() == 1


def test_retest_then_admit_even_within_seconds(world: World) -> None:
    t0 = timezone.now() - dt.timedelta(minutes=10)
    assert (
        screen(
            world, Identifier(qr=qr_payload(world.pass_)), temperature="37.4", occurred_at=t0
        ).event.decision
        == "retest"
    )
    # A scanner double-firing the same reading is the same scan, not a retest.
    dup = screen(
        world,
        Identifier(qr=qr_payload(world.pass_)),
        temperature="37.4",
        occurred_at=t0 + dt.timedelta(seconds=2),
    )
    assert not dup.created
    retest = screen(
        world,
        Identifier(qr=qr_payload(world.pass_)),
        temperature="36.9",
        occurred_at=t0 + dt.timedelta(seconds=8),
    )
    assert retest.created
    assert (retest.event.decision, "retest_normal" in retest.event.reasons) == ("admit", True)


def test_quarantined_resident_going_out_is_stopped(world: World) -> None:
    start_quarantine(world, world.resident, timezone.localdate() + dt.timedelta(days=3))
    event = screen(world, Identifier(resident=world.resident.pk), direction="out", temperature=None).event
    assert (event.decision, event.reasons[0]) == ("deny", "quarantine_active")
    assert Alert.objects.filter(kind="quarantine_breach").count() == 1


@time_machine.travel(dt.datetime(2020, 3, 1, 2, 0, tzinfo=dt.UTC), tick=True)
def test_half_past_midnight_counts_on_that_local_day(world: World) -> None:
    at = dt.datetime(2020, 3, 1, 0, 30, tzinfo=SHANGHAI)
    event = screen(world, Identifier(qr=qr_payload(world.pass_)), occurred_at=at).event
    assert event.local_date == dt.date(2020, 3, 1)
    assert event.local_hour == 0
    assert event.occurred_at == at.astimezone(dt.UTC)


def test_bad_input_writes_nothing(world: World) -> None:
    bad: list[dict[str, Any]] = [
        {"temperature": "abc"},
        {"direction": "sideways"},
        {"occurred_at": timezone.now() + dt.timedelta(hours=1)},
    ]
    for kw in bad:
        with pytest.raises(InvalidInput):
            screen(world, Identifier(qr=qr_payload(world.pass_)), **kw)
    with pytest.raises(InvalidInput) as err:
        screen(world, Identifier(id_number="110102198001010018"))
    assert err.value.code == "id_checksum"
    with pytest.raises(InvalidInput):
        screen(world, Identifier())
    with pytest.raises(InvalidInput):
        screen(world, Identifier(pass_number="X", resident=1))
    assert ScreeningEvent.objects.count() == 0


def test_unknown_id_number_asks_to_register(world: World) -> None:
    event = screen(world, Identifier(id_number="11010519491231002X")).event
    assert (event.decision, event.reasons[0]) == ("register", "person_unknown")
    assert event.person_masked == "110***********002X"


def test_a_corrected_reading_within_seconds_is_its_own_record(world: World) -> None:
    t0 = timezone.now() - dt.timedelta(minutes=1)
    first = screen(world, Identifier(qr=qr_payload(world.pass_)), occurred_at=t0)
    fixed = screen(
        world,
        Identifier(qr=qr_payload(world.pass_)),
        occurred_at=t0 + dt.timedelta(seconds=3),
        temperature="38.9",
        mask=False,
    )
    assert fixed.created and fixed.event.pk != first.event.pk
    assert fixed.event.decision == "deny"
    assert {"no_mask", "fever_first_reading"} <= set(fixed.event.reasons)


def test_a_fever_referral_holds_at_the_other_gates(world: World) -> None:
    t0 = timezone.now() - dt.timedelta(minutes=20)
    screen(world, Identifier(qr=qr_payload(world.pass_)), temperature="38.5", occurred_at=t0)
    refer = screen(
        world,
        Identifier(qr=qr_payload(world.pass_)),
        temperature="38.4",
        occurred_at=t0 + dt.timedelta(minutes=3),
    )
    assert refer.event.decision == "refer"
    later = screen(
        world,
        Identifier(qr=qr_payload(world.pass_)),
        checkpoint=world.gate_a2,
        temperature="36.5",
        occurred_at=t0 + dt.timedelta(minutes=10),
    ).event
    assert (later.decision, later.reasons[0]) == ("refer", "fever_referred_recently")
    # Going out (to the health station, say) is not held.
    out = screen(world, Identifier(qr=qr_payload(world.pass_)), direction="out", temperature=None).event
    assert out.decision == "admit"


def test_a_closed_checkpoint_lets_nobody_through(world: World) -> None:
    world.gate_a.opens_at, world.gate_a.closes_at = dt.time(7), dt.time(19)
    world.gate_a.save()
    night = dt.datetime.combine(timezone.localdate(), dt.time(22, 50), tzinfo=SHANGHAI)
    if night > timezone.now():
        night -= dt.timedelta(days=1)
    event = screen(world, Identifier(qr=qr_payload(world.pass_)), occurred_at=night).event
    assert (event.decision, event.reasons[0]) == ("deny", "checkpoint_closed")
    assert event.reason_params["hours"] == "07:00–19:00"


def test_mask_not_recorded_is_said(world: World) -> None:
    event = screen(world, Identifier(qr=qr_payload(world.pass_)), mask=None).event
    assert event.decision == "admit"
    assert "mask_unchecked" in event.reasons


def test_times_and_numbers_that_cannot_be_right_are_refused(world: World) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"occurred_at": dt.datetime(2020, 3, 1, 8, 0)}, "occurred_at_naive"),  # noqa: DTZ001
        ({"occurred_at": timezone.now() - dt.timedelta(days=8)}, "occurred_at_too_old"),
        ({"occurred_at": dt.datetime(1, 1, 1, tzinfo=dt.UTC)}, "occurred_at_too_old"),
    ]
    for kw, code in cases:
        with pytest.raises(InvalidInput) as err:
            screen(world, Identifier(qr=qr_payload(world.pass_)), **kw)
        assert err.value.code == code
    with pytest.raises(InvalidInput) as typo:
        screen(world, Identifier(pass_number="TPS000001"))
    assert typo.value.code == "pass_number_unknown"
    assert "TPS000001" in typo.value.message("en")
    assert ScreeningEvent.objects.count() == 0


def test_document_type_in_chinese_words(world: World) -> None:
    event = screen(world, Identifier(id_number="E12345678", id_type="护照")).event
    assert (event.decision, event.reasons[0]) == ("register", "person_unknown")


def test_the_same_reading_spelt_differently_is_one_record(world: World) -> None:
    t0 = timezone.now() - dt.timedelta(minutes=1)
    first = screen(world, Identifier(qr=qr_payload(world.pass_)), temperature="366", occurred_at=t0)
    for i, typed in enumerate(("36.6", "３６６", 36.6), start=1):
        again = screen(
            world,
            Identifier(pass_number=world.pass_.number),
            temperature=typed,
            occurred_at=t0 + dt.timedelta(seconds=i),
        )
        assert (again.created, again.event.pk) == (False, first.event.pk)


def test_zero_width_characters_do_not_split_a_person(world: World) -> None:
    from shouwang.people.services import clean_name

    assert clean_name("张\u200b三丰") == "张三丰"
    event = screen(world, Identifier(id_number="110102198001010017\u200b")).event
    assert event.resident_id == world.resident.pk
