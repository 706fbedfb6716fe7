"""The verify command: every field, every range, rendering back, the fix it names, convergence under writes."""
