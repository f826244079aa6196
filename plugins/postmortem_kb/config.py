"""The ``postmortems`` plugin options as plain data: one validator for both adapters.

The MkDocs plugin's typed ``Config`` and the CLI (which reads the plugin's
section of ``mkdocs.yml`` without MkDocs) both end here, so the same options
always give the same :class:`~postmortem_kb.settings.Settings`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, cast

from .settings import DEFAULT_BLAME_PHRASES, Settings

__all__ = ["OPTIONS", "ConfigError", "settings_from_mapping"]

# option name -> one-line description (the plugin's Config mirrors these)
OPTIONS: Mapping[str, str] = {
    "postmortems_dir": "folder of post-mortems, relative to mkdocs.yml",
    "patterns_dir": "folder of pattern definitions, relative to mkdocs.yml",
    "gap_limit_minutes": "longest unexplained gap between timeline rows, in minutes",
    "min_whys": "fewest levels in the root cause analysis",
    "max_file_bytes": "largest post-mortem file accepted, in bytes",
    "blame_phrases": "phrase -> suggestion; replaces the default blameless-language list",
    "roster": "names of people, flagged when they appear in a root cause analysis",
    "today": "date used for overdue checks (YYYY-MM-DD); default: SOURCE_DATE_EPOCH or today",
    "overdue": "overdue open action items: warning, error or off",
    "show_drafts": "publish drafts (with a banner)",
}

_OVERDUE = ("warning", "error", "off")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ConfigError(ValueError):
    """An option of the ``postmortems`` plugin has a wrong value."""


def _folder(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{name}: expected a folder path (a non-empty string), got {value!r}")
    return value.strip()


def _count(name: str, value: Any, minimum: int) -> int:
    # bool is an int in Python; `min_whys: yes` is a mistake, not 1
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{name}: expected an integer >= {minimum}, got {value!r}")
    return value


def _phrases(value: Any) -> Mapping[str, str]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and k.strip() and isinstance(v, str) for k, v in value.items()
    ):
        raise ConfigError(
            "blame_phrases: expected a mapping of phrase -> suggestion (both strings), "
            f"got {value!r}"
        )
    return {k.strip().lower(): v for k, v in value.items()}


def _roster(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(
        isinstance(v, str) and v.strip() for v in value
    ):
        raise ConfigError(f"roster: expected a list of names (strings), got {value!r}")
    return tuple(v.strip() for v in value)


def _today(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):  # YAML gives a datetime for `2025-01-01 10:00`
        raise ConfigError(f"today: expected a date YYYY-MM-DD, got {value!r}")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ConfigError(f"today: expected a date YYYY-MM-DD, got {value!r}")


def _overdue(value: Any) -> Literal["warning", "error", "off"]:
    # YAML 1.1 reads a bare `off` as False: accept it as the word the author meant
    if value is False:
        value = "off"
    if value not in _OVERDUE:
        raise ConfigError(f"overdue: expected one of warning, error, off; got {value!r}")
    return cast(Literal["warning", "error", "off"], value)


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{name}: expected true or false, got {value!r}")
    return value


def settings_from_mapping(mapping: Mapping[str, Any], root: Path) -> Settings:
    """Validated :class:`Settings` from the plugin options ``mapping``; paths relative to ``root``.

    Missing or ``None`` options take their defaults. Raises :class:`ConfigError`
    naming the option and the expected form.

    >>> s = settings_from_mapping({"gap_limit_minutes": 10}, Path("/srv/kb"))
    >>> (s.gap_limit_minutes, s.postmortems_dir, s.root.as_posix())
    (10, 'postmortems', '/srv/kb')
    """
    unknown = sorted(set(mapping) - set(OPTIONS))
    if unknown:
        raise ConfigError(
            f"unknown option(s) {', '.join(unknown)}; known: {', '.join(sorted(OPTIONS))}"
        )
    given = {k: v for k, v in mapping.items() if v is not None}
    defaults = Settings(root=root)
    return Settings(
        root=root,
        postmortems_dir=_folder("postmortems_dir", given.get("postmortems_dir", "postmortems")),
        patterns_dir=_folder("patterns_dir", given.get("patterns_dir", "docs/patterns")),
        gap_limit_minutes=_count(
            "gap_limit_minutes", given.get("gap_limit_minutes", defaults.gap_limit_minutes), 1
        ),
        min_whys=_count("min_whys", given.get("min_whys", defaults.min_whys), 1),
        max_file_bytes=_count(
            "max_file_bytes", given.get("max_file_bytes", defaults.max_file_bytes), 1
        ),
        blame_phrases=(
            _phrases(given["blame_phrases"]) if "blame_phrases" in given else DEFAULT_BLAME_PHRASES
        ),
        roster=_roster(given.get("roster", [])),
        today=_today(given.get("today")),
        overdue=_overdue(given.get("overdue", "warning")),
        show_drafts=_flag("show_drafts", given.get("show_drafts", False)),
    )
