# An entry is reversed at most once (ledger.rules.AlreadyReversed): a partial unique index on reverses_entry.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_email_exact_with_folded_unique_key'),
        ('ledger', '0003_legacy_shape_and_exact_money'),
        ('payments', '0002_legacy_shape_and_exact_money'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.UniqueConstraint(condition=models.Q(('reverses_entry__isnull', False)), fields=('reverses_entry',), name='ledger_reversed_once'),
        ),
    ]
