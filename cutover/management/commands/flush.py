from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.core.management.commands.flush import Command as DjangoFlush
from django.core.management.sql import emit_post_migrate_signal, sql_flush
from django.db import connections
from django.db.utils import load_backend

from cutover.management.arguments import OneLineErrors
from escrow_project.db_roles import owner_alias


class Command(OneLineErrors, DjangoFlush):
    help = (
        DjangoFlush.help + " Empties the tables as the owner role (MIGRATE_DATABASE_URL) when one is configured: "
        "the runtime role may not empty the append-only ledger."
    )

    def handle(self, **options):
        owner = owner_alias(options["database"])
        if owner == options["database"]:
            return super().handle(**options)
        if options["interactive"] and input(f"Empty every table of {owner!r}? Type 'yes' to continue: ") != "yes":
            raise CommandError("flush cancelled", returncode=1)
        # A connection of its own: test cases forbid queries on aliases they did not ask for, and emptying
        # the tables is the owner's job whichever alias asked.
        owner_settings = connections[owner].settings_dict
        connection = load_backend(owner_settings["ENGINE"]).DatabaseWrapper(dict(owner_settings), alias="owner-flush")
        try:
            sql_list = sql_flush(
                no_style(),
                connection,
                reset_sequences=options.get("reset_sequences", True),
                allow_cascade=options.get("allow_cascade", False),
            )
            with connection.cursor() as cursor:  # autocommit; Postgres empties them in one TRUNCATE
                for statement in sql_list:
                    cursor.execute(statement)
        finally:
            connection.close()
        if sql_list and not options.get("inhibit_post_migrate", False):
            emit_post_migrate_signal(options["verbosity"], options["interactive"], options["database"])
