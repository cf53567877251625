"""The dashboard page and ``GET /api/v1/dashboard``: who may see what, errors in words, and a
fixed number of queries per request."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.test import Client

from conftest import World
from shouwang.core.auth import create_token
from shouwang.dashboard.tests.conftest import Operation, local, screen

URL = "/dashboard/"
API = "/api/v1/dashboard"


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def at_three() -> Any:
    with time_machine.travel(local(15, 0), tick=False) as clock:
        yield clock


def test_the_page_shows_the_sub_district_for_an_admin(operation: Operation, at_three: Any) -> None:
    response = logged_in(operation.world.admin).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "西长安街街道" in html and "2020-03-02" in html
    assert 'id="community-table"' in html and "太仆寺街社区" in html and "西单北社区" in html
    assert 'data-live="1"' in html and 'data-refresh-s="60"' in html
    assert "dashboard/vendor/chart.umd.min.js" in html and "cdn" not in html.lower()
    data = json.loads(html.split('id="dashboard-data" type="application/json">')[1].split("</script>")[0])
    assert data["screenings_total"] == 8 and data["day"] == "2020-03-02"
    assert data["on_duty_now"][0]["checkpoint"] == "lixue-e"


def test_a_worker_sees_their_community_and_not_the_other(operation: Operation, at_three: Any) -> None:
    client = logged_in(operation.world.worker)
    html = client.get(URL).content.decode()
    assert "太仆寺街社区" in html and 'id="community-table"' not in html
    assert 'value="xdb"' not in html  # the picker offers only their community
    assert client.get(URL, {"community": "xdb"}).status_code == 403
    assert client.get(URL, {"checkpoint": "dongxie-n"}).status_code == 403
    assert client.get(URL, {"community": "nowhere"}).status_code == 404
    health = logged_in(operation.world.health).get(URL, {"checkpoint": "lixue-e"})
    assert health.status_code == 200 and "力学胡同东口" in health.content.decode()


def test_gate_staff_get_403_and_strangers_the_login_page(world: World) -> None:
    assert logged_in(world.gate_user).get(URL).status_code == 403
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_past_date_is_not_live_and_a_bad_date_is_said_in_words(operation: Operation, at_three: Any) -> None:
    client = logged_in(operation.world.admin)
    past = client.get(URL, {"date": "2020-03-01"}).content.decode()
    assert 'data-live="0"' in past and 'data-date="2020-03-01"' in past
    bad = client.get(URL, {"date": "2020-02-31"})
    assert bad.status_code == 400
    assert "2020-02-31" in bad.content.decode() and "YYYY-MM-DD" in bad.content.decode()
    far = client.get(URL, {"date": "9999-12-31"}, HTTP_ACCEPT_LANGUAGE="en")
    assert far.status_code == 400 and "2019-12-01" in far.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    english = client.get(URL, {"date": "nope"}).content.decode()
    assert "is not a date" in english and "Dashboard" in english


def test_the_page_in_english_and_on_the_wall(operation: Operation, at_three: Any) -> None:
    client = logged_in(operation.world.admin)
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    html = client.get(URL, {"wall": "1", "refresh": "5"}).content.decode()
    assert "Hourly flow per checkpoint" in html and "Admit" in html
    assert 'class="dash wall"' in html and 'data-refresh-s="5"' in html


def test_the_api_answers_the_figures_and_refuses_in_words(operation: Operation, at_three: Any) -> None:
    w = operation.world
    admin = logged_in(w.admin)
    body = admin.get(API).json()
    assert body["screenings_total"] == 8 and body["scope"]["community"] is None
    assert admin.get(API, {"date": "2020-03-01"}).json()["screenings_total"] == 1
    assert admin.get(API, {"checkpoint": "dongxie-n"}).json()["scope"]["community"] == "xdb"

    bad = admin.get(API, {"date": "2020-13-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and bad.json()["code"] == "query_date_invalid"
    assert "YYYY-MM-DD" in bad.json()["message"]
    zh = admin.get(API, {"date": "2020-13-01"})
    assert "不是有效日期" in zh.json()["message"]
    assert admin.get(API, {"date": "1999-01-01"}).json()["code"] == "dashboard_date_out_of_range"

    token = create_token("worker", label="test")
    worker = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert worker.get(API).json()["scope"]["community"] == "tps"
    other = worker.get(API, {"community": "xdb"}, HTTP_ACCEPT_LANGUAGE="en")
    assert other.status_code == 403 and other.json()["code"] == "not_your_community"
    assert "西单北社区" in other.json()["message"]
    assert worker.get(API, {"community": "nowhere"}).status_code == 404
    gate = logged_in(w.gate_user).get(API)
    assert gate.status_code == 403 and gate.json()["code"] == "role_forbidden"
    assert Client().get(API).status_code == 401


def test_query_counts_do_not_grow_with_the_data(
    operation: Operation, at_three: Any, django_assert_max_num_queries: Any
) -> None:
    w = operation.world
    client = logged_in(w.admin)
    client.get(URL)  # warm the session and the per-process caches
    with django_assert_max_num_queries(22) as page:
        assert client.get(URL).status_code == 200
    with django_assert_max_num_queries(18) as api:
        assert client.get(API).status_code == 200
    for minute in range(20):
        screen(w, w.gate_b, local(13, minute), id_number="110102199003070034")
    with time_machine.travel(local(15, 0), tick=False):
        with django_assert_max_num_queries(len(page.captured_queries)):
            assert client.get(URL).status_code == 200
        with django_assert_max_num_queries(len(api.captured_queries)):
            assert client.get(API).json()["screenings_total"] == 28


def test_the_day_defaults_to_the_local_today(world: World, settings: Any) -> None:
    settings.TIME_ZONE = "UTC"
    # 16:30 UTC on 1 March is 00:30 on 2 March in Beijing.
    with time_machine.travel(dt.datetime(2020, 3, 1, 16, 30, tzinfo=dt.UTC), tick=False):
        screen(world, world.gate_a, dt.datetime(2020, 3, 1, 16, 30, tzinfo=dt.UTC))
        body = logged_in(world.admin).get(API).json()
    assert body["day"] == "2020-03-02" and body["screenings_total"] == 1
    assert body["gates"][0]["hourly"][0] == 1
