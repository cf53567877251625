"""Roles of staff accounts."""

from django.db import models


class Role(models.TextChoices):
    SUBDISTRICT_ADMIN = "subdistrict_admin", "街道管理员 sub-district admin"
    COMMUNITY_WORKER = "community_worker", "社区工作者 community worker"
    GATE_STAFF = "gate_staff", "卡口值守 gate staff"
    HEALTH_STATION = "health_station", "社区卫生站 health station"
    # Sees the audit log of the sub-district; people's data only where given a community.
    DATA_PROTECTION_OFFICER = "data_protection_officer", "数据保护专员 data-protection officer"
    # Reads the pages, API and dashboards of their communities; every write refuses them.
    INSPECTOR = "inspector", "只读督查 read-only inspector"


class RevealReason(models.TextChoices):
    """Why a masked phone is shown in clear (the reveal's audit record keeps the code and note)."""

    FOLLOW_UP_CALL = "follow_up_call", "随访电话 follow-up call"
    CONTACT_HOST = "contact_host", "联系访客或被访户 contact visitor or host"
    HEALTH_REFERRAL = "health_referral", "卫生站转诊联系 health-station referral"
    VERIFY_IDENTITY = "verify_identity", "核实身份 verify identity"
    OTHER = "other", "其他（请说明） other (say why)"
