"""The daily report's life: who may write, submit, approve and return it; the figures snapshot
that never changes once sent; return and resubmission; late and missing around the deadline in
the community's zone (20:00 Beijing by default)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from conftest import World, make_staff
from shouwang.core.choices import Role
from shouwang.core.errors import Forbidden, InvalidInput
from shouwang.core.models import AuditLog
from shouwang.places.models import Community, Subdistrict
from shouwang.reports.choices import ReportStatus
from shouwang.reports.models import DailyReport
from shouwang.reports.selectors import ReportTarget, day_board, deadline, report_document, report_target
from shouwang.reports.services import approve_report, return_report, save_notes, submit_report
from shouwang.reports.tests.helpers import DAY, local, screen

pytestmark = pytest.mark.django_db


def tps(world: World) -> ReportTarget:
    return ReportTarget(world.subdistrict, world.community_a)


def roll_up(world: World) -> ReportTarget:
    return ReportTarget(world.subdistrict, None)


def test_worker_submits_and_the_snapshot_never_changes(world: World) -> None:
    screen(world, world.gate_a, local(8))
    screen(world, world.gate_a2, local(9))
    with time_machine.travel(local(18), tick=False):
        report = submit_report(tps(world), DAY, actor=world.worker, notes="  今日平稳\n\n\n物资充足 ")
    assert report.status == ReportStatus.SUBMITTED
    assert report.figures["screenings_total"] == 2
    assert report.figures["scope"]["community"] == "tps"
    assert report.notes == "今日平稳\n\n物资充足"
    assert report.submitted_by == world.worker
    audit = AuditLog.objects.get(action="report.submit")
    assert audit.detail["screenings_total"] == 2 and audit.detail["late"] is False
    # A screening recorded later the same day (an offline device syncing) changes the live
    # figures, not what went upward.
    screen(world, world.gate_a, local(19))
    with time_machine.travel(local(19, 30), tick=False):
        doc = report_document(tps(world), DAY)
    assert doc.figures["screenings_total"] == 2 and not doc.live
    report.refresh_from_db()
    assert report.figures["screenings_total"] == 2
    # …and once it is submitted neither the notes nor a second submission can change it.
    with time_machine.travel(local(19, 40), tick=False):
        with pytest.raises(InvalidInput) as refused:
            save_notes(tps(world), DAY, notes="改一下", actor=world.worker)
        assert refused.value.code == "report_already_submitted"
        with pytest.raises(InvalidInput):
            submit_report(tps(world), DAY, actor=world.worker)
    report.refresh_from_db()
    assert report.notes == "今日平稳\n\n物资充足" and report.submissions == 1


def test_notes_are_cleaned_and_saved_as_a_draft(world: World) -> None:
    with time_machine.travel(local(12), tick=False):
        report = save_notes(tps(world), DAY, notes="a\u202eb\x00c\r\n第二行\tx", actor=world.worker)
    assert report.status == ReportStatus.DRAFT
    assert report.notes == "abc\n第二行 x"
    assert report.figures == {}  # no snapshot before submitting
    with time_machine.travel(local(12), tick=False), pytest.raises(InvalidInput) as too_long:
        save_notes(tps(world), DAY, notes="字" * 4001, actor=world.worker)
    assert too_long.value.code == "report_notes_too_long"


@pytest.mark.parametrize("who", ["gate_user", "health", "other_gate_user"])
def test_gate_staff_and_health_station_cannot_write(world: World, who: str) -> None:
    with time_machine.travel(local(12), tick=False), pytest.raises(Forbidden):
        submit_report(tps(world), DAY, actor=getattr(world, who))
    assert not DailyReport.objects.exists()


def test_worker_only_for_their_community_and_never_the_roll_up(world: World) -> None:
    other = ReportTarget(world.subdistrict, world.community_b)
    with time_machine.travel(local(12), tick=False):
        with pytest.raises(Forbidden) as theirs:
            submit_report(other, DAY, actor=world.worker)
        assert theirs.value.code == "not_your_community"
        with pytest.raises(Forbidden) as roll:
            submit_report(roll_up(world), DAY, actor=world.worker)
        assert roll.value.code == "report_roll_up_admin_only"
        with pytest.raises(Forbidden):
            report_target(world.worker, "all")
        # The admin may write any community's report and the roll-up.
        submit_report(other, DAY, actor=world.admin)
        rolled = submit_report(roll_up(world), DAY, actor=world.admin)
    assert rolled.community is None
    assert [c["community"] for c in rolled.figures["communities"]] == ["tps", "xdb"]


def test_admin_of_another_subdistrict_cannot_touch(world: World) -> None:
    elsewhere = Subdistrict.objects.create(code="other", name="别的街道")
    Community.objects.create(subdistrict=elsewhere, code="zz", name="别的社区")
    stranger = make_staff("stranger", Role.SUBDISTRICT_ADMIN, elsewhere, [])
    with time_machine.travel(local(12), tick=False):
        report = submit_report(tps(world), DAY, actor=world.worker)
        with pytest.raises(Forbidden):
            submit_report(roll_up(world), DAY, actor=stranger)
        with pytest.raises(Forbidden) as review:
            approve_report(report, actor=stranger)
    assert review.value.code == "report_review_forbidden"


def test_only_the_admin_approves_and_approved_is_final(world: World) -> None:
    with time_machine.travel(local(17), tick=False):
        report = submit_report(tps(world), DAY, actor=world.worker)
        with pytest.raises(Forbidden) as worker_review:
            approve_report(report, actor=world.worker)
        assert worker_review.value.code == "report_review_forbidden"
        approved = approve_report(report, actor=world.admin, note="好")
    assert approved.status == ReportStatus.APPROVED and approved.reviewed_by == world.admin
    assert approved.review_note == "好"
    assert AuditLog.objects.filter(action="report.approve", actor=world.admin).count() == 1
    with time_machine.travel(local(18), tick=False):
        attempts: list[Callable[[], object]] = [
            lambda: approve_report(report, actor=world.admin),
            lambda: return_report(report, actor=world.admin, reason="再看看"),
            lambda: submit_report(tps(world), DAY, actor=world.worker),
        ]
        for attempt in attempts:
            with pytest.raises(InvalidInput) as final:
                attempt()
            assert final.value.code == "report_already_approved"


def test_return_needs_a_reason_then_resubmission_takes_a_new_snapshot(world: World) -> None:
    screen(world, world.gate_a, local(8))
    with time_machine.travel(local(17), tick=False):
        report = submit_report(tps(world), DAY, actor=world.worker)
        with pytest.raises(InvalidInput) as no_reason:
            return_report(report, actor=world.admin, reason=" 。")
        assert no_reason.value.code == "report_return_reason_required"
        returned = return_report(report, actor=world.admin, reason="发热人数与卫生站不符，请核对")
    assert returned.status == ReportStatus.RETURNED
    assert AuditLog.objects.get(action="report.return").detail["note"] == "发热人数与卫生站不符，请核对"
    screen(world, world.gate_a, local(18))
    with time_machine.travel(local(21), tick=False):
        # Editable again; the resubmission after the deadline is not "late": the first was on time.
        save_notes(tps(world), DAY, notes="已核对", actor=world.worker)
        again = submit_report(tps(world), DAY, actor=world.worker)
        board = day_board(world.admin, DAY)
    assert again.status == ReportStatus.SUBMITTED and again.submissions == 2
    assert again.figures["screenings_total"] == 2 and again.notes == "已核对"
    assert again.review_note == "" and again.reviewed_by is None
    row = next(r for r in board.rows if r.target.key == "tps")
    assert not row.late and not row.missing
    resubmitted = AuditLog.objects.filter(action="report.submit").order_by("pk")
    assert [a.detail["resubmission"] for a in resubmitted] == [False, True]


def test_a_future_day_cannot_be_reported(world: World) -> None:
    with time_machine.travel(local(23, 59), tick=False), pytest.raises(InvalidInput) as future:
        submit_report(tps(world), DAY + dt.timedelta(days=1), actor=world.worker)
    assert future.value.code == "report_day_future"


def test_late_and_missing_around_the_deadline_in_beijing(world: World) -> None:
    due = deadline(tps(world), DAY)
    assert due == local(20) and due.utcoffset() == dt.timedelta(hours=8)
    # 19:59 Beijing (11:59 UTC): nothing is missing yet.
    board = day_board(world.admin, DAY, now=local(19, 59))
    assert [(r.target.key, r.status, r.late, r.missing) for r in board.rows] == [
        ("tps", "none", False, False),
        ("xdb", "none", False, False),
        ("all", "none", False, False),
    ]
    with time_machine.travel(local(19, 59), tick=False):
        submit_report(tps(world), DAY, actor=world.worker)
    # 20:01 Beijing: xdb and the roll-up are missing; tps was on time.
    with time_machine.travel(local(20, 1), tick=False):
        board = day_board(world.admin, DAY)
        assert {r.target.key: (r.late, r.missing) for r in board.rows} == {
            "tps": (False, False),
            "xdb": (False, True),
            "all": (False, True),
        }
        save_notes(ReportTarget(world.subdistrict, world.community_b), DAY, notes="草稿", actor=world.admin)
        assert day_board(world.admin, DAY).rows[1].missing  # a draft is still missing
        submit_report(ReportTarget(world.subdistrict, world.community_b), DAY, actor=world.admin)
        board = day_board(world.admin, DAY)
    assert {r.target.key: (r.late, r.missing) for r in board.rows}["xdb"] == (True, False)
    assert board.counts["late"] == 1 and board.counts["missing"] == 1 and board.counts["submitted"] == 2


def test_the_deadline_follows_the_subdistrict_policy(world: World) -> None:
    world.subdistrict.policy = {"daily_report_due": "18:30"}
    world.subdistrict.save()
    target = report_target(world.worker, "tps")
    assert deadline(target, DAY) == local(18, 30)
    with time_machine.travel(local(18, 45), tick=False):
        submit_report(target, DAY, actor=world.worker)
    assert day_board(world.worker, DAY, now=local(18, 50)).rows[0].late
    # A typo in the override does not hide the deadline: the default applies.
    world.subdistrict.policy = {"daily_report_due": "8pm"}
    world.subdistrict.save()
    assert deadline(report_target(world.worker, "tps"), DAY) == local(20)


def test_worker_board_shows_their_community_only_in_three_queries(world: World) -> None:
    board = day_board(world.worker, DAY, now=local(21))
    assert [r.target.key for r in board.rows] == ["tps"]
    assert board.rows[0].missing
    with CaptureQueriesContext(connection) as queries:
        day_board(world.admin, DAY, now=local(21))
    assert len(queries) <= 4, [q["sql"] for q in queries]


def test_one_report_per_community_day_and_one_roll_up(world: World) -> None:
    DailyReport.objects.create(subdistrict=world.subdistrict, community=world.community_a, day=DAY)
    DailyReport.objects.create(subdistrict=world.subdistrict, community=None, day=DAY)
    DailyReport.objects.create(subdistrict=world.subdistrict, community=world.community_b, day=DAY)
    for community in (world.community_a, None):
        with pytest.raises(IntegrityError), transaction.atomic():
            DailyReport.objects.create(subdistrict=world.subdistrict, community=community, day=DAY)
