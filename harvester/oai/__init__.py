"""arXiv's OAI-PMH interface: `ListRecords` and `ListIdentifiers`, the record parsers,
TeX to Unicode, author names.

It pages, paces and retries through `harvester.net`; it never touches files or the database."""
