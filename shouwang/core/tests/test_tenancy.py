"""Scoping by community: what each persona may see, and in how many queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import World
from shouwang.core.selectors import home_overview
from shouwang.places.models import Checkpoint


def test_home_overview_query_count_does_not_grow_with_gates(world: World) -> None:
    def fresh_admin() -> Any:
        return type(world.admin).objects.select_related("staff").get(pk=world.admin.pk)

    admin = fresh_admin()
    with CaptureQueriesContext(connection) as few:
        home_overview(admin)
    for i in range(10):
        Checkpoint.objects.create(community=world.community_a, code=f"extra-{i}", name=f"示例口 {i}")
    admin = fresh_admin()
    with CaptureQueriesContext(connection) as many:
        overview = home_overview(admin)
    assert len(many) == len(few) <= 5
    assert sum(len(c.checkpoints) for c in overview["communities"]) == 13


def test_pass_type_picture_only_for_its_community(world: World) -> None:
    world.pass_type_a.picture = b"\x89PNG fake"
    world.pass_type_a.save()
    mine, other = Client(), Client()
    mine.force_login(world.gate_user)
    other.force_login(world.other_gate_user)
    url = f"/passes/types/{world.pass_type_a.pk}/picture.png"
    assert mine.get(url).status_code == 200
    assert other.get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the log-in page


def test_token_for_unknown_user_is_a_clear_error(db: Any) -> None:
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("token", "create", "nobody")


def test_healthz_is_plain_json(db: Any) -> None:
    assert Client().get("/healthz").json() == {"ok": True}
