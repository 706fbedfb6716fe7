# The email keeps the legacy value exactly; uniqueness moves to its folded key (cutover.store.folded_keys).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_admin_names'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='user',
            name='users_email_normalized',
        ),
        migrations.AlterField(
            model_name='user',
            name='email',
            field=models.CharField(max_length=254),
        ),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.UniqueConstraint(models.Func(models.Func(models.F('email'), models.Value(' \t\n\r\x0c\x0b'), function='btrim'), models.Value('ABCDEFGHIJKLMNOPQRSTUVWXYZ'), models.Value('abcdefghijklmnopqrstuvwxyz'), function='translate'), name='users_email_key_unique'),
        ),
    ]
