"""The settings both adapters (CLI and MkDocs plugin) pass to :func:`load`.

One frozen value, so ``pmkb validate`` and ``mkdocs build`` can never disagree:
the CLI reads the plugin's section of ``mkdocs.yml`` into the same object.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Literal

__all__ = ["DEFAULT_BLAME_PHRASES", "Settings"]

# phrase (matched case-insensitively, on word boundaries) -> suggestion shown to the author.
# "<someone>'s fault" is matched by a rule of its own (a bare "fault" would flag
# "fault injection" and "fault tolerance").
DEFAULT_BLAME_PHRASES: Mapping[str, str] = MappingProxyType(
    {
        "human error": "describe the conditions that made the action possible "
        "(missing guard rail, unclear runbook, misleading UI)",
        "operator error": "describe what the system allowed the operator to do",
        "careless": "describe the circumstances (time pressure, missing review) instead",
        "carelessness": "describe the circumstances (time pressure, missing review) instead",
        "negligent": "describe which safeguard was missing",
        "negligence": "describe which safeguard was missing",
        "should have known": "describe what information was available at the time, and where",
        "should have noticed": "describe what the signal looked like and why it was easy to miss",
        "failed to notice": "describe why the signal was easy to miss",
        "incompetent": "describe the knowledge gap and how the system could close it",
        "lazy": "describe the competing demands on the people involved",
        "sloppy": "describe which check was missing",
        "stupid": "describe the conditions, not the person",
        "dumb mistake": "describe the conditions that made the mistake easy to make",
        "to blame": "describe the contributing conditions rather than who is to blame",
    }
)


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the knowledge base lives and how strictly to check it.

    ``root`` is the project root: every diagnostic path is relative to it.
    ``today`` is injectable for overdue checks and reproducible builds
    (``None`` means the real current date, resolved once per load).
    """

    root: Path = field(default_factory=Path.cwd)
    postmortems_dir: str = "postmortems"
    patterns_dir: str = "docs/patterns"
    gap_limit_minutes: int = 5
    min_whys: int = 5
    max_file_bytes: int = 1024 * 1024
    # excluded from the hash (a mapping is unhashable); still compared, so cache keys stay exact
    blame_phrases: Mapping[str, str] = field(
        default_factory=lambda: DEFAULT_BLAME_PHRASES, hash=False
    )
    roster: tuple[
        str, ...
    ] = ()  # names of people, flagged when they appear in the root cause analysis
    today: date | None = None
    # overdue open action items (PM043): a warning by default; "error" fails the run;
    # "off" silences the diagnostic (the site still shows overdue items)
    overdue: Literal["warning", "error", "off"] = "warning"
    show_drafts: bool = False

    @property
    def postmortems_path(self) -> Path:
        """Absolute folder of the post-mortems."""
        return (self.root / self.postmortems_dir).resolve()

    @property
    def patterns_path(self) -> Path:
        """Absolute folder of the pattern definitions."""
        return (self.root / self.patterns_dir).resolve()
