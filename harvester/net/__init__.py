"""What every source shares on the wire: the pacer, the retry policy, request deadlines.

It knows no arXiv format and never touches files or the database."""
