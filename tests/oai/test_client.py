"""The OAI-PMH client against the stand-in: paging by resumption token without a miss
or a repeat, the shared pacer, and faults retried or reported as the query API's; and
against responses arXiv served (tests/fixtures/oai/INDEX.md)."""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harvester.errors import FeedError, FetchError, OaiRejected
from harvester.net.pacer import Pacer
from harvester.oai.client import OaiClient
from tests.conftest import FakeTime, closed_port
from tests.oai_standin import OaiStandin, error_document, many, offline
from tests.standin import Reply

DAYS = [date(2026, 3, 30), date(2026, 3, 31), date(2026, 4, 1)]


def listed(client: OaiClient, **options: object) -> list[str]:
    """Every paper id a whole list yields, in order."""
    return [r.paper.key for page in client.list_records(**options) for r in page.records]  # type: ignore[arg-type]


def test_seven_thousand_records_over_three_days_come_once_each():
    """7,000 records over 3 days in 2,500-record pages: each once, in ceil(7000/2500) requests."""
    standin = OaiStandin(today=date(2026, 4, 3))
    standin.add(*many(7000, days=DAYS))
    client = offline(standin)
    keys = listed(client, from_day=DAYS[0])
    assert sorted(keys) == sorted(standin.papers)
    assert len(keys) == 7000
    assert client.requests == 3


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(1, 300),
    limit=st.integers(1, 60),
    spread=st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True),
    seed=st.integers(0, 1000),
)
def test_any_page_size_and_spread_misses_and_repeats_nothing(
    count: int, limit: int, spread: list[date], seed: int
):
    """Whatever the page size and however records spread over days, a list yields each once."""
    standin = OaiStandin(today=date(2026, 4, 3), limit=limit)
    standin.add(*many(count, days=spread, seed=seed))
    keys = listed(offline(standin), from_day=DAYS[0])
    assert sorted(keys) == sorted(standin.papers)


def test_requests_of_both_clients_share_one_pace():
    """The OAI client waits on the pacer it is given, so both of arXiv's interfaces
    together keep 3 s between request starts."""
    standin = OaiStandin(today=date(2026, 4, 3), limit=10)
    standin.add(*many(25, days=DAYS))
    fake = FakeTime()
    pacer = Pacer(delay_seconds=3, clock=fake.clock, sleep=fake.sleep)
    pacer.wait()  # a query API request just started
    listed(offline(standin, pacer=pacer))
    assert fake.sleeps == [3, 3, 3]


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(Reply(status=503, headers={"Retry-After": "7"}), id="503-retry-after"),
        pytest.param(Reply(body=b""), id="blank"),
        pytest.param(Reply(body=b"   \n"), id="whitespace"),
        pytest.param(None, id="truncated"),
    ],
)
def test_a_transient_fault_is_retried(fault: Reply | None):
    """A 503, a blank body or a truncated page is asked again, after Retry-After if given."""
    standin = OaiStandin(today=date(2026, 4, 3))
    standin.add(*many(5, days=DAYS))
    good = standin.list_records({"verb": "ListRecords", "metadataPrefix": "arXivRaw"})
    standin.script = [fault or Reply(body=good, truncate_to=len(good) // 2)]
    sleeps: list[float] = []
    client = offline(standin, sleep=sleeps.append)
    assert len(listed(client)) == 5
    assert client.requests == 2
    assert sleeps[0] == (7 if fault and fault.status == 503 else sleeps[0])


def test_an_oai_error_is_reported_not_retried():
    """An OAI error document (bad argument) fails at once with its code."""
    standin = OaiStandin(today=date(2026, 4, 3))
    standin.script = [Reply(body=error_document("badArgument", "Set does not exist"))]
    client = offline(standin)
    with pytest.raises(OaiRejected, match="badArgument"):
        listed(client, set_spec="cs")
    assert client.requests == 1


def test_a_page_that_keeps_failing_is_reported_after_the_attempts():
    """A page failing every attempt raises FetchError after `max_attempts` requests."""
    standin = OaiStandin(today=date(2026, 4, 3))
    standin.script = [Reply(status=503)] * 3
    client = offline(standin, max_attempts=3)
    with pytest.raises(FetchError, match="HTTP 503"):
        listed(client)
    assert client.requests == 3


def test_the_real_server_answers_over_http():
    """Over a socket to the stand-in, a list with a `from` day and a set comes whole."""
    with OaiStandin(today=date(2026, 4, 3), limit=4) as standin:
        standin.add(*many(10, days=DAYS))
        client = OaiClient(oai_url=standin.url, pacer=Pacer(delay_seconds=0))
        with client:
            keys = listed(client, from_day=DAYS[0] - timedelta(days=1), set_spec="cs")
        assert sorted(keys) == sorted(standin.papers)
        assert standin.requests[0] == {
            "verb": "ListRecords",
            "metadataPrefix": "arXivRaw",
            "from": "2026-03-29",
            "set": "cs",
        }
        assert set(standin.requests[1]) == {"verb", "resumptionToken"}


def test_a_day_before_arxivs_earliest_datestamp_is_not_sent():
    """A `from` before 2005-09-16, which arXiv refuses as too early, lists everything."""
    standin = OaiStandin(today=date(2026, 4, 3))
    standin.add(*many(5, days=DAYS))
    client = offline(standin)
    assert len(listed(client, from_day=date(2001, 1, 1))) == 5
    assert "from" not in standin.requests[0]


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        pytest.param("127.0.0.1:{port}", "connection refused", id="refused"),
        # RFC 6761: resolvers answer names under .invalid NXDOMAIN themselves, offline.
        pytest.param("oaipmh.arxiv.invalid", "name not known", id="no-such-name"),
    ],
)
def test_an_unreachable_host_is_named_plainly_and_nothing_answered(
    caplog: pytest.LogCaptureFixture, host: str, reason: str
):
    """Connecting fails for real: each retry and the error name the host and why, as the
    query API client's do, and no request counts as answered."""
    caplog.set_level(logging.WARNING, logger="harvester.oai.client")
    host = host.replace("{port}", str(closed_port()))
    time = FakeTime()
    pacer = Pacer(delay_seconds=0, clock=time.clock, sleep=time.sleep)
    client = OaiClient(oai_url=f"http://{host}/oai", pacer=pacer, sleep=time.sleep, max_attempts=2)
    with client, pytest.raises(FetchError) as caught:
        listed(client)
    assert str(caught.value) == f"cannot reach {host}: {reason}"
    assert (client.requests, client.answered) == (2, 0)
    assert [r.getMessage().partition("; retrying")[0] for r in caplog.records] == [
        f"OAI-PMH attempt 1 of 2 failed: cannot reach {host}: {reason}"
    ]


