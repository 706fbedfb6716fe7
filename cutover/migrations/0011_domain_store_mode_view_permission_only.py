"""Store modes have one permission model: cutover.change_store_mode (and the override guard) to change,
view_domainstoremode to look. Django's add/change/delete permissions of the row did nothing; they are no
longer created, and the ones an existing database holds are removed (with whatever held them), so no
one keeps a permission that looks like it allows something."""

from django.db import migrations

DROPPED = ["add_domainstoremode", "change_domainstoremode", "delete_domainstoremode"]


def drop_permissions_that_did_nothing(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    dropped = Permission.objects.using(schema_editor.connection.alias).filter(
        content_type__app_label="cutover", codename__in=DROPPED
    )
    dropped.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cutover", "0010_backfill_range_digest"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="domainstoremode",
            options={
                "default_permissions": ("view",),
                "ordering": ["domain"],
                "permissions": [
                    ("change_store_mode", "Can change a domain's store mode"),
                    ("override_store_mode_guard", "Can change a store mode despite a failed precondition"),
                ],
            },
        ),
        migrations.RunPython(drop_permissions_that_did_nothing, migrations.RunPython.noop),
    ]
