"""The MkDocs adapter: a typed ``Config`` and a few short hooks that delegate to the core.

The only module that imports MkDocs. It loads the :class:`KnowledgeBase` with
the settings of ``mkdocs.yml``, logs every diagnostic through the plugin
logger (so ``--strict`` counts warnings), adds the generated pages, and fails
the build after the site is written when there were errors.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import gc
import html
import logging
import os
import re
import secrets
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from markupsafe import Markup
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url, meta

from .config import ConfigError, settings_from_mapping
from .feeds import ATOM_PATH, JSON_FEED_PATH, NO_SITE_URL
from .kb import FileOutcome, KnowledgeBase, LoadInProgress
from .learning import AUTHOR_MARKDOWN_PAGES, HOME_MARKER, LEARNING_PAGES, feed_links, merge_home
from .model import Level
from .pages import HtmlStash, LinkStyle, counted, plan
from .pipeline import PageFeed, WorkAhead
from .sanitize import is_sanitized_page, sanitize
from .settings import Settings

if TYPE_CHECKING:
    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.toc import TableOfContents

__all__ = ["PostmortemsConfig", "PostmortemsPlugin"]

log = get_plugin_logger(__name__)

THEME_DIR = Path(__file__).parent / "theme" / "postmortem_kb"
# one stylesheet and one script (filters, graph view, accessibility fixes to Material's
# defaults): every page of the site links them, so each extra file is a link in every head
CSS = "assets/postmortem_kb/postmortem-kb.css"
JS = "assets/postmortem_kb/postmortem-kb.js"
# generated pages reached through indexes, search, tags and links, never the sidebar
_IN_NAV = frozenset({"incidents/index.md", "patterns/index.md", "services/index.md"})
# folders of one generated page per incident, pattern or service
_ONE_OF_MANY = ("incidents/", "patterns/", "services/")
# in the sidebar when MkDocs builds it; an explicit `nav:` lists them if it wants them
_AUTO_NAV = LEARNING_PAGES | {"index.md"}
# Markdown extensions the generated pages rely on. Not md_in_html nor admonition: the
# generated chrome (banners included) is raw HTML, and each block extension tests every
# block of every page (admonition alone was a fifth of the incident pages' Markdown time)
_EXTENSIONS = ("tables", "toc")


class PostmortemsConfig(base.Config):  # type: ignore[no-untyped-call]
    """Options of the ``postmortems`` plugin (paths relative to the folder of mkdocs.yml)."""

    postmortems_dir = c.Type(str, default="postmortems")
    """Folder of post-mortems (outside ``docs/``)."""
    patterns_dir = c.Type(str, default="docs/patterns")
    """Folder of curated pattern definitions."""
    gap_limit_minutes = c.Type(int, default=5)
    """Longest gap between timeline rows that needs no ``Gap:`` explanation, in minutes."""
    min_whys = c.Type(int, default=5)
    """Fewest levels in a root cause analysis."""
    max_file_bytes = c.Type(int, default=1024 * 1024)
    """Largest post-mortem file accepted, in bytes."""
    blame_phrases = c.Optional(c.Type(dict))
    """Phrase → suggestion; replaces the default blameless-language list."""
    roster = c.ListOfItems(c.Type(str), default=[])
    """Names of people, flagged when they appear in a root cause analysis."""
    today = c.Optional(c.Type((str, date)))  # YAML reads an unquoted 2025-06-01 as a date
    """Date for overdue checks, ``YYYY-MM-DD`` (default: ``SOURCE_DATE_EPOCH``'s date, else today)."""
    # checked by the core: YAML reads a bare `off` as false, which the core accepts
    overdue = c.Type((str, bool), default="warning")
    """Overdue open action items: a warning, an error, or not reported."""
    show_drafts = c.Type(bool, default=False)
    """Publish drafts, with a banner."""


def settings_for(options: PostmortemsConfig, root: Path) -> Settings:
    """The core settings for these plugin options (the same function the CLI uses)."""
    mapping: dict[str, Any] = {key: options[key] for key in options}
    try:
        return settings_from_mapping(mapping, root)
    except ConfigError as exc:
        raise PluginError(f"postmortems: {exc}") from exc


class PostmortemsPlugin(BasePlugin[PostmortemsConfig]):  # type: ignore[no-untyped-call]
    """Publishes a folder of blameless post-mortems as a knowledge base."""

    def __init__(self) -> None:
        self._cache: dict[Any, Any] = {}
        self._serving = False
        self._kb: KnowledgeBase | None = None
        self._generated: set[str] = set()
        self._stash = HtmlStash()
        self._feed: PageFeed | None = None
        self._ahead: WorkAhead | None = None  # search index entries computed in a worker
        self._frozen = False  # the garbage collector leaves this build's objects alone
        self._loading: LoadInProgress | None = None
        self._kept = _KeptConversions()  # under `mkdocs serve`: from one build to the next
        self._kept_entries = _KeptEntries()  # the same, for the search index's entries
        self._nonce = secrets.token_hex(8)  # the stash's, the same for every build of a serve

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Keep one parse cache for all ``mkdocs serve`` rebuilds."""
        self._serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Read the settings, watch the source folders, and add the theme assets."""
        root = Path(config.config_file_path or ".").resolve().parent
        self.settings = settings_for(self.config, root)
        self._kb, self._generated = None, set()
        for folder in (self.settings.postmortems_path, self.settings.patterns_path):
            if folder.is_dir() and str(folder) not in config.watch:
                config.watch.append(str(folder))
        config.theme.dirs.append(str(THEME_DIR))
        config.extra_css.append(CSS)
        config.extra_javascript.append(JS)
        for name in _EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """Start loading the knowledge base: worker processes check the post-mortems
        while MkDocs clears the site folder and lists the theme's files."""
        self._release()  # a previous build's worker (under `mkdocs serve`)
        self._loading = KnowledgeBase.start_load(self.settings, cache=self._cache)

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Take the knowledge base (loaded once per build), report it, add the generated pages."""
        loading, self._loading = self._loading, None
        self._release()  # a previous build's worker (under `mkdocs serve`)
        if loading is None:  # a caller that skipped on_pre_build
            loading = KnowledgeBase.start_load(self.settings, cache=self._cache)
        kb = self._kb = loading.result()
        for diagnostic in kb.diagnostics:
            (log.error if diagnostic.level is Level.ERROR else log.warning)(diagnostic.format())
        style: LinkStyle = "directory" if config.use_directory_urls else "html"
        docs_dir = Path(config.docs_dir).resolve()
        self._stash = HtmlStash(self._nonce)
        planned = plan(  # the graph is built where the first page that needs it is rendered
            kb,
            link_style=style,
            site_name=config.site_name,
            site_url=config.site_url or None,
            stash=self._stash,
        )
        if not config.site_url and (ATOM_PATH in planned or JSON_FEED_PATH in planned):
            # info, not a warning: `mkdocs build --strict` of a site without a URL (this
            # repository's, a site built to browse from disk) must pass
            log.info(NO_SITE_URL)
        # MkDocs reads pages in the order of `files`, then copies the other files; the
        # worker renders them in that order, so it stays ahead from the first page
        order = sorted(planned, key=_reading_order)
        feed = self._feed = PageFeed(planned, self._stash, order=order)
        convertible = _convertible(config)
        for uri in order:
            source: Callable[[], str] = functools.partial(feed.get, uri)
            replaced = files.get_file_from_path(uri)
            if replaced is not None and uri == "index.md":
                # an author's home page stays; the generated sections go where it says
                own = replaced.content_string
                if HOME_MARKER not in own:
                    continue
                source = functools.partial(_merged_home, own, source)
            if replaced is not None:
                files.remove(replaced)  # a pattern definition: the enriched page takes its place
            file = _generated_file(config, uri, source, kb, docs_dir, replaced)
            files.append(file)
            self._generated.add(uri)
            if convertible and uri != "index.md" and file.inclusion is InclusionLevel.NOT_IN_NAV:
                # one page per incident, pattern or service, read as the feed renders it;
                # MkDocs keeps the page an on_files hook made for a file out of the nav
                _FedPage(file, config, feed, self._kept if self._serving else None)
        for file in list(files):  # definitions kept outside patterns/ must not become pages too
            if (
                file.src_uri.endswith(".md")
                and file.src_uri not in self._generated
                and file.abs_src_path
                and Path(file.abs_src_path).resolve().is_relative_to(self.settings.patterns_path)
            ):
                files.remove(file)
        # What is alive now (the corpus, MkDocs' files and pages) lives as long as the
        # build: the collector leaves it alone until the build is over (its full passes
        # cost half as much; a forked worker does not copy the memory they would touch)
        gc.freeze()
        self._frozen = True
        return files

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        """Show the generated indexes as plain links, not as sections holding one page each.

        MkDocs makes a section of every folder; ``incidents/``, ``patterns/`` and
        ``services/`` hold one page in the nav (their index), and a section per folder
        repeats its markup in every page of the site. Every file and page is known
        now: the page worker starts here (see :class:`_FedPage`); once done, it makes the
        folders the generated pages will be written to (see :func:`_make_folders`).
        """
        if self._serving:  # what the last build converted holds if nothing it depends on changed
            self._kept.begin(_conversion_inputs(config, files))
        if self._feed is not None:  # every file and page is known: the worker may start
            fed = [f.src_uri for f in files.documentation_pages() if isinstance(f.page, _FedPage)]
            folders = _page_folders(files, self._generated)
            self._feed.start(
                functools.partial(_convert, config, files),
                fed,
                then=functools.partial(_make_folders, folders),
            )
        items = nav.items
        for position, item in enumerate(items):
            children = getattr(item, "children", None)
            if item.is_section and children is not None and len(children) == 1:
                only = children[0]
                if (
                    only.is_page
                    and only.file.src_uri in _IN_NAV
                    and only.file.src_uri in self._generated
                ):
                    only.parent = item.parent
                    items[position] = only
        return nav

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """Make the title and tags of a generated page HTML-safe wherever the theme prints them."""
        if page.file.src_uri in self._generated:
            _escape_meta(page.meta)
        return markdown

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Sanitize the HTML of pages that render an author's Markdown (incidents, patterns, lessons).

        The generated HTML blocks kept out of Markdown wait as comments until the page is
        written (:meth:`on_post_page`): they are escaped where they are made, the
        sanitizer need not read them, and the search index leaves them out (an
        incident's card, related incidents and neighbourhood repeat what other pages say).
        """
        uri = page.file.src_uri
        if uri not in self._generated:
            return html
        html = self._stash.inline(html)  # searched blocks (a pattern's tables): sanitized, indexed
        if is_sanitized_page(uri) or uri in AUTHOR_MARKDOWN_PAGES:
            html = sanitize(html)
        if uri.startswith("incidents/") and uri != "incidents/index.md":
            html = _unsearched_heading(html, "related-incidents")
        elif uri.startswith("patterns/") and uri != "patterns/index.md":
            # each lesson is found on its incident's page; here it would make every pattern
            # of that incident a hit too (as the action items would: they are not searched)
            html = _unsearched_heading(html, "lessons-learned")
        return self._stash.defer(html)

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        """Make the folders the generated pages will be written to, before MkDocs writes any
        (those the page worker made already cost a lookup each). Search's entries of the
        generated pages: made by a worker while MkDocs renders the pages, or under
        ``mkdocs serve`` (no fork there) taken from the last build for unchanged pages."""
        if self._generated:
            _make_folders(_page_folders(files, self._generated))
            self._index_generated(config, files)
        return env

    def _index_generated(self, config: MkDocsConfig, files: Files) -> None:
        """mkdocs-material's search indexes each page as MkDocs renders it, in the MkDocs
        process (a sixth of a build's time there at 1,000 incidents). A generated page
        takes entries made earlier instead, if search reads the same of it now
        (:func:`_searched`): in a build, a forked worker's, made on the other core
        meanwhile (:meth:`_search_ahead`); under ``mkdocs serve`` (no fork there), the
        last build's (:class:`_KeptEntries`: after one post-mortem is edited, search
        indexes its page and the pages it changed). Every other page is indexed as usual.
        The index is the same either way.
        """
        index = _material_search_index(config)
        if index is None:
            return
        index_page: Callable[[Page], None] = index.add_entry_from_context
        entries: list[Any] = index.entries
        if self._serving:
            earlier: _KeptEntries | _EntriesAhead | None = self._kept_entries
            self._kept_entries.begin(repr(index.config))  # other search settings: none kept
        else:
            earlier = self._search_ahead(files, index_page, entries)
        if earlier is None:
            return
        generated = self._generated

        def add_entry_from_context(page: Page) -> None:
            uri = page.file.src_uri
            if uri not in generated:
                index_page(page)
                return
            searched = _searched(page)
            found = earlier.get(uri, searched)
            if found is None:
                before = len(entries)
                index_page(page)
                found = entries[before:]
            else:
                entries.extend(found)
            earlier.keep(uri, searched, found)

        index.add_entry_from_context = add_entry_from_context

    def _search_ahead(
        self, files: Files, index_page: Callable[[Page], None], entries: list[Any]
    ) -> _EntriesAhead | None:
        """Fork a worker that runs search's own indexing on its copy of the generated pages,
        in the order MkDocs will render them (every page is converted by ``on_env``, so it
        reads what search would read); None where no worker may be forked."""
        pages = {
            file.src_uri: file.page
            for file in files.documentation_pages(inclusion=InclusionLevel.is_included)
            if file.src_uri in self._generated and file.page is not None
        }
        if self._feed is not None:
            self._feed.wait()  # its worker has sent every page: no thread left to fork with

        def indexed(uri: str) -> list[Any]:  # in the worker
            before = len(entries)
            index_page(pages[uri])
            found = entries[before:]
            del entries[before:]
            return found

        ahead = WorkAhead(list(pages), indexed)
        if not ahead.start():
            return None
        self._ahead = ahead
        return _EntriesAhead(ahead, {uri: _searched(page) for uri, page in pages.items()})

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Announce the feeds in the head of pages other than an incident's, a pattern's or a
        service's; trim generated pages, restore their blocks."""
        uri = page.file.src_uri
        if uri in _IN_NAV or not uri.startswith(_ONE_OF_MANY):
            # a thousand incident pages would repeat the same two links (a quarter MB)
            to_root = get_relative_url("feed.xml", page.url)[: -len("feed.xml")]
            links = feed_links(to_root, config.site_name)
            output = output.replace("</head>", links + "\n</head>", 1)
        if uri in self._generated:
            output = self._stash.restore(trim_indentation(output))
        return output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Log what happened to every file, then fail the build if there were errors."""
        self._release()
        kb = self._kb
        if kb is None:
            return
        counts = kb.counts()
        log.info(
            "postmortems: %s: %d published, %s hidden, %d failed, %d ignored",
            counted(len(kb.files), "file"),
            counts[FileOutcome.PUBLISHED],
            counted(counts[FileOutcome.DRAFT_HIDDEN], "draft"),
            counts[FileOutcome.FAILED],
            counts[FileOutcome.IGNORED],
        )
        for record in kb.files:
            if record.outcome is FileOutcome.IGNORED:
                log.info("postmortems: ignored %s: %s", record.path, record.reason)
        errors = len(kb.errors)
        # The site is written by now. `mkdocs serve` keeps serving it while the author
        # fixes the file (an exception would stop the first serve build); a build fails.
        if errors and not self._serving:
            raise PluginError(
                f"postmortems: {counted(errors, 'error')} in the post-mortems; see above"
            )

    def on_build_error(self, *, error: Exception) -> None:
        """Stop the build's workers and thaw the collector: the build is over."""
        self._release()

    def _release(self) -> None:
        """Stop what a build started (a load, the page worker), thaw the collector."""
        if self._loading is not None:
            self._loading.cancel()
            self._loading = None
        if self._feed is not None:
            self._feed.close()
            self._feed = None
        if self._ahead is not None:
            self._ahead.close()
            self._ahead = None
        if self._frozen:
            gc.unfreeze()
            self._frozen = False


class _PendingFile(File):
    """A generated file whose content is fetched when it is first read (see :class:`PageFeed`).

    MkDocs reads and writes a file's content through ``_content`` (``content_string``,
    ``content_bytes``, ``copy_file``, ``is_modified`` all go there): here it is a property
    that fetches the content the first time.
    """

    _source: Callable[[], str] | None = None
    _fetched: str | bytes | None = None

    @classmethod
    def pending(
        cls,
        config: MkDocsConfig,
        uri: str,
        source: Callable[[], str],
        inclusion: InclusionLevel,
    ) -> _PendingFile:
        """A generated file at ``uri`` whose content ``source()`` returns, when first read."""
        file = cls.generated(config, uri, content="", inclusion=inclusion)
        assert isinstance(file, cls)
        file._source = source
        return file

    @property
    def _content(self) -> str | bytes | None:
        if self._source is not None:
            self._fetched, self._source = self._source(), None
        return self._fetched

    @_content.setter
    def _content(self, value: str | bytes | None) -> None:
        self._source, self._fetched = None, value


@dataclass(frozen=True)
class _Converted:
    """A page's Markdown converted in the feed's worker: what ``Page.render`` sets."""

    markdown: str  # the Markdown converted (used only if the page still has that Markdown)
    content: str
    toc: TableOfContents
    title: str | None
    anchors: set[str] | None
    links: dict[str, dict[str, str]] | None  # links to anchors of other files, by their URI
    records: list[logging.LogRecord]  # what the conversion logged, logged here in its turn


class _FedPage(Page):
    """A generated page whose Markdown the feed's worker may have converted already.

    The worker converts pages from the last backwards while MkDocs converts them from the
    first (:meth:`PageFeed.claim` keeps the two apart), with MkDocs' own ``Page.render``
    on a copy of this process taken once every file and page was known. A page takes the
    worker's result only if its Markdown is still what the worker converted (a plugin's
    ``on_page_markdown`` may have changed it); otherwise it is converted here, as usual.
    Under ``mkdocs serve``, a page whose Markdown is what the last build converted takes
    that conversion (:class:`_KeptConversions`).
    """

    def __init__(
        self,
        file: File,
        config: MkDocsConfig,
        feed: PageFeed,
        kept: _KeptConversions | None = None,
    ) -> None:
        super().__init__(None, file, config)
        self._feed = feed
        self._kept = kept

    def render(self, config: MkDocsConfig, files: Files) -> None:
        uri = self.file.src_uri
        done = self._feed.finished(uri)
        if not isinstance(done, _Converted) or done.markdown != self.markdown:
            self._feed.claim(uri)
            if self._kept is None:
                super().render(config, files)
                return
            assert self.markdown is not None
            done = self._kept.get(uri, self.markdown) or _converted(self, config, files)
        if self._kept is not None:
            self._kept.keep(uri, done)
        for record in done.records:
            logging.getLogger(record.name).handle(record)
        self.content, self.toc = done.content, done.toc
        self._title_from_render = done.title
        self.present_anchor_ids = done.anchors
        if done.links is not None:
            self.links_to_anchors = {
                target: links
                for uri, links in done.links.items()
                if (target := files.get_file_from_path(uri)) is not None
            }


def _convert(config: MkDocsConfig, files: Files, uri: str, text: str) -> _Converted | None:
    """In the feed's worker: the page at ``uri`` converted as MkDocs would (text as read)."""
    file = files.get_file_from_path(uri)
    page = file.page if file is not None else None
    if page is None:
        return None
    page.markdown, page.meta = meta.get_data(text)
    config._current_page = page
    try:
        return _converted(page, config, files)
    finally:
        config._current_page = None


def _converted(page: Page, config: MkDocsConfig, files: Files) -> _Converted:
    """``page`` (its Markdown set) converted by MkDocs' ``Page.render``, what it logged held."""
    with _held_log_records() as records:
        Page.render(page, config, files)
    assert page.markdown is not None and page.content is not None
    links = page.links_to_anchors
    return _Converted(
        markdown=page.markdown,
        content=page.content,
        toc=page.toc,
        title=page._title_from_render,
        anchors=page.present_anchor_ids,
        links=None if links is None else {f.src_uri: dict(v) for f, v in links.items()},
        records=records,
    )


_T = TypeVar("_T")


class _FromBuildToBuild(Generic[_T]):
    """What each page's build made, kept by page from one build to the next (``mkdocs
    serve``) while what it depends on besides the page itself stays the same."""

    def __init__(self) -> None:
        self._inputs: object = None
        self._last: dict[str, _T] = {}
        self._this: dict[str, _T] = {}

    def begin(self, inputs: object) -> None:
        """A build starts whose results depend on ``inputs`` besides each page: if they
        changed, nothing of the last build is kept."""
        self._last = self._this if inputs == self._inputs else {}
        self._this, self._inputs = {}, inputs


class _KeptEntries(_FromBuildToBuild[tuple[tuple[object, ...], list[Any]]]):
    """Pages' search index entries, by page and what search read of it (:func:`_searched`)."""

    def get(self, uri: str, searched: tuple[object, ...]) -> list[Any] | None:
        """The last build's entries of ``uri``, if search read the same of it then."""
        last = self._last.get(uri)
        return last[1] if last is not None and last[0] == searched else None

    def keep(self, uri: str, searched: tuple[object, ...], entries: list[Any]) -> None:
        """Keep ``uri``'s entries for the next build."""
        self._this[uri] = (searched, entries)


class _EntriesAhead:
    """Pages' search index entries made by a worker (:meth:`PostmortemsPlugin._search_ahead`),
    by page and what search read of it then."""

    def __init__(self, ahead: WorkAhead, read: Mapping[str, tuple[object, ...]]) -> None:
        self._ahead, self._read = ahead, read

    def get(self, uri: str, searched: tuple[object, ...]) -> list[Any] | None:
        """The worker's entries of ``uri`` (waiting for them), if search reads the same of
        it now (a later plugin may have changed the page)."""
        found = self._ahead.take(uri)
        return found if isinstance(found, list) and self._read.get(uri) == searched else None

    def keep(self, uri: str, searched: tuple[object, ...], entries: list[Any]) -> None:
        """Nothing: a build's entries are not kept for another."""


class _KeptConversions(_FromBuildToBuild[_Converted]):
    """Pages' conversions kept from one build to the next (``mkdocs serve``), by page and
    Markdown: a rebuild after one post-mortem changed converts only the pages whose
    Markdown changed. Everything else a conversion depends on (the Markdown extensions
    and their settings, link validation, every file's URI, URL and inclusion) is compared
    as a whole at the start of each build: if any of it changed, nothing is kept.
    """

    def get(self, uri: str, markdown: str) -> _Converted | None:
        """The last build's conversion of ``uri``, if it converted this ``markdown``."""
        done = self._last.get(uri)
        return _own_copy(done) if done is not None and done.markdown == markdown else None

    def keep(self, uri: str, done: _Converted) -> None:
        """Keep ``done`` for the next build (only what this build converted or kept is kept)."""
        self._this[uri] = _own_copy(done)


def _own_copy(done: _Converted) -> _Converted:
    """``done`` with its own table of contents, anchors and links: a page takes them as they
    are, and a plugin may change what a page has."""
    return dataclasses.replace(
        done,
        toc=copy.deepcopy(done.toc),
        anchors=None if done.anchors is None else set(done.anchors),
        links=None if done.links is None else {uri: dict(v) for uri, v in done.links.items()},
    )


def _conversion_inputs(config: MkDocsConfig, files: Files) -> tuple[object, ...]:
    """What converting a page depends on besides its Markdown and URI (see ``Page.render``)."""
    return (
        repr(config.markdown_extensions),
        repr(config.mdx_configs),
        repr(config.validation),
        config.use_directory_urls,
        logging.getLogger("mkdocs.structure.pages").getEffectiveLevel(),
        tuple((file.src_uri, file.url, file.inclusion) for file in files),
    )


def _convertible(config: MkDocsConfig) -> bool:
    """Whether a page converted in another process is the page MkDocs would convert here.

    So when every Markdown extension is named in the configuration (each conversion makes
    its own instances; an extension object a plugin added may collect state across pages,
    as mkdocs-autorefs does) and ``Page.render`` is MkDocs' own (or ProperDocs': the
    module of ``Page`` itself, not a replacement a plugin put there).
    """
    return (
        all(isinstance(extension, str) for extension in config.markdown_extensions)
        and Page.render.__module__ == Page.__module__
    )


@contextlib.contextmanager
def _held_log_records() -> Iterator[list[logging.LogRecord]]:
    """Every log record made meanwhile, held back instead of handled (in the worker: the
    MkDocs process handles them when it takes the page, so ``--strict`` counts them)."""
    held: list[logging.LogRecord] = []

    def hold(logger: logging.Logger, record: logging.LogRecord) -> None:
        record.msg, record.args = record.getMessage(), None  # picklable, and final
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        held.append(record)

    handle = logging.Logger.handle
    logging.Logger.handle = hold  # type: ignore[method-assign,assignment]
    try:
        yield held
    finally:
        logging.Logger.handle = handle  # type: ignore[method-assign]


def _page_folders(files: Files, generated: Collection[str]) -> list[Path]:
    """The folders the generated pages of the build will be written to, each once."""
    folders = (
        Path(file.abs_dest_path).parent
        for file in files.documentation_pages()
        if file.src_uri in generated
    )
    return list(dict.fromkeys(folders))


def _material_search_index(config: MkDocsConfig) -> Any | None:
    """The search index of mkdocs-material's search plugin, if the site has it enabled
    (its ``add_entry_from_context(page)`` appends the page's entries to ``entries``)."""
    for plugin in config.plugins.values():
        if not type(plugin).__module__.startswith("material.plugins.search"):
            continue
        index = getattr(plugin, "search_index", None)
        if (
            getattr(plugin.config, "enabled", True)
            and isinstance(getattr(index, "entries", None), list)
            and callable(getattr(index, "add_entry_from_context", None))
        ):
            return index
    return None


def _searched(page: Page) -> tuple[object, ...]:
    """What mkdocs-material's search reads of a page to index it: its HTML, URL, title,
    table of contents (each entry's id, title and level, nested) and the ``search``,
    ``tags`` and ``title`` of its metadata."""
    meta = page.meta
    return (
        page.content,
        page.url,
        page.title,
        _toc_key(page.toc),
        repr(meta.get("search")),
        repr(meta.get("tags")),
        repr(meta.get("title")),
    )


def _toc_key(toc: Iterable[Any]) -> tuple[object, ...]:
    return tuple((a.id, a.title, a.level, _toc_key(a.children)) for a in toc)


def _make_folders(folders: Iterable[Path]) -> None:
    """Make these folders (and their parents) now, one after the other.

    MkDocs makes a page's folder just before it writes the page. Made that way, between
    the writes, the thousand folders of a 1,000-incident site took 0.7-1.2 s on this
    project's benchmark machine (ext4), and the writes themselves were slower; made in
    one go beforehand, 0.1-0.3 s (docs/performance.md). A folder that cannot be made is
    left to MkDocs, which reports the error when it writes there.
    """
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)


