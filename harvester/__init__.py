"""arxiv-harvester: keep a topic-organised JSON database of arXiv papers current."""

from __future__ import annotations

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    # Looked up when first asked for, not on import: `import harvester` comes before the
    # console script can catch a Ctrl-C, and importlib.metadata takes a while to load.
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        found = version("arxiv-harvester")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        found = "0+unknown"
    globals()["__version__"] = found
    return found
