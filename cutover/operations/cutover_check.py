"""The legacy plan's completion criteria, as live checks (`manage.py cutover_check`).

Per domain: its mode is `postgres`; its last backfill finished and a verify passed after it (and a first mode
that a legacy flag set past those steps is named); no pending or dead mirror write; no open backfill reject;
each of its TTL purges ran within its interval plus slack; its legacy env flag, where set, agrees with the
live mode. The ledger's immutability trigger is read from the catalog. For the whole deployment: Mongo is
`optional` (no domain reads or writes it) or `disabled`.

The facts a mode change also looks at (outbox, rejects, purge freshness) come from cutover.operations.readiness, so the
dashboard, the mode change form and this check never disagree; what is only the end state's is here.
"""

from dataclasses import asdict, dataclass

from django.db import connection

from cutover.modes.cache import current_mode
from cutover.modes.first_modes import flag_seeded_change
from cutover.modes.flags import legacy_flag_for
from cutover.modes.mongo_usage import DISABLED, OPTIONAL, domains_using_mongo, mongo_role
from cutover.modes.registry import domain_names, domain_spec
from cutover.modes.store_mode import StoreMode
from cutover.operations.readiness import domain_readiness

LEDGER_TRIGGERS = ("funds_ledger_entries_immutable_rows", "funds_ledger_entries_no_truncate")
DEPLOYMENT = "*"  # the `domain` of a check about the whole deployment


@dataclass(frozen=True)
class Check:
    domain: str
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def cutover_checks(domains: list[str] | None = None) -> list[Check]:
    """Every check for `domains` (each validated), or for every domain and the deployment when None."""
    names = [domain_spec(name).name for name in domains] if domains else domain_names()
    checks = [check for name in names for check in domain_checks(name)]
    if not domains:
        checks.append(mongo_check())
    return checks


def domain_checks(domain: str) -> list[Check]:
    mode = current_mode(domain)
    readiness = domain_readiness(domain)
    checks = [
        _mode_check(domain, mode),
        _copy_check(domain, mode),
        _outbox_check(domain, readiness),
        _from_item(domain, "rejects", readiness.item("rejects")),
        _from_item(domain, "purges", readiness.item("purge")),
        _flag_check(domain, mode),
    ]
    if domain == "ledger":
        checks.append(ledger_trigger_check())
    return checks


def _mode_check(domain: str, mode: StoreMode) -> Check:
    if mode is StoreMode.POSTGRES:
        return Check(domain, "mode", True, "postgres")
    steps = " → ".join(step.value for step in StoreMode if step.position > mode.position)
    return Check(domain, "mode", False, f"{mode.value}, not postgres", f"move it on: {steps} (manage.py store_mode)")


def _copy_check(domain: str, mode: StoreMode) -> Check:
    """The domain's last real backfill finished, and a verify passed after it."""
    from cutover.models import BackfillRun, VerifyResult

    seeded = flag_seeded_change(domain)
    by_flag = f" (its first mode {seeded.to_mode} came from {seeded.changed_by_name})" if seeded else ""
    run = BackfillRun.objects.filter(domain=domain, dry_run=False).order_by("-started_at", "-id").first()
    if run is None or run.status != BackfillRun.Status.FINISHED:
        state = f"the last backfill #{run.pk} is {run.status}" if run else "no backfill has run"
        return Check(domain, "backfill+verify", False, f"{state}{by_flag}", _backfill_fix(domain, mode))
    verified = VerifyResult.objects.filter(domain=domain, passed=True, started_at__gt=run.finished_at).exists()
    if not verified:
        detail = f"no passing verify since backfill #{run.pk} finished at {run.finished_at:%Y-%m-%d %H:%M} UTC"
        return Check(domain, "backfill+verify", False, detail + by_flag, f"run manage.py verify {domain}")
    return Check(domain, "backfill+verify", True, f"{run.direction} backfill #{run.pk} finished, then verified")


def _backfill_fix(domain: str, mode: StoreMode) -> str:
    if mode is not StoreMode.POSTGRES:
        return f"run manage.py backfill {domain}"
    # In postgres a forward backfill is refused (Mongo is out of the system): the copy is made in dual, where the
    # forward run only inserts the rows Postgres lacks, and the domain comes back to postgres through its gates.
    return (
        f"in postgres a forward backfill is refused: manage.py store_mode {domain} --to dual --user YOU --reason "
        f"WHY, then manage.py backfill {domain} and manage.py verify {domain}, then store_mode {domain} --to postgres"
    )


def _outbox_check(domain: str, readiness) -> Check:
    """Empty: nothing pending (not even in flight: on postgres nothing mirrors any more) and nothing dead."""
    from cutover.models import MirrorOutboxEntry

    pending, dead = readiness.item("outbox_pending"), readiness.item("outbox_dead")
    if not dead.ok:
        return _from_item(domain, "outbox", dead)
    if MirrorOutboxEntry.objects.filter(domain=domain, status=MirrorOutboxEntry.Status.PENDING).exists():
        fix = pending.fix or f"run manage.py repair_mirror --domain {domain}"
        return Check(domain, "outbox", False, f"pending mirror writes: {pending.detail}", fix)
    return Check(domain, "outbox", True, "empty")


def _flag_check(domain: str, mode: StoreMode) -> Check:
    flag = legacy_flag_for(domain)
    if flag is None:
        return Check(domain, "env flag", True, "not set")
    name, flag_mode = flag
    if flag_mode == mode.value:
        return Check(domain, "env flag", True, f"{name}={flag_mode} agrees")
    return Check(
        domain,
        "env flag",
        False,
        f"{name}={flag_mode} but the live mode is {mode.value}: the flag only seeded the first mode and means "
        f"nothing now",
        f"set {name}={mode.value} or remove it from the deployment's environment",
    )


def _from_item(domain: str, name: str, item) -> Check:
    return Check(domain, name, item.ok, item.detail, item.fix)


def ledger_trigger_check() -> Check:
    """Both immutability triggers of funds_ledger_entries exist and are enabled (pg_trigger)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass('funds_ledger_entries') "
            "AND NOT tgisinternal AND tgenabled <> 'D'"
        )
        present = {row[0] for row in cursor.fetchall()}
    missing = [name for name in LEDGER_TRIGGERS if name not in present]
    if missing:
        return Check(
            "ledger",
            "ledger trigger",
            False,
            f"missing or disabled on funds_ledger_entries: {', '.join(missing)}",
            "run manage.py migrate ledger (migration 0002 installs them), or ENABLE TRIGGER them again",
        )
    return Check("ledger", "ledger trigger", True, "UPDATE, DELETE and TRUNCATE are refused (pg_trigger)")


def mongo_check() -> Check:
    role = mongo_role()
    if role == OPTIONAL:
        return Check(DEPLOYMENT, "mongo", True, "optional: no domain reads or writes it")
    if role == DISABLED:
        return Check(DEPLOYMENT, "mongo", True, "disabled: no domain uses it and nothing connects")
    using = ", ".join(domains_using_mongo())
    return Check(DEPLOYMENT, "mongo", False, f"required: {using} still use it", "move them to postgres")
