"""Value conversion: exact reads or named rejects per field kind, lossless round trips, values no store holds."""
