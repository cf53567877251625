"""The 西长安街街道 demo encodes the real operation (DESIGN.md §1) and works on any day."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from shouwang.cli import apply_data_dir
from shouwang.core.choices import Role
from shouwang.core.models import Staff, Team
from shouwang.demo import scenario
from shouwang.demo.scenario import _People, _residents_for, load_xichangan
from shouwang.passes.cards import render_pass_type_picture
from shouwang.passes.models import Pass, PassStatus, PassType
from shouwang.people.identity import validate_document
from shouwang.people.models import Household, Institution, InstitutionMember, Resident
from shouwang.people.services import normalise_phone
from shouwang.places.models import Checkpoint, Subdistrict

TODAY = dt.date(2026, 3, 1)
PASSWORD = "demo-pw-for-tests"


_PICTURES: dict[tuple[str, ...], bytes] = {}


def _cached_picture(pass_type: PassType) -> bytes:
    """Real pictures, rendered once per style for the whole module (rendering is deterministic)."""
    key = (pass_type.community.code, pass_type.code, pass_type.name, pass_type.issuer, pass_type.colour)
    if key not in _PICTURES:
        _PICTURES[key] = render_pass_type_picture(pass_type)
    return _PICTURES[key]


@pytest.fixture
def fast_hashing(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap password hashing and pass pictures, so each test can load its own scenario."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(scenario, "render_pass_type_picture", _cached_picture)


@pytest.fixture
def demo(db: Any, fast_hashing: None) -> Any:
    return load_xichangan(residents=200, password=PASSWORD, today=TODAY)


def test_the_three_real_checkpoints_are_in_their_communities(demo: Any) -> None:
    real = {c.code: c for c in Checkpoint.objects.select_related("community").filter(invented=False)}
    assert {(c.name, c.community.name) for c in real.values()} == {
        ("力学胡同东口", "太仆寺街社区"),
        ("小酱坊胡同西口", "太仆寺街社区"),
        ("东斜街北口", "西单北社区"),
    }
    assert "敏感度最高" in real["lixue-e"].notes
    assert "灵境胡同地铁站" in real["xiaojiangfang-w"].notes
    assert "200" in real["dongxie-n"].notes
    invented = list(Checkpoint.objects.filter(invented=True))
    assert 2 <= len(invented) <= 4
    assert all("虚构" in c.notes and "invented" in c.notes.lower() for c in invented)
    hours = {c.hours_label() for c in Checkpoint.objects.all()}
    assert "24h" in hours and "06:00–22:00" in hours


def test_each_institution_issues_its_own_pass_style_with_a_picture(demo: Any) -> None:
    kinds = Counter(Institution.objects.values_list("community__code", "kind"))
    for code in ("tps", "xdb"):
        assert kinds[(code, "office")] >= 1
        assert kinds[(code, "health_station")] == 1
        assert 1 <= kinds[(code, "hotel")] <= 2
        assert kinds[(code, "shop")] == 6
    assert Institution.objects.filter(kind="fire_station", name="西长安街消防站").exists()
    assert (
        not Institution.objects.filter(name__contains="部", kind="office")
        .exclude(name__contains="某部委")
        .exists()
    )
    for inst in Institution.objects.all():
        assert PassType.objects.filter(institution=inst, issuer=inst.name).count() == 1
    assert set(PassType.objects.filter(code="resident").values_list("community__code", flat=True)) == {
        "tps",
        "xdb",
    }
    for community_code in ("tps", "xdb"):
        colours = list(
            PassType.objects.filter(community__code=community_code).values_list("colour", flat=True)
        )
        assert len(colours) == len(set(colours))
    for pass_type in PassType.objects.all():
        assert bytes(pass_type.picture).startswith(b"\x89PNG")
        assert pass_type.description


def test_residents_have_ids_households_and_the_named_people(demo: Any) -> None:
    residents = Resident.objects.all()
    assert residents.count() == 200 == demo.residents
    assert all(re.fullmatch(r"[0-9a-f]{64}", r.id_hash) for r in residents)
    assert all(re.fullmatch(r"\d{3}\*{11}[\dX]{4}", r.id_masked) for r in residents)
    assert all(r.gender in ("M", "F") and r.relation_to_head and r.household_id for r in residents)
    assert Household.objects.filter(members__relation_to_head="户主").distinct().count() >= 50
    for name in ("买买提·艾力", "李䶮"):
        assert Resident.objects.filter(name=name).exists()
    for surname in "单曾解区仇":
        assert Resident.objects.filter(name__startswith=surname).exists()
    assert Resident.objects.get(name="单振国").name_initials == "szg"


def test_generated_people_have_valid_ids_consistent_sex_and_mobile_phones() -> None:
    people = _residents_for(_People(2020), "xdb", 300)
    assert len(people) == 300
    numbers = [p.id_number for p in people]
    assert len(set(numbers)) == 300
    regions = Counter(n[:6] for n in numbers)
    assert regions["110102"] > 200 and len(regions) > 3
    for p in people:
        doc = validate_document(p.id_number, today=dt.date(2020, 3, 1))
        # 宣武区 (110104) was merged into 西城区 in 2010: its old numbers are real, and warn.
        assert doc.warnings == () or p.id_number.startswith("110104"), p.id_number
        assert doc.gender == p.gender
        if p.phone:
            assert normalise_phone(p.phone).startswith("+861")
    assert Counter(p.relation_to_head for p in people)["户主"] >= 80


def test_generation_is_deterministic_for_a_seed() -> None:
    assert _residents_for(_People(7), "tps", 60) == _residents_for(_People(7), "tps", 60)
    assert _residents_for(_People(7), "tps", 60) != _residents_for(_People(8), "tps", 60)


def test_passes_are_valid_today_with_a_few_deny_paths(demo: Any) -> None:
    statuses = Counter(p.status_on(TODAY) for p in Pass.objects.all())
    assert statuses[PassStatus.VALID] >= 180
    assert statuses[PassStatus.EXPIRED] >= 2
    assert statuses[PassStatus.REVOKED] >= 3
    assert all(p.revoked_reason for p in Pass.objects.filter(revoked_at__isnull=False))
    assert Resident.objects.filter(passes__isnull=True).exists()
    first = Pass.objects.filter(pass_type__code="resident").order_by("valid_from").first()
    assert first is not None and first.valid_from == dt.date(2020, 2, 29)
    for name in ("买买提·艾力", "李䶮", "区慧仪"):
        assert Pass.objects.get(resident__name=name).status_on(TODAY) == PassStatus.VALID
    restricted = Pass.objects.filter(member__isnull=False, restricted=True)
    assert restricted.exists()
    assert all(p.checkpoints.exists() for p in restricted)


def test_institution_members_hold_their_institutions_passes(demo: Any) -> None:
    members = InstitutionMember.objects.select_related("institution")
    assert members.count() >= 2 * Institution.objects.count()
    resident_hashes = set(Resident.objects.values_list("id_hash", flat=True))
    assert any(m.id_hash in resident_hashes for m in members)
    assert any(m.id_hash not in resident_hashes for m in members)
    assert all(m.passes.count() == 1 for m in members)
    for p in Pass.objects.filter(member__isnull=False).select_related("pass_type", "member"):
        assert p.member is not None and p.pass_type.institution_id == p.member.institution_id


def test_some_returnees_are_in_home_quarantine_today(demo: Any) -> None:
    from shouwang.quarantine.choices import IN_FORCE
    from shouwang.quarantine.models import FollowUp, QuarantinePlan
    from shouwang.screening.models import Alert

    plans = QuarantinePlan.objects.all()
    assert 3 <= plans.count() <= 6
    active = plans.filter(status__in=IN_FORCE, first_day__lte=TODAY, last_day__gte=TODAY)
    assert 0 < active.count() < plans.count()
    assert demo.quarantined == active.count()
    assert active.filter(last_day=TODAY).exists()  # day 14: still stopped
    assert plans.filter(last_day=TODAY - dt.timedelta(days=1), status="released").exists()  # day 15: free
    assert not plans.filter(status__in=IN_FORCE, last_day__lt=TODAY).exists()  # released when due
    assert all(p.worker is not None for p in active)  # each has a community worker
    assert FollowUp.objects.filter(plan__in=active, local_date=TODAY - dt.timedelta(days=1)).exists()
    assert Alert.objects.filter(kind__in=("followup_fever", "followup_symptoms"), resolved_at=None).exists()


def test_fifteen_cadres_in_two_teams_and_the_logins_work(demo: Any) -> None:
    teams = Team.objects.all()
    assert [t.name for t in teams.order_by("name")] == ["下沉干部第一临时党支部", "下沉干部第二临时党支部"]
    cadres = Staff.objects.filter(team__isnull=False)
    assert cadres.count() == 15
    assert all(s.role == Role.GATE_STAFF and s.communities.count() == 2 for s in cadres)
    for team in teams:
        assert team.members.filter(is_lead=True).count() == 1
    for login in demo.logins:
        user = authenticate(RequestFactory().post("/login/"), username=login.username, password=PASSWORD)
        assert user is not None, login.username
        assert user.staff.role == login.role
    roles = {u: Staff.objects.get(user__username=u) for u in ("admin", "worker", "worker-xdb", "gate")}
    assert roles["admin"].role == Role.SUBDISTRICT_ADMIN
    assert [c.code for c in roles["worker"].communities.all()] == ["tps"]
    assert [c.code for c in roles["worker-xdb"].communities.all()] == ["xdb"]
    assert roles["gate"].role == Role.GATE_STAFF and roles["gate"].communities.count() == 2
    assert authenticate(RequestFactory().post("/login/"), username="gate", password="wrong") is None


def test_loading_twice_adds_nothing(demo: Any) -> None:
    again = load_xichangan(residents=200, password=PASSWORD, today=TODAY)
    assert again.already_loaded and not demo.already_loaded
    assert (again.residents, again.passes, again.staff) == (demo.residents, demo.passes, demo.staff)
    assert Subdistrict.objects.count() == 1 and Resident.objects.count() == 200


def test_in_the_spring_of_2020_passes_run_from_29_february(db: Any, fast_hashing: None) -> None:
    load_xichangan(residents=20, password=PASSWORD, today=dt.date(2020, 3, 5))
    live = Pass.objects.filter(revoked_at__isnull=True, pass_type__code="resident")
    assert live.filter(valid_from=dt.date(2020, 2, 29), valid_until=dt.date(2020, 6, 3)).exists()


def test_demo_command_loads_and_prints_the_logins(db: Any, fast_hashing: None) -> None:
    out = io.StringIO()
    call_command("demo", "--load-only", "--residents", "50", stdout=out)
    text = out.getvalue()
    assert Resident.objects.count() == 50
    assert "worker-xdb" in text and "shouwang-demo" in text and "subdistrict_admin" in text
    assert "Loaded" in text and "载入" in text
    out = io.StringIO()
    call_command("demo", "--load-only", "--residents", "50", stdout=out)
    assert "already loaded" in out.getvalue()


@pytest.mark.parametrize(
    "argv", [["demo", "--data-dir", "some/dir"], ["demo", "--data-dir=some/dir", "--load-only"]]
)
def test_cli_applies_data_dir_before_settings(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHOUWANG_DATA_DIR", raising=False)
    apply_data_dir(argv)
    assert os.environ["SHOUWANG_DATA_DIR"] == str(tmp_path / "some" / "dir")


def test_this_mornings_outsiders_and_the_forced_entry_of_the_record(demo: Any) -> None:
    from shouwang.incidents.models import Incident, ServiceLog
    from shouwang.visitors.models import Delivery, Invitation, Visit

    assert Delivery.objects.count() == 5 and Visit.objects.filter(decision="admit").count() == 3
    assert Invitation.objects.filter(status="open").count() == 1
    forced = Incident.objects.get(kind="forced_entry")
    assert forced.status == "closed" and forced.escalations.get().target == "police_station"
    assert "理发" in ServiceLog.objects.get().person


def test_a_published_week_of_shifts_with_the_sign_ins_so_far(demo: Any) -> None:
    from shouwang.roster.models import Attendance, Roster, Shift

    roster = Roster.objects.get()
    assert (roster.status, roster.days, roster.start) == ("published", 7, TODAY - dt.timedelta(days=2))
    shifts = Shift.objects.filter(roster=roster)
    assert shifts.count() == 7 * 10  # ten 4-hour stints a day at the three gates of the record
    assert {s.checkpoint.code for s in shifts.select_related("checkpoint")} == {
        "lixue-e",
        "xiaojiangfang-w",
        "dongxie-n",
    }
    assert Attendance.objects.filter(signed_out_at__isnull=False).count() >= 20


def test_data_dir_may_come_before_the_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`shouwang --data-dir X check` used to answer "Unknown command: '--data-dir'"."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("SHOUWANG_DATA_DIR", "DATABASE_URL")}
    done = subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "shouwang.cli", "--data-dir", str(tmp_path / "d"), "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "d").is_dir()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--data-dir", "D", "token", "create", "admin"], ["token", "create", "admin"]),
        (["token", "create", "admin", "--data-dir", "D"], ["token", "create", "admin"]),
        (["purge", "--data-dir=D", "--dry-run"], ["purge", "--dry-run"]),
        (["--data-dir", "D", "demo", "--port", "8001"], ["demo", "--port", "8001"]),
        (["demo", "--data-dir", "D"], ["demo", "--data-dir", "D"]),
    ],
)
def test_every_command_takes_data_dir_anywhere(argv: list[str], expected: list[str]) -> None:
    """Found by a breaker: `shouwang token create admin --data-dir D` was refused."""
    from shouwang.cli import strip_data_dir

    assert strip_data_dir(argv) == expected
