"""One-line errors of the catalogue backends (all DigisatError, so every front end shows them as is)."""

from collections.abc import Callable
from contextlib import contextmanager

from ..errors import DigisatError


class CatalogError(DigisatError):
    """A catalogue or download service answered something unusable."""


class AuthError(CatalogError):
    """Credentials missing or refused (HTTP 401/403)."""


class NetworkError(CatalogError):
    """No answer: connection refused, reset or timed out, even after retries."""


class OfflineError(CatalogError):
    """The product is in the long-term archive; retrieval was requested but it is not online yet."""


class ChecksumError(CatalogError):
    """The downloaded bytes keep failing their checksum."""


class DiskFullError(CatalogError):
    """Not enough free space for a download."""


class NotFoundError(CatalogError):
    """No scene matched, or an asked-for scene or file does not exist."""


@contextmanager
def translated_errors(translate: Callable[[Exception], "CatalogError | None"]):
    """Raise `translate(exc)` in place of a library's exception (requests, pystac-client,
    sentinelsat); DigisatErrors and what `translate` does not know (None) pass unchanged."""
    try:
        yield
    except DigisatError:
        raise
    except Exception as exc:
        error = translate(exc)
        if error is None:
            raise
        raise error from None
