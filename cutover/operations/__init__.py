"""What operators do to a cutover: change a domain's store mode, and the checks that guard it.

Owns the one mode-change path shared by admin and the CLI (mode_changes), the preconditions
each change must meet with the fix to offer (preconditions), and whether a domain is mid
transition (transition). May import every other layer; only the admin, the management
commands and tests import it.
"""
