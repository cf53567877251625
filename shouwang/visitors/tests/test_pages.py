"""The visitors pages through Django's test client: who may open what (by role and community),
what today's page shows (visits and deliveries per gate apart, who is on site now), inviting a
visitor with the code and QR to send, the visitor pass SVG, and refusals said on the field with
nothing stored.

Fixed time: 2020-03-01 10:00 in Beijing.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from conftest import World, make_staff
from shouwang.core.choices import Role
from shouwang.people.models import Institution
from shouwang.screening.tests.test_gate_page_browser import id_number
from shouwang.visitors.models import Invitation
from shouwang.visitors.services import HostIn, VisitorIn, invite_visitor, register_delivery, register_visit

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2020, 3, 1, 10, 0, tzinfo=SHANGHAI)
LI_SI_ID = "110102199003070034"
ZHAO_LIU_ID = id_number("110102", "19850505", "045")


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def client_for(user: Any, lang: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


@pytest.fixture
def worker_b(world: World) -> Any:
    return make_staff("worker-b", Role.COMMUNITY_WORKER, world.subdistrict, [world.community_b])


def visit(world: World, *, gate: Any = None, temperature: str = "366", **visitor: Any) -> Any:
    """李四 visits 张三's household through the service, at ``gate`` (default 力学胡同东口)."""
    fields = {"name": "李四", "phone": "13800138000", "id_number": LI_SI_ID, **visitor}
    return register_visit(
        gate or world.gate_a,
        visitor=VisitorIn(**fields),
        host=HostIn("household", world.resident.household_id),
        reason="探亲",
        temperature=temperature,
        mask=True,
        actor=world.gate_user,
    ).visit


