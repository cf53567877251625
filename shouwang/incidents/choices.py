"""Stable values of the incidents app (incidents at the gate and help given).

Labels are ``"中文 English"`` like the other apps' choices; the API shows one half by language.
"""

from django.db import models


class IncidentKind(models.TextChoices):
    """What went wrong at the gate (the issue's list; the 2020 record names a man with no pass
    and no mask forcing his way in, with the police station as the escalation)."""

    NO_PASS = "no_pass", "无证通行 no pass"
    NO_MASK = "no_mask", "未戴口罩 no mask"
    REFUSED_TEMPERATURE = "refused_temperature", "拒绝测温 refused temperature check"
    FORCED_ENTRY = "forced_entry", "强行闯卡 forced entry"
    ABUSE = "abuse", "辱骂威胁 abuse"
    FEVER_REFUSED_REFERRAL = "fever_refused_referral", "发热拒绝转诊 fever, refused referral"
    OTHER = "other", "其他 other"


class Severity(models.TextChoices):
    LOW = "low", "一般 low"
    MEDIUM = "medium", "较重 medium"
    HIGH = "high", "严重 high"


class EscalationTarget(models.TextChoices):
    """Whom an incident is handed to: the local police station (派出所), the community health
    station (卫生站), or the community office (社区居委会)."""

    POLICE_STATION = "police_station", "派出所 police station"
    HEALTH_STATION = "health_station", "卫生站 health station"
    COMMUNITY = "community", "社区 community office"


class IncidentStatus(models.TextChoices):
    """``open`` until closed with an outcome; ``closed`` is final."""

    OPEN = "open", "处理中 open"
    CLOSED = "closed", "已结案 closed"


class ServiceKind(models.TextChoices):
    """Help given at the gate (便民服务), e.g. walking ahead to check a barber was open."""

    ERRAND = "errand", "代办跑腿 errand"
    ESCORT = "escort", "陪同引导 escort"
    INFORMATION = "information", "咨询指路 information"
    GOODS = "goods", "帮提物品 help with goods"
    OTHER = "other", "其他 other"