def _reading_order(uri: str) -> tuple[int, str]:
    """Incident pages first (quick to render: the worker gets ahead at once), then the other
    pages (the in-nav ones keep their relative order, so the nav does not change), then
    the other files."""
    if not uri.endswith(".md"):
        return 2, uri
    return (0 if uri.startswith("incidents/") and uri != "incidents/index.md" else 1), uri


def _merged_home(own: str, generated: Callable[[], str]) -> str:
    """An author's home page with the generated sections where its marker is."""
    return merge_home(own, generated()) or own


def _generated_file(
    config: MkDocsConfig,
    uri: str,
    content: Callable[[], str],
    kb: KnowledgeBase,
    docs_dir: Path,
    replaced: File | None,
) -> File:
    """A generated page whose "edit" link points at the file an author would change."""
    in_nav = uri in _IN_NAV or not uri.endswith(".md") or (uri in _AUTO_NAV and not config.nav)
    file = _PendingFile.pending(
        config, uri, content, InclusionLevel.UNDEFINED if in_nav else InclusionLevel.NOT_IN_NAV
    )
    source: str | None = None
    if uri.startswith("incidents/") and uri != "incidents/index.md":
        pm = kb.incident(uri[len("incidents/") : -len(".md")])
        source = pm.path if pm else None
    elif uri.startswith("patterns/") and uri != "patterns/index.md":
        pattern = kb.patterns.get(uri[len("patterns/") : -len(".md")])
        source = pattern.path if pattern else None
    elif replaced is not None and replaced.abs_src_path:
        source = replaced.abs_src_path  # absolute: joining it to the root keeps it as is
    if source is not None:
        real = (kb.settings.root / source).resolve()
        # a real path (content stays in memory) helps plugins that look at the source file
        file.abs_src_path = str(real)
        file.edit_uri = Path(os.path.relpath(real, docs_dir)).as_posix()
    return file


