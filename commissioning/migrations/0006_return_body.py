"""Each monitoring return keeps its agreement's lead body, for a body's lists of returns, and the
register's default order gets an index."""

import django.db.models.deletion
from django.db import migrations, models


def fill_bodies(apps, schema_editor):
    MonitoringReturn = apps.get_model("commissioning", "MonitoringReturn")
    Agreement = apps.get_model("commissioning", "Agreement")
    MonitoringReturn.objects.update(
        body_id=models.Subquery(
            Agreement.objects.filter(pk=models.OuterRef("agreement_id")).values("body_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_directory_indexes"),
        ("commissioning", "0005_agreements"),
    ]

    operations = [
        migrations.AddField(
            model_name="monitoringreturn",
            name="body",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.organisation",
            ),
        ),
        migrations.RunPython(fill_bodies, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="monitoringreturn",
            name="body",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.organisation",
            ),
        ),
        migrations.AddIndex(
            model_name="agreement",
            index=models.Index(fields=["end_on", "reference"], name="agreement_register_order"),
        ),
        migrations.AddIndex(
            model_name="monitoringreturn",
            index=models.Index(fields=["body", "status", "due_on"], name="return_of_body_by_due"),
        ),
        migrations.AddIndex(
            model_name="monitoringreturn",
            index=models.Index(
                fields=["body", "status", "submitted_at"], name="return_of_body_by_submission"
            ),
        ),
    ]
