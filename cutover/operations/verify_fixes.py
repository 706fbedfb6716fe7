"""What fixes each kind of verify failure, in the domain's current mode: the verify command prints it under
a failing result and the readiness checklist offers it. Every failure has a command; each works with
writes flowing (the copies take the copy locks and follow the leading store)."""

from cutover.modes.store_mode import StoreMode

_MONGO_LEADS = (StoreMode.MONGO, StoreMode.DUAL_MONGO_PRIMARY)


def verify_fixes(domain: str, mode: StoreMode, problems: set[str]) -> list[tuple[str, str]]:
    """(command, what it does) for each problem kind found (missing_in_postgres, missing_in_mongo,
    differing, unreadable_in_mongo, id_clashes, render_differs), one line per distinct command, in a useful order."""
    fixes: dict[str, list[str]] = {}
    copy = {"missing_in_postgres", "missing_in_mongo", "differing"} & problems
    if copy and mode in _MONGO_LEADS:
        fixes.setdefault(f"manage.py backfill {domain}", []).append(
            "Mongo leads: loads missing and differing rows from their documents and removes rows whose documents "
            "are gone (a ledger entry among them becomes a deleted_entry reject: `manage.py resolve_deleted_entry`)"
        )
    elif copy:
        fixes.setdefault(f"manage.py repair_mirror --domain {domain}", []).append(
            "Postgres leads: copies the rows whose mirror writes are still pending"
        )
        fixes.setdefault(f"manage.py backfill --reverse {domain}", []).append(
            "copies every row to its document and removes documents whose rows are gone"
        )
    if {"unreadable_in_mongo", "id_clashes"} & problems:
        fixes.setdefault(f"manage.py backfill_rejects --domain {domain}", []).append(
            f"lists the documents that cannot be migrated as they are; fix them and rerun `manage.py backfill "
            f"{domain}`, or acknowledge them"
        )
    if "render_differs" in problems:
        fixes.setdefault(f"manage.py verify {domain} --json", []).append(
            "names each key whose stored form a row does not give back (both values, both BSON types): correct "
            f"those documents in Mongo and rerun `manage.py backfill {domain}`, or report the field's conversion"
        )
    return [(command, "; ".join(why)) for command, why in fixes.items()]


def fixes_of_result(domain: str, mode: StoreMode, result) -> list[tuple[str, str]]:
    """verify_fixes for the problem kinds a stored VerifyResult counted."""
    found = {name for counts in (result.counts or {}).values() for name, n in (counts or {}).items() if n}
    return verify_fixes(domain, mode, found)