def test_answered_requests_are_counted_apart_from_attempts():
    """A 503 is answered and a page too: 2 requests sent, 2 answered; any status counts."""
    standin = OaiStandin(today=date(2026, 4, 3))
    standin.add(*many(5, days=DAYS))
    standin.script = [Reply(status=503)]
    client = offline(standin)
    assert len(listed(client)) == 5
    assert (client.requests, client.answered) == (2, 2)


def _with_token(page: bytes, token: str) -> bytes:
    """A list page whose resumption token is `token` (the server's word, not the stand-in's)."""
    return page.replace(
        b"</ListRecords>", f"<resumptionToken>{token}</resumptionToken></ListRecords>".encode()
    )


@pytest.mark.parametrize(
    "tokens",
    [
        pytest.param(["A", "A"], id="same-token-forever"),
        pytest.param(["A", "B", "A"], id="A-B-A"),
    ],
)
def test_a_token_given_before_in_the_list_is_a_server_fault(tokens: list[str]):
    """A server answering a token it gave before in the same list (which would have the
    list asked round forever) is retried, the page asked again, then reported (issue 24)."""
    with OaiStandin(today=date(2026, 4, 3)) as standin:
        standin.add(*many(3, days=DAYS))
        page = standin.list_records({"verb": "ListRecords", "metadataPrefix": "arXivRaw"})
        standin.script = [Reply(body=_with_token(page, t)) for t in tokens]
        standin.script += [Reply(body=_with_token(page, tokens[-1]))] * 3  # every retry too
        sleeps: list[float] = []
        client = OaiClient(
            oai_url=standin.url, pacer=Pacer(delay_seconds=0), sleep=sleeps.append, max_attempts=3
        )
        with client, pytest.raises(FeedError) as caught:
            listed(client)
    assert str(caught.value) == "the server gave a resumption token it gave before in this list"
    assert client.requests == len(tokens) + 2  # the repeating page asked 3 times in all
    assert standin.requests[-1] == {"verb": "ListRecords", "resumptionToken": tokens[-2]}
    assert len(sleeps) == 2


