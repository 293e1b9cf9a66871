"""arxiv-harvester: keep a topic-organised JSON database of arXiv papers current."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("arxiv-harvester")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = ["__version__"]
