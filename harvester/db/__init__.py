"""The database on disk: topic files (one per topic, or one per year, month or day past
40 MB), harvest state, the lock, what a merge counts.

It never talks to the network and knows no source's format."""