def _unsearched_heading(html: str, anchor: str) -> str:
    """``html`` (a generated page's content) with the last ``h2`` whose id is ``anchor`` out
    of the search index, and the text under it: mkdocs-material's search leaves out the
    section of a heading marked ``data-search-exclude``, up to the next heading.

    On an incident, "Related incidents": the list under it is a stashed block, out of the
    index already, and the heading alone would be a section with no text on every
    incident. On a pattern page, "Lessons learned". An author's section of the same name
    comes before the generated one, which then has the id ``{anchor}_1``.

    >>> _unsearched_heading('<h2 id="related-incidents">Related incidents</h2>', "related-incidents")
    '<h2 id="related-incidents" data-search-exclude>Related incidents</h2>'
    >>> _unsearched_heading('<h2 id="related-incidents">R</h2><h2 id="related-incidents_1">R</h2>', "related-incidents")
    '<h2 id="related-incidents">R</h2><h2 id="related-incidents_1" data-search-exclude>R</h2>'
    >>> _unsearched_heading('<h2 id="impact">Impact</h2>', "related-incidents")
    '<h2 id="impact">Impact</h2>'
    """
    start = html.rfind(f'<h2 id="{anchor}')  # the last: "{anchor}_1" if an author's came first
    if start < 0:
        return html
    end = html.index(">", start)
    return f"{html[:end]} data-search-exclude{html[end:]}"


