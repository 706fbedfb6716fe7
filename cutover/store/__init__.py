"""The store layer: what a record is and how each store keeps it.

Owns the ports' shared base (ports), the declarative record maps (recordmap, kinds, extra_kinds,
records), their precompiled document readers (converters), records kept as embedded array elements
(elements), legacy value parsing (legacy; keys compared case-insensitively: folded_keys; keys a
document left blank or stored in another form: absent; record clocks reported, never compared: clocks),
which stored keys are secret (masking), the checks services share, state machines included (validation), the small query
language (filters), the model fields every domain table shares (fields), the Mongo and Postgres
backends (backends), compare-and-swap writes to legacy documents (mongo_writes), the check Postgres
makes before a Mongo-primary write (write_checks) and Mongo index definitions (mongo_indexes).
Imports no other part of cutover: everything else is built on it.
"""
