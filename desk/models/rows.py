"""The rows of a ``.tuples()`` or ``.dicts()`` query, typed as what they are.

peewee's stubs keep the model as the row type after ``query.tuples()`` (the method returns the same query
type), so ``for code, name in query.tuples()`` reads to the type checker as unpacking a model. Iterating
through these says what a row is, in one place, with no cast at each use.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from peewee import BaseQuery


def tuples(query: BaseQuery) -> Iterator[tuple[Any, ...]]:
    """The rows of ``query`` as tuples, in its column order."""
    rows: Iterator[tuple[Any, ...]] = iter(query.tuples())
    return rows


def dicts(query: BaseQuery) -> Iterator[dict[str, Any]]:
    """The rows of ``query`` as dicts keyed by column (or alias) name."""
    rows: Iterator[dict[str, Any]] = iter(query.dicts())
    return rows
