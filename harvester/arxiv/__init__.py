"""arXiv's query API: the client, the Atom feed parser, the paging limit, date windows.

It never touches files: what it fetches goes back to its caller as records."""
