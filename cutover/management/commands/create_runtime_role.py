from django.core.management.base import CommandError, CommandParser
from django.db import DatabaseError, connections

from cutover.management.arguments import ProjectCommand, first_line
from escrow_project.db_roles import (
    OWNER_ALIAS,
    RuntimeRoleError,
    create_role_sql,
    grant_sql,
    runtime_role_create,
    runtime_role_name,
    runtime_role_problems,
)


class Command(ProjectCommand):
    help = (
        "Create the runtime role the app and workers log in as (DATABASE_URL's user and password) and grant it "
        "what it may do: read and write every table, but only SELECT and INSERT on the append-only ledger. Runs "
        "as the owner role (MIGRATE_DATABASE_URL), which needs CREATEROLE; `--print-sql` prints the statements "
        "for a DBA instead. Idempotent; `migrate` re-applies the grants."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--print-sql", action="store_true", help="print the SQL (without a password), run none")

    def handle(self, *args, print_sql: bool, **options) -> None:
        role = runtime_role_name()
        if role is None:
            raise CommandError(
                "no runtime role to create: set MIGRATE_DATABASE_URL (the owner role) and DATABASE_URL (the "
                "runtime role) to different users",
                returncode=2,
            )
        try:
            if print_sql:
                database = connections[OWNER_ALIAS].get_connection_params()["dbname"]
                for statement in [create_role_sql(role, None, None), *grant_sql(role, database)]:
                    self.stdout.write(statement + ";")
                return
            password = connections["default"].get_connection_params().get("password")
            runtime_role_create(role=role, password=password)
        except (RuntimeRoleError, DatabaseError) as error:
            raise CommandError(f"runtime role {role!r} not created: {first_line(error)}") from None
        problems = runtime_role_problems(role=role)
        if problems:
            raise CommandError(f"runtime role {role!r} has more than it should: {', '.join(problems)}", returncode=1)
        self.stdout.write(f"runtime role {role!r}: created and granted; it may only read and append to the ledger")
