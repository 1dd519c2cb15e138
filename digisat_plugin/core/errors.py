"""Errors meant for the user: one line that names the file or parameter and what is wrong.

Every front end (CLI, QGIS task, Processing algorithm) catches `DigisatError` and shows its
message as it is; anything else is a bug and keeps its traceback for the log.
"""


def first_line(exc: BaseException) -> str:
    """The first non-empty line of a library's exception text, whitespace collapsed, at most 160 characters."""
    text = getattr(exc, "msg", None) or str(exc)
    lines = [line for line in str(text).splitlines() if line.strip()]
    return " ".join(lines[0].split())[:160] if lines else type(exc).__name__


class DigisatError(Exception):
    """A problem with the user's input or environment, explained in one line."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


class InputError(DigisatError):
    """The input product or band folder cannot be used."""


class AoiError(DigisatError):
    """The area of interest is malformed, outside the data or too small."""


class OutputError(DigisatError):
    """The output cannot be written."""


class Cancelled(DigisatError):
    """The user cancelled the work; partial outputs have been removed."""

    def __init__(self, message: str = "cancelled by the user"):
        super().__init__(message)
