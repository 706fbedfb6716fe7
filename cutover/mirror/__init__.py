"""Keeping the second store equal to the first while a domain is in a dual mode.

Owns the one dual-write wrapper (dual) and its one-store twin (single), the outbox of mirror writes
(outbox), running them after commit (dispatch) or in the relay process (relay; one per app process:
relay_child; its liveness: heartbeat), the copy of one record between stores (copy), the Mongo circuit
breaker (breaker), shadow reads (shadow) and what this process counts for /metrics (counters).
Imports the store layer, the models and modes.
"""