def invite_data(world: World, **overrides: Any) -> dict[str, Any]:
    """The invitation form as the page posts it: for 张三 (their household), 王五 tomorrow."""
    data = {
        "community": world.community_a.pk,
        "on_behalf_of": world.resident.pk,
        "resident_search": "张* 110***********0017",
        "host_kind": "",
        "host_id": "",
        "host_search": "",
        "name": "王五",
        "phone": "139 0013 9000",
        "id_type": "resident_id",
        "id_number": "",
        "visit_date": "2020-03-02",
        "reason": "送物资",
        "client_id": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


# ---- access ---------------------------------------------------------------------------------


PAGES = ["/visitors/", "/visitors/invitations/"]


@pytest.mark.parametrize("url", [*PAGES, "/visitors/residents?community=1&q=zs"])
def test_anonymous_is_sent_to_log_in(world: World, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("who", ["gate", "worker", "admin", "health"])
@pytest.mark.parametrize("url", PAGES)
def test_every_role_of_the_community_opens_the_pages(world: World, who: str, url: str) -> None:
    user = {"gate": world.gate_user, "worker": world.worker, "admin": world.admin, "health": world.health}[
        who
    ]
    assert client_for(user).get(url).status_code == 200


def test_gate_staff_see_invitations_but_cannot_invite(world: World) -> None:
    client = client_for(world.gate_user)
    page = client.get("/visitors/invitations/").content.decode()
    assert 'id="invite-form"' not in page
    assert client.post("/visitors/invitations/", invite_data(world)).status_code == 403
    assert client.get(f"/visitors/residents?community={world.community_a.pk}&q=zs").status_code == 403
    assert not Invitation.objects.exists()


def test_another_communitys_staff_get_404_for_our_visits_and_invitations(world: World, worker_b: Any) -> None:
    v = visit(world)
    inv = invite_visitor(
        world.community_a,
        visitor=VisitorIn(name="王五", phone="13900139000"),
        visit_date=dt.date(2020, 3, 2),
        actor=world.worker,
        on_behalf_of=world.resident.pk,
        reason="送物资",
    ).invitation
    for user in (world.other_gate_user, worker_b):
        client = client_for(user)
        # The same answer as for an id that does not exist.
        assert client.get(f"/visitors/visits/{v.pk}/pass.svg").status_code == 404
        assert client.get(f"/visitors/visits/{uuid.uuid4()}/pass.svg").status_code == 404
        assert client.get(f"/visitors/invitations/{inv.pk}/").status_code == 404
        assert client.get(f"/visitors/invitations/{uuid.uuid4()}/").status_code == 404
        assert client.get("/visitors/?checkpoint=lixue-e").status_code == 404
        page = client.get("/visitors/").content.decode()
        assert v.pass_number not in page and "李*" not in page
        assert inv.code not in client.get("/visitors/invitations/").content.decode()
    assert (
        client_for(worker_b).get(f"/visitors/residents?community={world.community_a.pk}&q=zs").status_code
        == 404
    )


# ---- today at the gates ---------------------------------------------------------------------


def test_today_shows_visits_and_deliveries_apart_and_who_is_on_site(
    world: World, django_assert_max_num_queries: Any
) -> None:
    inside = visit(world)
    visit(
        world, name="赵六", phone="13700137000", id_number=ZHAO_LIU_ID, temperature="375", gate=world.gate_a2
    )
    register_delivery(
        world.gate_a,
        platform="meituan",
        phone="13600136000",
        temperature="365",
        mask=True,
        actor=world.gate_user,
    )
    client = client_for(world.worker)
    with django_assert_max_num_queries(25):  # session, user, staff, communities, gates, 5 per gate, lists
        page = client.get("/visitors/").content.decode()
    assert 'id="count-admitted">1<' in page and 'id="count-deliveries">1<' in page
    assert 'id="count-on-site">1<' in page and 'id="count-visits">2<' in page
    assert inside.pass_number in page and "力学胡同 3 号" in page
    assert "李*" in page and "138****8000" in page and "13800138000" not in page
    assert "美团" in page and "卡口交接" in page and "请复测" in page
    # One gate only: 赵六's retest was at the other gate.
    page = client.get("/visitors/?checkpoint=xiaojiangfang-w").content.decode()
    assert "赵*" in page and 'id="count-deliveries">0<' in page


def test_today_for_another_date_and_a_bad_date(world: World) -> None:
    visit(world)
    client = client_for(world.gate_user)
    page = client.get("/visitors/?date=2020-02-29").content.decode()
    assert "当日无访客登记" in page or "没有访客" in page
    assert 'id="count-on-site">1<' in page  # on site now does not depend on the day shown
    page = client.get("/visitors/?date=29/02").content.decode()
    assert "不是日期" in page and "2020-03-01" in page


def test_today_in_english(world: World) -> None:
    visit(world)
    page = client_for(world.worker, "en").get("/visitors/").content.decode()
    assert "On site now" in page and "Admit" in page


# ---- invitations ----------------------------------------------------------------------------


def test_worker_invites_for_a_resident_and_gets_the_code_and_qr(world: World) -> None:
    client = client_for(world.worker)
    response = client.post("/visitors/invitations/", invite_data(world))
    inv = Invitation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/visitors/invitations/{inv.pk}/"
    assert (inv.visit_date, inv.host_label, inv.on_behalf_of, inv.reason) == (
        dt.date(2020, 3, 2),
        "力学胡同 3 号",
        world.resident,
        "送物资",
    )
    page = client.get(response["Location"]).content.decode()
    assert f"{inv.code[:4]} {inv.code[4:]}" in page and "<svg" in page
    assert "2020-03-02" in page and "王*" in page and "139****9000" in page
    assert "sms:?&amp;body=" in page and inv.code in page
    assert inv.code in client.get("/visitors/invitations/").content.decode()


def test_a_retried_invitation_post_is_one_invitation(world: World) -> None:
    client = client_for(world.worker)
    data = invite_data(world)
    client.post("/visitors/invitations/", data)
    client.post("/visitors/invitations/", data)
    assert Invitation.objects.count() == 1


def test_invitation_to_an_institution_picked_from_the_list(world: World) -> None:
    shop = Institution.objects.create(community=world.community_a, name="太仆寺街理发店", kind="shop")
    data = invite_data(
        world,
        on_behalf_of="",
        resident_search="",
        host_kind="institution",
        host_id=shop.pk,
        host_search="理发店",
    )
    assert client_for(world.admin).post("/visitors/invitations/", data).status_code == 302
    assert Invitation.objects.get().host_label == "太仆寺街理发店"


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"phone": "12345"}, "手机号"),
        ({"visit_date": "2020-02-28"}, "已过"),
        ({"visit_date": "2020-04-30"}, "最多可提前 14 天"),
        ({"on_behalf_of": "", "resident_search": ""}, "请选择被访住户或单位"),
        ({"on_behalf_of": "", "resident_search": "zs"}, "请从列表中选择居民"),
        ({"host_search": "理发"}, "请从列表中选择住户或单位"),
        ({"id_number": "110102199003070035"}, "校验"),
        ({"reason": ""}, "必填"),
    ],
)
def test_bad_invitation_says_what_is_wrong_and_stores_nothing(
    world: World, overrides: dict[str, Any], words: str
) -> None:
    response = client_for(world.worker).post("/visitors/invitations/", invite_data(world, **overrides))
    assert response.status_code == 200
    page = response.content.decode()
    assert words in page, page[page.find("errorlist") - 200 : page.find("errorlist") + 400]
    assert not Invitation.objects.exists()


