"""Named things chosen by a string (backends, loaders, scorers): one registry class.

A :class:`Registry` is a read-only mapping from name to entry that fails helpfully: an unknown
name raises a one-line :class:`UnknownNameError` naming what was asked for, the closest known
name ("did you mean 'rules'?") and every valid name.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping
from typing import TypeVar

from emoreason.errors import ConfigError

T = TypeVar("T")


class UnknownNameError(ConfigError, KeyError):
    """An unknown registry name (a ConfigError for the CLI, a KeyError for mapping users)."""

    __str__ = Exception.__str__  # KeyError would quote the message


class Registry(Mapping[str, T]):
    """``kind`` names what is registered ('backend', 'loader'...), for the error messages."""

    def __init__(self, kind: str, entries: Mapping[str, T] | None = None) -> None:
        self.kind = kind
        self._entries: dict[str, T] = dict(entries or {})

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator: ``@REGISTRY.register("name")`` adds the decorated object under ``name``."""

        def add(entry: T) -> T:
            if name in self._entries:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            self._entries[name] = entry
            return entry

        return add

    def hint(self, name: str) -> str:
        """`` (did you mean 'x'?)`` for the closest known name, or an empty string."""
        close = difflib.get_close_matches(str(name), list(self._entries), n=1, cutoff=0.6)
        return f" (did you mean {close[0]!r}?)" if close else ""

    def unknown(self, name: str) -> UnknownNameError:
        return UnknownNameError(
            f"unknown {self.kind} {name!r}{self.hint(name)}; expected one of {list(self._entries)}"
        )

    def __getitem__(self, name: str) -> T:
        try:
            return self._entries[name]
        except (KeyError, TypeError):
            raise self.unknown(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {list(self._entries)})"
