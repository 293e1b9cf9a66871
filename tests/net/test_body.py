"""Response bodies read as XML: entities refused, malformed bodies a FeedError, blank
text between elements dropped."""

from __future__ import annotations

import pytest

from harvester.errors import FeedError, RefusedBody
from harvester.net.body import parse_xml
from harvester.net.retry import retryable


def test_a_well_formed_body_gives_its_root_without_blank_text():
    """The root comes back; whitespace-only text between elements is dropped."""
    root = parse_xml(b'<?xml version="1.0"?>\n<list>\n  <item>a b</item>\n  <item/>\n</list>\n')
    assert root.tag == "list"
    assert root.text is None
    assert [(i.text, i.tail) for i in root] == [("a b", None), (None, None)]


@pytest.mark.parametrize(
    ("body", "error", "message"),
    [
        pytest.param(b"<list><item></list>", FeedError, "not well-formed XML", id="malformed"),
        pytest.param(b"", FeedError, "not well-formed XML", id="empty"),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
            RefusedBody,
            "declares XML entities; refused, not expanded",
            id="internal-entity",
        ),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b"<x>&e;</x>",
            RefusedBody,
            "declares XML entities",
            id="external-entity",
        ),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "&b;"><!ENTITY b "&a;">]><x>&a;</x>',
            RefusedBody,
            "response refused: ",
            id="entity-loop",
        ),
    ],
)
def test_a_bad_body_is_refused_or_a_feed_error(body: bytes, error: type, message: str):
    """Entities are refused for good (an attack); a malformed body may heal: retried."""
    with pytest.raises(error, match=message) as caught:
        parse_xml(body)
    assert type(caught.value) is error
    assert retryable(caught.value) is (error is FeedError)