def test_a_token_too_long_to_send_back_is_a_server_fault():
    """A 100 kB token is refused as it arrives (retried, then reported), before anyone
    saves it to send later (issue 24)."""
    with OaiStandin(today=date(2026, 4, 3)) as standin:
        standin.add(*many(3, days=DAYS))
        page = standin.list_records({"verb": "ListRecords", "metadataPrefix": "arXivRaw"})
        standin.script = [Reply(body=_with_token(page, "x" * 100_000))] * 2
        client = OaiClient(
            oai_url=standin.url, pacer=Pacer(delay_seconds=0), sleep=lambda _: None, max_attempts=2
        )
        with client, pytest.raises(FeedError) as caught:
            listed(client)
    assert str(caught.value) == "a resumption token of 100,000 characters (at most 1,000)"
    assert client.requests == 2


@pytest.mark.parametrize("day", ["9999-12-31", "2030-01-01"])
def test_a_record_changed_after_the_servers_today_is_a_server_fault(day: str):
    """A datestamp after our today + 1 day (the server's today at the latest) is a page no
    server sends: retried, then reported, never taken (issue 24)."""
    with OaiStandin(today=date(2026, 4, 3)) as standin:
        standin.add(*many(3, days=DAYS))
        page = standin.list_records({"verb": "ListRecords", "metadataPrefix": "arXivRaw"})
        first = f"<datestamp>{DAYS[0]}</datestamp>".encode()
        wrong = page.replace(first, f"<datestamp>{day}</datestamp>".encode(), 1)
        assert wrong != page
        standin.script = [Reply(body=wrong)] * 2
        client = OaiClient(
            oai_url=standin.url, pacer=Pacer(delay_seconds=0), sleep=lambda _: None, max_attempts=2
        )
        with client, pytest.raises(FeedError) as caught:
            listed(client)
    assert str(caught.value).startswith(f"a record datestamped {day}, after the server's today")
    assert client.requests == 2


def test_a_url_that_cannot_be_made_is_one_error_never_sent():
    """A token no URL can hold (a cursor saved before tokens were bounded) fails on one
    line, unretried and unsent, rather than with httpx's InvalidURL (issue 24)."""
    with OaiStandin(today=date(2026, 4, 3)) as standin:
        client = OaiClient(oai_url=standin.url, pacer=Pacer(delay_seconds=0), sleep=lambda _: None)
        with client, pytest.raises(FetchError) as caught:
            listed(client, token="x" * 100_000)
    assert str(caught.value) == "cannot make a request URL: URL component 'query' too long"
    assert (client.requests, standin.requests) == (0, [])


def test_a_page_without_records_but_with_a_token_is_asked_again():
    """An empty page that says more is to come is a fault: it is asked again, and the list completes."""
    standin = OaiStandin(today=date(2026, 4, 3), limit=2)
    standin.add(*many(4, days=DAYS))
    first = standin.list_records({"verb": "ListRecords", "metadataPrefix": "arXivRaw"})
    empty = re.sub(rb"<record>.*?</record>\n", b"", first)
    assert b"resumptionToken" in empty
    standin.script = [Reply(body=empty)]
    client = offline(standin)
    assert sorted(listed(client)) == sorted(standin.papers)
    assert client.requests == 3


def test_a_status_other_than_200_is_reported_as_such():
    """A redirect is a failed request named by its status, not a body read as a page, and is not retried."""
    standin = OaiStandin(today=date(2026, 4, 3))
    standin.script = [Reply(status=301, body=b"<html>moved</html>")]
    client = offline(standin)
    with pytest.raises(FetchError, match="HTTP 301"):
        listed(client)
    assert client.requests == 1


def test_each_page_is_handed_to_on_page():
    """`on_page` sees every page of a list as it arrives."""
    standin = OaiStandin(today=date(2026, 4, 3), limit=2)
    standin.add(*many(5, days=DAYS))
    pages: list[int] = []
    client = offline(standin, on_page=lambda page: pages.append(len(page.records)))
    assert len(listed(client)) == 5
    assert pages == [2, 2, 1]


