"""The pure core: sale and rule models, name matching and the screening engine (no I/O)."""
