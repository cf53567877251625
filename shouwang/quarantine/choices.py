"""Stable values of the quarantine app (returnees, plans, follow-ups)."""

from django.db import models


class Transport(models.TextChoices):
    TRAIN = "train", "火车 train"
    FLIGHT = "flight", "飞机 flight"
    COACH = "coach", "长途客车 coach"
    CAR = "car", "自驾 car"
    OTHER = "other", "其他 other"


class Source(models.TextChoices):
    """Where a returnee was registered."""

    GATE = "gate", "卡口登记 at the gate"
    WORKER = "worker", "社区登记 by a community worker"
    SELF_REPORT = "self_report", "本人申报 self-reported"


class PlanStatus(models.TextChoices):
    """A home-quarantine plan's state. ``active`` and ``extended`` are in force until the end of
    ``last_day``; ``released`` and ``transferred`` are final."""

    ACTIVE = "active", "隔离中 active"
    EXTENDED = "extended", "已延长 extended"
    RELEASED = "released", "已解除 released"
    TRANSFERRED = "transferred", "已转院 transferred to hospital"


IN_FORCE = (PlanStatus.ACTIVE, PlanStatus.EXTENDED)


class Slot(models.TextChoices):
    """The two follow-ups of a day (temperature twice a day)."""

    AM = "am", "上午 morning"
    PM = "pm", "下午 afternoon"


class Method(models.TextChoices):
    PHONE = "phone", "电话 phone call"
    VISIT = "visit", "上门 visit"
    SELF = "self", "本人填报 self-reported"


class Symptom(models.TextChoices):
    """The short symptom list of the 2020 follow-up forms (国家卫健委 诊疗方案 第六版: 发热、乏力、干咳
    为主要表现; 少数伴有鼻塞、流涕、咽痛、肌痛和腹泻)."""

    COUGH = "cough", "咳嗽 cough"
    FATIGUE = "fatigue", "乏力 fatigue"
    SORE_THROAT = "sore_throat", "咽痛 sore throat"
    SHORT_OF_BREATH = "short_of_breath", "气促 short of breath"
    MUSCLE_ACHE = "muscle_ache", "肌肉酸痛 muscle ache"
    DIARRHOEA = "diarrhoea", "腹泻 diarrhoea"
    RUNNY_NOSE = "runny_nose", "鼻塞流涕 runny nose"


class SelfReportStatus(models.TextChoices):
    PENDING = "pending", "待确认 pending"
    CONFIRMED = "confirmed", "已确认 confirmed"
    REJECTED = "rejected", "已退回 rejected"
