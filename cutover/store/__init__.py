"""The store layer: what a record is and how each store keeps it.

Owns the ports' shared base (ports), the declarative record maps (recordmap, kinds,
records), legacy value parsing (legacy), the small query language (filters), the model
fields every domain table shares (fields), the Mongo and Postgres backends (backends),
compare-and-swap writes to legacy documents (mongo_writes), Mongo index definitions
(mongo_indexes) and the checks services share, state machines included (validation).
Imports no other part of cutover: everything else is built on it.
"""
