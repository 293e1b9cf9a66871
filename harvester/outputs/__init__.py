"""What is made from the database: exports, the static site and its feeds, the original
database's import, check and stats.

It reads the database through `db` and never fetches anything."""
