"""The one error family of cahtracker: domain code raises, the CLI edge prints one line."""

from __future__ import annotations


class CahError(Exception):
    """A user-facing error: `str(error)` is the whole message; `exit_code` what the CLI returns."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(CahError):
    """The command line itself is wrong (exit 2, as Click does)."""

    exit_code = 2