def test_bad_invitation_in_english(world: World) -> None:
    page = client_for(world.worker, "en").post("/visitors/invitations/", invite_data(world, phone="12345"))
    assert "phone" in page.content.decode().lower()
    assert not Invitation.objects.exists()


def test_resident_search_for_the_invitation_form(world: World) -> None:
    hits = client_for(world.worker).get(f"/visitors/residents?community={world.community_a.pk}&q=zs").json()
    assert hits == [
        {
            "id": world.resident.pk,
            "name": "张*",
            "id_masked": world.resident.id_masked,
            "where": "力学胡同 3 号",
        }
    ]


# ---- the visitor pass -----------------------------------------------------------------------


def test_pass_svg_of_an_admitted_visit_only(world: World) -> None:
    client = client_for(world.gate_user)
    admitted = visit(world)
    response = client.get(f"/visitors/visits/{admitted.pk}/pass.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "private, no-store" and b"<svg" in response.content
    retest = visit(world, name="赵六", phone="13700137000", id_number=ZHAO_LIU_ID, temperature="375")
    assert client.get(f"/visitors/visits/{retest.pk}/pass.svg").status_code == 404
    assert client.get("/visitors/visits/not-a-uuid/pass.svg").status_code == 404


# ---- one language per page ------------------------------------------------------------------


def test_every_page_speaks_chinese_by_default_and_english_when_asked(world: World) -> None:
    from shouwang.core.tests.test_i18n import (
        assert_all_chinese,
        assert_all_english,
        place_names,
        visible_text,
    )

    v = visit(world)
    register_delivery(
        world.gate_a, platform="ems", phone="13600136000", temperature="365", mask=True, actor=world.gate_user
    )
    inv = invite_visitor(
        world.community_a,
        visitor=VisitorIn(name="王五", phone="13900139000"),
        visit_date=dt.date(2020, 3, 2),
        actor=world.worker,
        on_behalf_of=world.resident.pk,
        reason="送物资",
    ).invitation
    data = [
        *place_names(world),
        *("李*", "王*", "张*", "力学胡同 3 号", "探亲", "送物资", "worker", "°C"),
        *(v.pass_number, inv.code, f"{inv.code[:4]} {inv.code[4:]}"),
    ]
    for url in (
        "/visitors/",
        "/visitors/?checkpoint=lixue-e",
        "/visitors/invitations/",
        f"/visitors/invitations/{inv.pk}/",
    ):
        assert_all_chinese(visible_text(client_for(world.worker).get(url).content.decode()), *data)
        en = client_for(world.worker, "en").get(url).content.decode()
        assert '<html lang="en">' in en, url
        assert_all_english(visible_text(en), *data)
