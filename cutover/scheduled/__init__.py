"""Periodic work in place of Mongo's TTL indexes and of manual repair.

Owns the schedule as data (schedule), one Celery task per scheduled job (tasks), running a
job under its lock and on the record (runs), batched purges of expired records
(purge) and whether each task ran on time (status). Imports the store layer, the models, modes and mirror.
"""
