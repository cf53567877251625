"""Fixtures of the core tests: community B's records and the read-only roles."""

from __future__ import annotations

import pytest

from conftest import World
from shouwang.core.tests.test_access_fixtures import BWorld, make_b


@pytest.fixture
def bw(world: World) -> BWorld:
    """Community B's records (through the services), the inspector (community A) and the
    data-protection officer (no community)."""
    return make_b(world)
