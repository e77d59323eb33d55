"""The sync engine (DESIGN.md §5): extract → validate → diff → spool → load → commit."""
