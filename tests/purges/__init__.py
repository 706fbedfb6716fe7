"""Purges of short-lived records: boundaries, and the same records gone from both stores in dual modes."""
