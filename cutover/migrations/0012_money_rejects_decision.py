# Rejects that carry money: the balance effect shown and how it was settled (cutover.backfill.money_rejects).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cutover", "0011_domain_store_mode_view_permission_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="backfillreject",
            name="compensating_entry_id",
            field=models.CharField(
                blank=True, help_text="The entry that carried this reject's money into the ledger.", max_length=40
            ),
        ),
        migrations.AddField(
            model_name="backfillreject",
            name="money_drop_request_reason",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="backfillreject",
            name="money_drop_requested_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="backfillreject",
            name="money_drop_requested_by_name",
            field=models.CharField(
                blank=True, help_text="Who asked to leave the money out; another user must confirm.", max_length=150
            ),
        ),
        migrations.AddField(
            model_name="backfillreject",
            name="money_effect",
            field=models.TextField(blank=True, help_text="The balance effect shown when money was decided on."),
        ),
    ]
