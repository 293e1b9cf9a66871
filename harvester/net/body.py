"""A response body read as XML, safely: what both sources' parsers start from.

No DTD loading, no entity expansion, no network: neither of arXiv's interfaces needs
them, and each is a way for a hostile body to blow up memory or reach out. It knows
no arXiv format; `harvester.arxiv.feed` and `harvester.oai.records` read the tree.
"""

from __future__ import annotations

from lxml import etree

from harvester.errors import FeedError, RefusedBody

# libxml2 stops an entity bomb itself (amplification or recursion limits); fetching
# the same body again cannot help, so these are refused, not retried.
_REFUSED = frozenset({etree.ErrorTypes.ERR_RESOURCE_LIMIT, etree.ErrorTypes.ERR_ENTITY_LOOP})


def _parser() -> etree.XMLParser:
    # Dropping whitespace-only text between elements and xml:id bookkeeping saves a
    # third of the parse; neither carries anything a record keeps.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_blank_text=True,
        collect_ids=False,
    )


def parse_xml(content: bytes) -> etree._Element:
    """The root element of `content`.

    Raises:
        RefusedBody: the body declares entities, or trips libxml2's limits (an attack,
            not a glitch: not retried).
        FeedError: the body is not well-formed XML (retried).
    """
    try:
        root = etree.fromstring(content, parser=_parser())
    except etree.XMLSyntaxError as exc:
        if exc.code in _REFUSED:  # type: ignore[attr-defined]  # lxml-stubs lacks .code
            raise RefusedBody(f"response refused: {exc}") from None
        raise FeedError(f"response is not well-formed XML: {exc}") from None
    dtd = root.getroottree().docinfo.internalDTD
    # lxml-stubs does not know DTD.iterentities.
    if dtd is not None and any(True for _ in dtd.iterentities()):  # type: ignore[union-attr]
        # arXiv never declares entities; a body that does is an attack, not a glitch.
        raise RefusedBody("response declares XML entities; refused, not expanded")
    return root
