"""HTTP requests and downloads that lose nothing.

- every request has a timeout (`timeout` seconds to connect and between any two reads of the
  answer: a server that stops sending fails the request instead of hanging it);
- 429, 5xx, connection resets and timeouts are retried with exponential back-off (a 429's
  Retry-After is honoured up to `max_backoff`);
- redirects are followed here, not by requests, so the caller's Authorization header (a CDSE
  bearer token) is sent again to the host redirected to (requests drops it across hosts); the
  session's own credentials (a DHuS hub's Basic password) go to the first host only;
- a download goes to `<dest>.part` and is renamed to `dest` only once complete and, when an MD5
  is known, verified (a size the catalogue announced must match too); a break resumes with
  `Range: bytes=N-` and the answer must be 206 with a matching `Content-Range` (a server that
  ignores Range answers 200 and the file starts over, never gets appended to); a body shorter
  than announced counts as a break;
- a checksum mismatch deletes the part file and downloads again, `checksum_attempts` times;
- `Progress` is checked between chunks and during back-off, so a cancel stops the transfer
  within one read (the `.part` file stays and a later run resumes it);
- the failures a user can act on end in one line: 401/403, no space left, an offline product
  (long-term archive), a checksum that keeps failing, a host that does not answer.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import time
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

import requests

from ..errors import OutputError
from ..progress import Progress, as_progress
from .errors import AuthError, CatalogError, ChecksumError, DiskFullError, NetworkError, NotFoundError, OfflineError

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
CHUNK = 256 * 1024
NETWORK_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


class _Incomplete(Exception):
    """The body ended before the announced length (the connection closed early)."""


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def describe_network_error(exc: BaseException) -> str:
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError | _Incomplete):
        return "connection closed in the middle of the data"
    text = str(exc)
    for key, what in (("Connection refused", "connection refused"), ("reset by peer", "connection reset"),
                      ("Name or service not known", "host name not found"), ("Temporary failure in name", "no network"),
                      ("Network is unreachable", "network unreachable"), ("RemoteDisconnected", "connection closed")):
        if key in text:
            return what
    return "connection failed"


def parse_content_range(value: str | None) -> tuple:
    """'bytes 100-199/1000' -> (100, 199, 1000); total None for '*'. None when unparsable."""
    m = re.match(r"\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", value or "")
    if not m:
        return None
    total = None if m.group(3) == "*" else int(m.group(3))
    return int(m.group(1)), int(m.group(2)), total


def md5_file(path: str, progress: Progress | None = None) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(4 * 1024 * 1024), b""):
            digest.update(block)
            if progress is not None:
                progress.check()
    return digest.hexdigest()


class Transfer:
    """A requests session with the rules of the module docstring.

    `auth_headers()` gives headers added to every request (a fresh bearer token); when a request
    is refused with 401 and `refresh_auth` is set, it is called once and the request repeated.
    """

    def __init__(self, session: requests.Session | None = None, timeout: float = 30.0, retries: int = 4,
                 backoff: float = 1.0, max_backoff: float = 30.0, checksum_attempts: int = 3,
                 auth_headers: Callable[[], dict] | None = None, refresh_auth: Callable[[], None] | None = None):
        self.session = session or requests.Session()
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.backoff = float(backoff)
        self.max_backoff = float(max_backoff)
        self.checksum_attempts = max(int(checksum_attempts), 1)
        self.auth_headers = auth_headers
        self.refresh_auth = refresh_auth

    # -- requests ---------------------------------------------------------------------------
    def request(self, method: str, url: str, *, headers: dict | None = None, params=None, data=None,
                stream: bool = False, progress: Progress | None = None, what: str | None = None,
                ok_status: tuple = ()) -> requests.Response:
        """Send a request, retrying as the module docstring says; returns a response that is not
        a retryable failure (the caller checks its status)."""
        progress = as_progress(progress)
        what = what or url
        attempt, refreshed = 0, False
        while True:
            progress.check()
            try:
                resp = self._send(method, url, headers, params, data, stream)
            except NETWORK_ERRORS as exc:
                attempt += 1
                if attempt > self.retries:
                    raise NetworkError(self._no_answer(url, exc, attempt)) from None
                self._pause(attempt, None, progress)
                continue
            if resp.status_code in ok_status:
                return resp
            if resp.status_code in RETRY_STATUS:
                attempt += 1
                retry_after = resp.headers.get("Retry-After")
                resp.close()
                if attempt > self.retries:
                    raise CatalogError(f"{what}: the server keeps failing (HTTP {resp.status_code}) after "
                                       f"{attempt} attempts; try again later")
                self._pause(attempt, retry_after, progress)
                continue
            if resp.status_code in (401, 403):
                resp.close()
                if self.refresh_auth is not None and not refreshed:
                    refreshed = True
                    self.refresh_auth()
                    continue
                raise AuthError(f"{host_of(url)}: access refused (HTTP {resp.status_code}): check the user name "
                                f"and password")
            return resp

    def json(self, method: str, url: str, *, what: str | None = None, **kw):
        resp = self.request(method, url, what=what, **kw)
        with resp:
            if resp.status_code == 404:
                raise NotFoundError(f"{what or url}: not found (HTTP 404)")
            if resp.status_code >= 400:
                raise CatalogError(f"{what or url}: HTTP {resp.status_code} {server_message(resp)}")
            try:
                return resp.json()
            except ValueError:
                raise CatalogError(f"{what or url}: the answer is not JSON") from None

    def _send(self, method, url, headers, params, data, stream) -> requests.Response:
        first_host = host_of(url)
        for _ in range(MAX_REDIRECTS + 1):
            merged = dict(self.auth_headers() if self.auth_headers else {})
            merged.update(headers or {})
            # requests would apply session.auth to any host: keep it to the host first asked
            auth = None if host_of(url) == first_host else _no_session_auth
            resp = self.session.request(method, url, headers=merged, params=params, data=data, stream=stream,
                                        auth=auth, allow_redirects=False, timeout=(self.timeout, self.timeout))
            if resp.status_code not in REDIRECT_STATUS or "Location" not in resp.headers:
                return resp
            resp.close()
            url, params = urljoin(resp.url, resp.headers["Location"]), None
            if resp.status_code == 303:
                method, data = "GET", None
        raise CatalogError(f"{url}: more than {MAX_REDIRECTS} redirects")

    def _no_answer(self, url: str, exc: BaseException, attempts: int) -> str:
        reason = describe_network_error(exc)
        if reason == "timed out":
            return f"{host_of(url)}: no answer within {self.timeout:g} s ({attempts} attempts); the server is down or too slow"
        return f"{host_of(url)}: {reason} ({attempts} attempts); check the network connection and the service URL"

    def _pause(self, attempt: int, retry_after: str | None, progress: Progress) -> None:
        delay = min(self.backoff * 2 ** (attempt - 1), self.max_backoff)
        if retry_after and retry_after.strip().isdigit():
            delay = min(max(float(retry_after), delay), self.max_backoff)
        end = time.monotonic() + delay
        while True:
            progress.check()
            left = end - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, 0.1))

    # -- downloads --------------------------------------------------------------------------
    def download(self, url: str, dest: str, *, size: int | None = None, md5: str | None = None,
                 progress: Progress | None = None, label: str | None = None) -> str:
        """Download `url` to `dest` (see the module docstring); returns `dest`."""
        progress = as_progress(progress)
        label = label or os.path.basename(dest)
        part = dest + ".part"
        make_folder(os.path.dirname(os.path.abspath(dest)))
        if os.path.exists(dest) and (size is None or os.path.getsize(dest) == size) and (
                md5 is None or md5_file(dest, progress).lower() == md5.lower()):
            return dest  # already downloaded and verified
        failures = 0
        while True:
            self._fetch_to_part(url, part, size, progress, label)
            got_size = os.path.getsize(part)
            if size is not None and got_size != size:
                os.remove(part)
                raise CatalogError(f"{label}: the server sent {got_size} bytes, the catalogue announced {size}")
            if md5:
                progress.update(1.0, f"verifying {label}")
                got = md5_file(part, progress)
                if got.lower() != md5.strip().lower():
                    failures += 1
                    os.remove(part)
                    if failures >= self.checksum_attempts:
                        raise ChecksumError(f"{label}: MD5 checksum mismatch in {failures} downloads (expected "
                                            f"{md5.lower()}, got {got}); the server's copy may be corrupt, try later")
                    continue
            os.replace(part, dest)
            return dest

    def _fetch_to_part(self, url: str, part: str, size: int | None, progress: Progress, label: str) -> None:
        attempt = 0
        while True:
            have = os.path.getsize(part) if os.path.exists(part) else 0
            if size is not None and have > size:
                os.remove(part)
                have = 0
            if size is not None and have == size and size > 0:
                return
            check_free_space(part, None if size is None else size - have, label)
            headers = {"Range": f"bytes={have}-"} if have else {}
            resp = self.request("GET", url, headers=headers, stream=True, progress=progress, what=label)
            start_have = have
            try:
                total = self._open_body(resp, url, part, have, label)
                if total == have and have:
                    return
                if resp.status_code == 200:
                    have = 0  # a full answer (first try, or a server that ignored Range): start over
                with open(part, "ab" if have else "wb") as fh:
                    for chunk in resp.iter_content(CHUNK):
                        fh.write(chunk)
                        have += len(chunk)
                        progress.update(have / total if total else 0.0,
                                        f"downloading {label} ({have / 1e6:.1f}/{(total or 0) / 1e6:.1f} MB)")
                if total is not None and have < total:
                    raise _Incomplete()
                if total is not None and have > total:
                    os.remove(part)
                    raise CatalogError(f"{label}: the server sent more bytes than announced ({have} > {total})")
                return
            except (*NETWORK_ERRORS, _Incomplete) as exc:
                now = os.path.getsize(part) if os.path.exists(part) else 0
                attempt = 1 if now > start_have else attempt + 1
                if attempt > self.retries:
                    raise NetworkError(f"{label}: download interrupted ({describe_network_error(exc)}) "
                                       f"{attempt} times; run again to resume from {now / 1e6:.1f} MB") from None
                self._pause(attempt, None, progress)
            except requests.RequestException as exc:  # the rest of requests' errors (they are OSErrors too)
                raise CatalogError(f"{label}: download failed ({type(exc).__name__}: {exc})") from None
            except OSError as exc:
                if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                    raise DiskFullError(f"{os.path.dirname(os.path.abspath(part))}: no space left on device while "
                                        f"downloading {label}") from None
                raise OutputError(f"{part}: cannot write ({exc.strerror or exc})") from None
            finally:
                resp.close()

    def _open_body(self, resp: requests.Response, url: str, part: str, have: int, label: str) -> int | None:
        """Check the status of a download answer; return the total size of the file (None if unknown)."""
        code = resp.status_code
        if code == 202:
            raise OfflineError(f"{label} is offline (long-term archive); its retrieval was requested: "
                               f"try again in an hour or so")
        if code == 404:
            raise NotFoundError(f"{label}: not found on the server (HTTP 404)")
        if code == 416 and have:
            cr = parse_content_range(resp.headers.get("Content-Range", "").replace("*/", "0-0/"))
            if cr and cr[2] == have:
                return have  # the part file is already complete
            os.remove(part)
            raise _Incomplete()
        if code == 206:
            cr = parse_content_range(resp.headers.get("Content-Range"))
            if not cr or cr[0] != have:
                os.remove(part)  # a range we did not ask for: never splice it in
                raise _Incomplete()
            return cr[2]
        if code != 200:
            raise CatalogError(f"{label}: download refused (HTTP {code} {server_message(resp)})")
        length = resp.headers.get("Content-Length")
        return int(length) if length and length.isdigit() and "Content-Encoding" not in resp.headers else None


def make_folder(path: str) -> None:
    """os.makedirs, failing with one line (a file in the way, no permission) instead of a traceback."""
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{path}: cannot create the folder ({exc.strerror or exc})") from None


def _no_session_auth(request):
    """An auth callable that adds nothing (auth=None would fall back to the session's)."""
    return request


def check_free_space(path: str, needed: int | None, label: str) -> None:
    if not needed or needed <= 0:
        return
    folder = os.path.dirname(os.path.abspath(path))
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise DiskFullError(f"{folder}: not enough free disk space for {label} (needs {needed / 1e6:.1f} MB, "
                            f"{free / 1e6:.1f} MB free)")


def server_message(resp: requests.Response) -> str:
    """A short reason from an error answer, for one-line messages."""
    try:
        data = resp.json()
    except ValueError:
        text = " ".join((resp.text or "").split())
        return text[:120] if text and not text.startswith("<") else resp.reason or ""
    if isinstance(data, dict):
        for key in ("detail", "message", "error_description", "error"):
            value = data.get(key)
            if isinstance(value, dict):
                value = value.get("message") or value.get("value")
            if isinstance(value, str) and value:
                return value[:160]
    return resp.reason or ""