# <pre> and <textarea> keep their whitespace; the theme styles nothing else `white-space: pre`
_PRESERVED = re.compile(r"(<(pre|textarea)\b.*?</\2>)", re.DOTALL | re.IGNORECASE)
_INDENT = re.compile(r"\n\s+")


def trim_indentation(page: str) -> str:
    """``page`` without the blank lines and indentation the theme's templates leave.

    A newline followed by any run of whitespace is one newline, which HTML renders the
    same, except inside ``<pre>`` and ``<textarea>``. A sixth of an incident page's bytes.

    >>> trim_indentation("<div>\\n\\n    <p>a\\n  b</p>\\n<pre>x\\n\\n  y</pre>\\n  </div>")
    '<div>\\n<p>a\\nb</p>\\n<pre>x\\n\\n  y</pre>\\n</div>'
    """
    parts = _PRESERVED.split(page)
    # split() yields text, then (whole match, tag name) per match: trim the text only
    return "".join(
        _INDENT.sub("\n", part) if index % 3 == 0 else part
        for index, part in enumerate(parts)
        if index % 3 != 2
    )


def _escape_meta(meta: MutableMapping[str, Any]) -> None:
    """Title and tags as escaped Markup: printed raw by the theme, and left alone by ``|e``."""
    title = meta.get("title")
    if isinstance(title, str) and not isinstance(title, Markup):
        meta["title"] = Markup(html.escape(title, quote=True))
    tags = meta.get("tags")
    if isinstance(tags, list):
        meta["tags"] = [Markup(html.escape(str(tag), quote=True)) for tag in tags]
