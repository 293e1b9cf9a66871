"""The database on disk: topic files, harvest state, the lock, what a merge counts.

It never talks to the network and knows no source's format."""
