"""The scheduled refresh: the run's report, commit and push, the job, the keep-alive, and
the new repository `harvest init` lays out for it.

It runs harvests and git; it never prints (only `cli` does) and never parses arXiv."""
