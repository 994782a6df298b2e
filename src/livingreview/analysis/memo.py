"""Results computed once per input and reused: per-study rows of the synthesis, static SVGs.

Pure by default: with no store installed, `cached` just computes. The book installs a store
(`book/cache.py`, content-addressed files under `_build/`, never committed), so the synthesis
after adding one paper computes only that paper's rows and a chart whose spec did not change
is not drawn again. A key is the sha256 of what the value is computed from (its kind, the
arguments and the record); the store itself is namespaced by the package code and the pinned
requirements, so a code change never reuses an older result.
"""
from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Store(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, data: bytes) -> None: ...


_STORE: Store | None = None


def install(store: Store | None) -> None:
    """Use `store` from now on (None: compute everything, store nothing)."""
    global _STORE
    _STORE = store


def installed() -> Store | None:
    """The store in use, or None."""
    return _STORE


def key_of(kind: str, *inputs: Any) -> str:
    """The content address of a `kind` of result computed from `inputs` (JSON-able values)."""
    text = json.dumps([kind, *inputs], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cached(kind: str, inputs: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, or the result stored for the same kind and `inputs` (everything the result
    is computed from, so a stored one is never stale). An unreadable stored entry is a miss."""
    if _STORE is None:
        return compute()
    key = key_of(kind, *inputs)
    blob = _STORE.get(key)
    if blob is not None:
        try:
            return pickle.loads(blob)
        except Exception:  # a damaged entry is only a miss
            pass
    value = compute()
    _STORE.put(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value
