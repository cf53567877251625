"""Each visit keeps the visitor's masked name, phone and masked document as recorded at that
visit, so a later visit correcting the visitor no longer rewrites what earlier visits show.

Existing visits are filled from their visitor as it is now (the best that is left).
"""

from typing import Any

from django.db import migrations, models


def _mask_name(name: str) -> str:
    # As ``shouwang.visitors.models.mask_name`` at the time of this migration.
    return name[:1] + "*" * min(max(len(name) - 1, 1), 2) if name else ""


def fill_from_visitor(apps: Any, schema_editor: Any) -> None:
    Visit = apps.get_model("visitors", "Visit")
    Visitor = apps.get_model("visitors", "Visitor")
    for visitor in Visitor.objects.all().only("pk", "name", "phone", "id_masked").iterator():
        Visit.objects.filter(visitor_id=visitor.pk).update(
            visitor_name_masked=_mask_name(visitor.name),
            visitor_phone=visitor.phone,
            visitor_id_masked=visitor.id_masked,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("visitors", "0001_visitors_visits_invitations_deliveries"),
    ]

    operations = [
        migrations.AddField(
            model_name="visit",
            name="visitor_id_masked",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="visit",
            name="visitor_name_masked",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name="visit",
            name="visitor_phone",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.RunPython(fill_from_visitor, migrations.RunPython.noop),
    ]
