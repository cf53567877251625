"""Stable values of the screening app."""

from django.db import models


class Direction(models.TextChoices):
    IN = "in", "进"
    OUT = "out", "出"


class Decision(models.TextChoices):
    """The gate decision. Order of severity when several apply: refer > deny > retest > register > admit."""

    ADMIT = "admit", "放行"
    RETEST = "retest", "请复测"
    REFER = "refer", "转卫生站"
    DENY = "deny", "禁止通行"
    REGISTER = "register", "请登记"


class IdentifiedBy(models.TextChoices):
    QR = "qr", "二维码"
    PASS_NUMBER = "pass_number", "出入证号"
    ID_NUMBER = "id_number", "证件号"
    RESIDENT = "resident", "姓名/拼音"


class AlertKind(models.TextChoices):
    FEVER_REFERRAL = "fever_referral", "发热转诊"
    QUARANTINE_BREACH = "quarantine_breach", "隔离人员外出"
    FORGED_PASS = "forged_pass", "伪造出入证"
    FOLLOWUP_FEVER = "followup_fever", "隔离随访发热"
    FOLLOWUP_SYMPTOMS = "followup_symptoms", "隔离随访有症状"
