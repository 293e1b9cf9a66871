"""What is made from the database: exports (one module per format), search, the static
site and its feeds, the original database's import, check and stats.

It reads the database through `db` and never fetches anything."""
