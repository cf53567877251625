"""Choices of the people app: document types, gender, relation to the head of household."""

from django.db import models


class DocumentType(models.TextChoices):
    """Identity documents accepted at the gate (DESIGN.md §4)."""

    RESIDENT_ID = "resident_id", "居民身份证"
    HKMOTW_RESIDENCE_PERMIT = "hkmotw_residence_permit", "港澳台居民居住证"
    FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence", "外国人永久居留身份证"
    PASSPORT = "passport", "护照"
    HKMO_TRAVEL_PERMIT = "hkmo_travel_permit", "港澳居民来往内地通行证"
    TW_TRAVEL_PERMIT = "tw_travel_permit", "台湾居民来往大陆通行证"


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"
    UNKNOWN = "", "未填"


class InstitutionKind(models.TextChoices):
    OFFICE = "office", "机关办公楼"
    FIRE_STATION = "fire_station", "消防站"
    HEALTH_STATION = "health_station", "卫生站"
    HOTEL = "hotel", "旅馆"
    SHOP = "shop", "六小门店"
    OTHER = "other", "其他"
