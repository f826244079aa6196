"""Atom and JSON Feed writers: final post-mortems only, newest first, deterministic, escaped."""

from __future__ import annotations

import doctest
import json
from dataclasses import replace
from datetime import UTC, datetime

import feedparser

from postmortem_kb import feeds as feeds_module
from postmortem_kb.feeds import atom, feed_of, json_feed
from postmortem_kb.model import Status
from test_pages import incident

HOSTILE = "<b>x</b> & \x00\x1b{{ 7*7 }}\ufffe ]]>"


def link(pm: object) -> str:
    return f"incidents/{pm.id}/"  # type: ignore[attr-defined]


def corpus() -> list:  # type: ignore[type-arg]
    return [
        incident("a", 0),
        replace(incident("b", 10), title=HOSTILE),
        incident("c", 20, status=Status.DRAFT),
        incident("d", 5, status=Status.IN_REVIEW),
        incident("e", 10),
    ]


def test_doctests() -> None:
    assert doctest.testmod(feeds_module).failed == 0


def test_only_final_postmortems_newest_first_with_ties_by_id() -> None:
    feed = feed_of(corpus(), title="KB", site_url=None, link=link)
    assert [e.url for e in feed.entries] == ["incidents/b/", "incidents/e/", "incidents/a/"]
    assert feed.updated == datetime(2025, 1, 11, 11, tzinfo=UTC)  # b/e resolved at 11:00
    assert feed_of(corpus(), title="KB", site_url=None, link=link, limit=1).entries[0].url == (
        "incidents/b/"
    )


def test_empty_feed_is_dated_by_data_not_by_the_clock() -> None:
    feed = feed_of([], title="KB", site_url=None, link=link)
    assert atom(feed) == atom(feed_of([], title="KB", site_url=None, link=link))
    parsed = feedparser.parse(atom(feed).encode())
    assert parsed.feed.updated == "1970-01-01T00:00:00Z" and parsed.entries == []


def test_atom_parses_and_keeps_hostile_text_as_text() -> None:
    text = atom(feed_of(corpus(), title="KB & co", site_url="https://kb.example.org/x", link=link))
    assert "\x00" not in text and "\x1b" not in text and "\ufffe" not in text
    parsed = feedparser.parse(text.encode())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "KB & co"
    first = parsed.entries[0]
    assert first.title == "<b>x</b> & {{ 7*7 }} ]]>"
    assert first.link == "https://kb.example.org/x/incidents/b/"
    assert first.id == "https://kb.example.org/x/incidents/b/"
    assert first.published == "2025-01-11T09:00:00Z"
    assert [t.term for t in first.tags] == ["P1", "dns", "api"]


def test_json_feed_is_strict_json_and_escapes_markup() -> None:
    text = json_feed(feed_of(corpus(), title="KB", site_url=None, link=link))
    assert "<" not in text and ">" not in text and "&" not in text

    def refuse(value: str) -> object:
        raise AssertionError(value)

    data = json.loads(text, parse_constant=refuse)
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert [i["id"] for i in data["items"]] == [
        "urn:postmortem-kb:incident:b",
        "urn:postmortem-kb:incident:e",
        "urn:postmortem-kb:incident:a",
    ]
    assert data["items"][0]["title"] == "<b>x</b> & {{ 7*7 }} ]]>"
    assert data["items"][0]["date_modified"] == "2025-01-11T11:00:00Z"
