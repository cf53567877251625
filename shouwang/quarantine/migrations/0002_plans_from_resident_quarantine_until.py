"""Carry the gate core's placeholder ``Resident.quarantine_until`` into real plans.

A resident whose placeholder is today or later gets a returnee record (origin unknown: the
placeholder never had one) and a 14-day plan ending on that day, so nobody in quarantine walks
out of a gate because the column moved.
"""

import datetime as dt

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    Resident = apps.get_model("people", "Resident")
    Returnee = apps.get_model("quarantine", "Returnee")
    QuarantinePlan = apps.get_model("quarantine", "QuarantinePlan")
    today = timezone.localdate()
    for resident in Resident.objects.filter(quarantine_until__gte=today).select_related("household"):
        last_day = resident.quarantine_until
        first_day = last_day - dt.timedelta(days=13)
        returnee = Returnee.objects.create(
            community_id=resident.community_id,
            resident=resident,
            origin_code="000000",
            origin_label="未记录 not recorded",
            arrived_at=timezone.make_aware(dt.datetime.combine(first_day, dt.time(12))),
            transport="other",
            address=resident.household.address if resident.household else "",
            source="worker",
        )
        QuarantinePlan.objects.create(
            community_id=resident.community_id,
            returnee=returnee,
            resident=resident,
            first_day=first_day,
            last_day=last_day,
            status="active",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_households_residents_institutions"),
        ("quarantine", "0001_returnees_plans_follow_ups_self_reports"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
