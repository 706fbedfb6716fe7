from django.core.management.commands.migrate import Command as DjangoMigrate

from cutover.management.arguments import OneLineErrors
from escrow_project.db_roles import owner_alias


class Command(OneLineErrors, DjangoMigrate):
    help = (
        DjangoMigrate.help + " Runs as the owner role (MIGRATE_DATABASE_URL) when one is configured, and then "
        "grants the runtime role (DATABASE_URL's user) what it may do: see `create_runtime_role`."
    )

    def handle(self, *args, **options):
        options["database"] = owner_alias(options["database"])
        return super().handle(*args, **options)
