"""Cross-system lookup (DOMAIN.md §5–§9): one view of an appeal in any system, the merged search over all of them,
and what is computed across systems. Nothing here stores a record: every read goes to the system of record."""
