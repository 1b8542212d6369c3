"""Errors a clerk can act on: each carries a translated, user-facing message."""

from __future__ import annotations


class DeskError(Exception):
    """Base of every expected failure; ``str(err)`` is the message shown to the user."""


class ValidationError(DeskError):
    """Input the service refuses; ``problems`` lists each field → message."""

    def __init__(self, problems: dict[str, str] | str):
        if isinstance(problems, str):
            problems = {"": problems}
        self.problems = dict(problems)
        super().__init__("; ".join(self.problems.values()))


class NotFound(DeskError):
    pass


class TransitionError(DeskError):
    pass


class PermissionDenied(DeskError):
    pass


class DatabaseBusy(DeskError):
    pass


class OfficeNotSetUp(DeskError):
    """The office has no identity given by a person yet: nothing is received and no slip is issued (D27)."""
