"""Read the ``postmortems`` plugin section of a ``mkdocs.yml`` without MkDocs.

The CLI uses this so ``pmkb validate`` checks with exactly the settings the
site build uses. ``mkdocs.yml`` files routinely carry tags the safe loader
does not know (``!ENV``, ``!!python/name:...`` for Material's emoji); those
values are irrelevant here, so unknown tags load as ``None`` instead of
failing, and nothing in the file is ever executed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .config import ConfigError, settings_from_mapping
from .settings import Settings

__all__ = ["PLUGIN_NAME", "load_project_settings", "plugin_options"]

PLUGIN_NAME = "postmortems"


class _TolerantLoader(yaml.SafeLoader):
    """SafeLoader that maps any unknown tag to None (never constructs objects)."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


_TolerantLoader.add_multi_constructor("", _ignore_tag)
_TolerantLoader.add_multi_constructor("!", _ignore_tag)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_tag)


def plugin_options(config: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The options of the ``postmortems`` plugin in a loaded mkdocs.yml, or None if absent."""
    plugins = config.get("plugins")
    if isinstance(plugins, Mapping):
        entries: list[Any] = [{k: v} for k, v in plugins.items()]
    elif isinstance(plugins, list):
        entries = plugins
    else:
        return None
    for entry in entries:
        if entry == PLUGIN_NAME:
            return {}
        if isinstance(entry, Mapping) and PLUGIN_NAME in entry:
            options = entry[PLUGIN_NAME]
            if options is None:
                return {}
            if not isinstance(options, Mapping):
                raise ConfigError(f"plugins.{PLUGIN_NAME} must be a mapping of options")
            return options
    return None


def load_project_settings(config_file: Path | None, root: Path | None = None) -> Settings:
    """Settings from ``config_file`` (mkdocs.yml), or defaults rooted at ``root`` when there is none.

    Raises :class:`ConfigError` for an unreadable file or invalid options.
    """
    if config_file is None:
        return settings_from_mapping({}, (root or Path.cwd()).resolve())
    try:
        text = config_file.read_text(encoding="utf-8-sig")
        loaded = yaml.load(text, Loader=_TolerantLoader)
    except OSError as exc:
        raise ConfigError(f"{config_file}: cannot read: {exc.strerror}") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_file}: not valid YAML: {exc}") from exc
    if not isinstance(loaded, Mapping):
        raise ConfigError(f"{config_file}: expected a mapping at the top level")
    options = plugin_options(loaded) or {}
    return settings_from_mapping(options, config_file.resolve().parent)
