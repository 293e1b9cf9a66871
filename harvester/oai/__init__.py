"""arXiv's OAI-PMH interface: the `ListRecords` client and the `arXivRaw` record parser.

It pages, paces and retries through `harvester.net`; it never touches files or the database."""
