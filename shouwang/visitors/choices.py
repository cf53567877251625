"""Stable values of the visitors app (visitors, invitations, delivery riders).

Labels are ``"中文 English"`` like the other apps' choices; the API shows one half by language.
"""

from django.db import models


class HostKind(models.TextChoices):
    """Whom a visitor comes to see: a household (by address) or an institution (by name)."""

    HOUSEHOLD = "household", "住户 household"
    INSTITUTION = "institution", "单位 institution"


class InvitationStatus(models.TextChoices):
    """An invitation is ``open`` until a visit is admitted with it (``used``)."""

    OPEN = "open", "待使用 open"
    USED = "used", "已使用 used"


class Platform(models.TextChoices):
    """Whom a delivery rider rides for (外卖 / 快递); the issue's list, plus 其他."""

    MEITUAN = "meituan", "美团 Meituan"
    ELEME = "eleme", "饿了么 Ele.me"
    SF = "sf", "顺丰 SF Express"
    JD = "jd", "京东 JD"
    EMS = "ems", "EMS EMS"
    OTHER = "other", "其他 other"


class Handoff(models.TextChoices):
    """How a delivery reached the recipient: handed over at the gate (the default) or the rider
    was let in (only where the sub-district's policy ``riders_enter`` allows it)."""

    GATE = "gate", "卡口交接 handed over at the gate"
    ENTERED = "entered", "进入社区 let in"
