"""postmortem_kb: validate blameless post-mortems and publish them as a knowledge base.

The public surface is ``__all__``; adapters (CLI, MkDocs plugin) and users import
from here, never from deep module paths.
"""

from __future__ import annotations

from .kb import FileOutcome, FileRecord, KnowledgeBase
from .model import (
    ActionItem,
    ActionStatus,
    Detection,
    Diagnostic,
    Impact,
    Level,
    Pattern,
    Postmortem,
    Rollback,
    Section,
    Severity,
    Status,
    TimelineEvent,
    Why,
)
from .settings import DEFAULT_BLAME_PHRASES, Settings

__all__ = [
    "DEFAULT_BLAME_PHRASES",
    "ActionItem",
    "ActionStatus",
    "Detection",
    "Diagnostic",
    "FileOutcome",
    "FileRecord",
    "Impact",
    "KnowledgeBase",
    "Level",
    "Pattern",
    "Postmortem",
    "Rollback",
    "Section",
    "Settings",
    "Severity",
    "Status",
    "TimelineEvent",
    "Why",
]

__version__ = "0.1.0"
