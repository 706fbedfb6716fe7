"""What operators do to a cutover: change a domain's store mode, and the checks that guard it.

Owns the one mode-change path shared by admin and the CLI (mode_changes), the preconditions each change must meet
with the fix to offer (preconditions; the evidence they read and the shadow-read soak: evidence, soak), whether a
domain is mid transition (transition), where each domain stands and what blocks its next step (readiness; its
checklist and parts: readiness_checklist, readiness_items), each domain at a glance: done, in progress or with
incidents (standing), dead mirror writes put back audited (requeue), a running backfill paused, resumed or canceled
audited (backfill_control), ledger entries deleted from Mongo resolved (deleted_entries), the command that fixes
each verify failure (verify_fixes), skewed record clocks reported (record_clocks), the legacy plan's completion
criteria (cutover_check), what is wrong right now as alarms (alarms), each store's latency in the dual modes from
the processes' histograms (store_latency), the cutover's state as Prometheus metrics (metrics) and the deployment's
health (health). May import every other layer; the admin, the management commands, the API's health endpoint,
/metrics and tests import it.
"""
