"""Store modes: which store serves each domain, and how every process learns it at once.

Owns the mode values (store_mode), the registry of domains (registry), the per-process
mode cache (cache) and the write fence that makes a mode change take effect everywhere
together (fence). Imports only the store layer and the models.
"""
