"""Store modes: which store serves each domain, and how every process learns it at once.

Owns the mode values (store_mode), the registry of domains (registry), the per-process
mode cache (cache), the write fence that makes a mode change take effect everywhere
together (fence), first modes seeded from the legacy `<DOMAIN>_STORE` flags (first_modes),
those flags against the live modes (flags) and whether anything needs MongoDB now
(mongo_usage). Imports only the store layer and the models.
"""