def test_a_list_of_ids_follows_its_tokens_to_the_end():
    """`list_identifiers` of a set pages by token: every id of the set once, a request a
    page, with `from` and `set` in the first request only."""
    standin = OaiStandin(today=date(2026, 4, 3), id_limit=40)
    standin.add(*many(100, days=DAYS))
    client = offline(standin)
    pages = list(client.list_identifiers(set_spec="cs", from_day=DAYS[0]))
    keys = [i.key for page in pages for i in page.ids]
    assert sorted(keys) == sorted(standin.papers)
    assert client.requests == len(pages) == 3
    first, *rest = standin.requests
    assert first == {
        "verb": "ListIdentifiers",
        "metadataPrefix": "arXivRaw",
        "from": DAYS[0].isoformat(),
        "set": "cs",
    }
    assert all(set(r) == {"verb", "resumptionToken"} for r in rest)


def test_a_list_of_records_can_end_on_a_day():
    """`until_day` bounds a list of records: only the records changed from `from_day` to
    that day come."""
    standin = OaiStandin(today=date(2026, 4, 3))
    standin.add(*many(60, days=DAYS))
    client = offline(standin)
    keys = listed(client, from_day=DAYS[1], until_day=DAYS[1])
    assert sorted(keys) == sorted(
        k for k, p in standin.papers.items() if p.modtime.date() == DAYS[1]
    )
    assert standin.requests[0]["until"] == DAYS[1].isoformat()


RECORDED = Path(__file__).parent.parent / "fixtures" / "oai"


def recorded_client(*names: str) -> tuple[OaiClient, list[httpx.URL]]:
    """The real client, answered in turn with the bodies of recorded responses
    (tests/fixtures/oai/), and the URL of each request it sent."""
    bodies = [(RECORDED / name).read_bytes() for name in names]
    sent: list[httpx.URL] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.url)
        return httpx.Response(
            200, content=bodies[len(sent) - 1], headers={"Content-Type": "text/xml"}
        )

    client = OaiClient(
        oai_url="http://127.0.0.1/oai",
        pacer=Pacer(delay_seconds=0),
        sleep=lambda _: None,
        transport=httpx.MockTransport(answer),
    )
    return client, sent


def test_a_token_with_a_bar_is_sent_back_verbatim():
    """The old server's token `726959|1001` comes back as it was given, `|` URL-encoded, as
    the one argument besides the verb; the list then ends at an empty token."""
    client, sent = recorded_client(
        "arXivRaw_2015_ListRecords_from2014-10-01.xml", "arXivRaw_last_page.xml"
    )
    keys = listed(client, from_day=date(2014, 10, 1))
    assert len(keys) == 7
    assert sent[0].query == b"verb=ListRecords&metadataPrefix=arXivRaw&from=2014-10-01"
    assert sent[1].query == b"verb=ListRecords&resumptionToken=726959%7C1001"
    assert dict(sent[1].params) == {"verb": "ListRecords", "resumptionToken": "726959|1001"}


def test_a_page_without_a_token_element_ends_the_list_after_one_request():
    """The current server's page of a list that fits on it has no `<resumptionToken>` at
    all: the list ends there, one request (its `arXiv`-format records counted, not read)."""
    client, sent = recorded_client("arXiv_2026_ListRecords_newserver_plasm-ph.xml")
    pages = list(client.list_records(set_spec="physics:physics:plasm-ph"))
    assert [(p.entries, p.records, p.token) for p in pages] == [(3, [], None)]
    assert len(sent) == 1


@pytest.mark.parametrize(
    ("name", "code"),
    [
        pytest.param("error_2015_BadArgument.xml", "badArgument", id="badArgument"),
        pytest.param(
            "error_2015_BadResumptionToken.xml", "badResumptionToken", id="badResumptionToken"
        ),
        pytest.param("error_2015_BadVerb.xml", "badVerb", id="badVerb"),
        pytest.param("error_2015_IdDoesNotExist.xml", "idDoesNotExist", id="idDoesNotExist"),
    ],
)
def test_the_old_servers_errors_are_reported_not_retried(name: str, code: str):
    """Each error body the old server sent fails the list at once with its code and the
    URL asked, after one request."""
    client, sent = recorded_client(name)
    with pytest.raises(OaiRejected) as caught:
        listed(client)
    assert (caught.value.code, len(sent)) == (code, 1)
    assert caught.value.url == str(sent[0])


def test_the_old_servers_no_records_match_is_an_empty_list():
    """The old server's noRecordsMatch (its answer to an unknown set) is a complete, empty
    list after one request."""
    client, sent = recorded_client("error_2015_NoRecordsMatch.xml")
    assert listed(client, set_spec="moo") == []
    assert len(sent) == 1
