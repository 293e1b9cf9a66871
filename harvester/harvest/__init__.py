"""Joins the sources and the database: a topic's harvest, its windows, walk, plan, silence.

It holds no wire format and no file format of its own: those belong below it."""
