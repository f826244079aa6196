"""Atom and JSON Feed 1.1 documents of the final post-mortems.

:func:`feed_of` picks the entries (final post-mortems, newest first, at most
``limit``); :func:`atom` and :func:`json_feed` write the two documents. Both
writers are deterministic: entry dates come from the incidents' own
timestamps (``published`` = impact began, ``updated`` = resolved, else
mitigated) and the feed's ``updated`` is the newest entry's, never the build
clock (an empty feed says 1970-01-01).

Post-mortem text is untrusted: the Atom document is built with
:mod:`xml.etree.ElementTree`, which escapes markup, after removing the
characters XML 1.0 forbids (most C0 controls, lone surrogates, U+FFFE/U+FFFF);
the JSON document never contains NaN (``allow_nan=False``) and keeps ``<``,
``>`` and ``&`` as ``\\u`` escapes.

Links are absolute when the site's URL is known; without it they are relative
to the feed's own location (the site root), which Atom readers resolve and
JSON Feed readers may not: set ``site_url`` in ``mkdocs.yml`` for a feed that
subscribers can use.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urljoin

from .model import Postmortem, Status

__all__ = [
    "ATOM_PATH",
    "FEED_LIMIT",
    "JSON_FEED_PATH",
    "NO_SITE_URL",
    "Feed",
    "FeedEntry",
    "atom",
    "feed_of",
    "json_feed",
    "xml_clean",
]

ATOM_PATH = "feed.xml"
JSON_FEED_PATH = "feed.json"
FEED_LIMIT = 50
"""Most entries per feed: readers want what is new, not 20,000 incidents."""
NO_SITE_URL = (
    "postmortems: feed.xml and feed.json link to the post-mortems by relative URLs, which"
    " feed readers cannot resolve: set site_url in mkdocs.yml"
)
"""What a build of feeds without the site's URL says (once)."""

_ATOM_NS = "http://www.w3.org/2005/Atom"
_JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_clean(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry (escaping is the writer's job).

    >>> xml_clean("a\\x00b\\x1bc\\td")
    'abc\\td'
    """
    return _XML_FORBIDDEN.sub("", text)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One post-mortem in a feed (plain text; each writer escapes for its format)."""

    id: str
    url: str
    title: str
    summary: str
    published: datetime
    updated: datetime
    authors: tuple[str, ...]
    categories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed's metadata and its entries, newest first."""

    title: str
    id: str
    home_url: str
    atom_url: str
    json_url: str
    updated: datetime
    entries: tuple[FeedEntry, ...]


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def feed_of(
    postmortems: Iterable[Postmortem],
    *,
    title: str,
    site_url: str | None,
    link: Callable[[Postmortem], str],
    limit: int = FEED_LIMIT,
) -> Feed:
    """The feed of the final post-mortems, newest first (by date, then id), at most ``limit``.

    ``link`` gives an incident page's URL relative to the site root.
    """
    base = (site_url or "").rstrip("/") + "/" if site_url else ""
    finals = [pm for pm in postmortems if pm.status is Status.FINAL]
    finals.sort(key=lambda pm: pm.id)
    finals.sort(key=lambda pm: pm.date, reverse=True)
    entries = []
    for pm in finals[: max(limit, 0)]:
        url = urljoin(base, link(pm)) if base else link(pm)
        entries.append(
            FeedEntry(
                id=url if base else f"urn:postmortem-kb:incident:{quote(pm.id, safe='')}",
                url=url,
                title=pm.title,
                summary=pm.summary,
                published=pm.started,
                updated=pm.resolved or pm.mitigated,
                authors=pm.authors,
                categories=(str(pm.severity), *pm.patterns, *pm.services),
            )
        )
    return Feed(
        title=title,
        id=base or "urn:postmortem-kb:feed",
        home_url=base or "./",
        atom_url=base + ATOM_PATH if base else ATOM_PATH,
        json_url=base + JSON_FEED_PATH if base else JSON_FEED_PATH,
        updated=max((e.updated for e in entries), default=_EPOCH),
        entries=tuple(entries),
    )


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_clean(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_clean(text)
    return element


def atom(feed: Feed) -> str:
    """The feed as an Atom 1.0 document (RFC 4287)."""
    root = ET.Element("feed", {"xmlns": _ATOM_NS})
    _sub(root, "id", feed.id)
    _sub(root, "title", feed.title)
    _sub(root, "updated", _rfc3339(feed.updated))
    _sub(root, "link", rel="alternate", type="text/html", href=feed.home_url)
    _sub(root, "link", rel="self", type="application/atom+xml", href=feed.atom_url)
    _sub(root, "generator", "postmortem-kb")
    # RFC 4287 wants an author on the feed when an entry lacks one
    _sub(_sub(root, "author"), "name", feed.title)
    for entry in feed.entries:
        element = _sub(root, "entry")
        _sub(element, "id", entry.id)
        _sub(element, "title", entry.title, type="text")
        _sub(element, "link", rel="alternate", type="text/html", href=entry.url)
        _sub(element, "published", _rfc3339(entry.published))
        _sub(element, "updated", _rfc3339(entry.updated))
        for name in entry.authors:
            _sub(_sub(element, "author"), "name", name)
        for term in dict.fromkeys(entry.categories):
            _sub(element, "category", term=term)
        if entry.summary:
            _sub(element, "summary", entry.summary, type="text")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"


def json_feed(feed: Feed) -> str:
    """The feed as a JSON Feed 1.1 document (valid JSON: no NaN, ASCII, sorted keys)."""
    items = []
    for entry in feed.entries:
        item: dict[str, object] = {
            "id": xml_clean(entry.id),
            "url": xml_clean(entry.url),
            "title": xml_clean(entry.title),
            "content_text": xml_clean(entry.summary or entry.title),
            "date_published": _rfc3339(entry.published),
            "date_modified": _rfc3339(entry.updated),
            "tags": [xml_clean(t) for t in dict.fromkeys(entry.categories)],
        }
        if entry.summary:
            item["summary"] = xml_clean(entry.summary)
        if entry.authors:
            item["authors"] = [{"name": xml_clean(a)} for a in entry.authors]
        items.append(item)
    document = {
        "version": _JSON_FEED_VERSION,
        "title": xml_clean(feed.title),
        "home_page_url": feed.home_url,
        "feed_url": feed.json_url,
        "items": items,
    }
    text = json.dumps(document, ensure_ascii=True, allow_nan=False, sort_keys=True, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"
