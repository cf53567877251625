"""Roles of staff accounts."""

from django.db import models


class Role(models.TextChoices):
    SUBDISTRICT_ADMIN = "subdistrict_admin", "街道管理员 sub-district admin"
    COMMUNITY_WORKER = "community_worker", "社区工作者 community worker"
    GATE_STAFF = "gate_staff", "卡口值守 gate staff"
    HEALTH_STATION = "health_station", "社区卫生站 health station"
