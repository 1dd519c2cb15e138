"""Downloads that lose nothing, against a real HTTP server on 127.0.0.1 with injected faults."""

from __future__ import annotations

import hashlib
import os

import pytest

from digisat_plugin.core.catalog.errors import (
    AuthError,
    CatalogError,
    ChecksumError,
    DiskFullError,
    NetworkError,
    OfflineError,
)
from digisat_plugin.core.catalog.transfer import Transfer
from digisat_plugin.core.errors import Cancelled
from digisat_plugin.core.progress import Progress
from tests.servers.httpbase import FileHandler, LoopbackServer

DATA = bytes(range(256)) * 4096 + b"tail"  # 1 MiB + 4 bytes, position-dependent bytes
MD5 = hashlib.md5(DATA).hexdigest()


@pytest.fixture()
def files():
    server = LoopbackServer(FileHandler, files={"product.zip": DATA})
    yield server
    server.stop()


def fast(**kw) -> Transfer:
    kw.setdefault("retries", 3)
    return Transfer(timeout=kw.pop("timeout", 5.0), backoff=0.01, **kw)


def gets(server) -> list:
    return [r for r in server.requests if r[0] == "GET"]


def test_download_verifies_md5_and_leaves_only_the_final_file(files, tmp_path):
    dest = tmp_path / "product.zip"
    seen = []
    out = fast().download(f"{files.url}/files/product.zip", str(dest), size=len(DATA), md5=MD5,
                          progress=Progress(lambda f, m: seen.append(f)))
    assert out == str(dest) and dest.read_bytes() == DATA
    assert os.listdir(tmp_path) == ["product.zip"]
    assert seen[-1] == 1.0 and seen == sorted(seen)


def test_interrupted_download_resumes_with_range_and_ends_verified(files, tmp_path):
    files.faults.drop_after, files.faults.drop_count = 300_000, 2
    dest = tmp_path / "product.zip"
    fast().download(f"{files.url}/files/product.zip", str(dest), size=len(DATA), md5=MD5)
    assert dest.read_bytes() == DATA
    ranges = [r[2].get("Range") for r in gets(files)]
    assert ranges == [None, "bytes=300000-", "bytes=600000-"]
    assert files.bytes_sent == len(DATA)  # nothing fetched twice


def test_server_ignoring_range_restarts_instead_of_appending(files, tmp_path):
    files.faults.drop_after, files.faults.drop_count = 500_000, 1
    files.faults.ignore_range = True
    dest = tmp_path / "product.zip"
    fast().download(f"{files.url}/files/product.zip", str(dest), md5=MD5)
    assert dest.read_bytes() == DATA  # a 200 to a Range request was not spliced onto the part file
    assert [r[2].get("Range") for r in gets(files)] == [None, "bytes=500000-"]


def test_server_errors_are_retried_then_succeed(files, tmp_path):
    files.faults.fail_status, files.faults.fail_count = 500, 2
    dest = tmp_path / "a.zip"
    fast().download(f"{files.url}/files/product.zip", str(dest), md5=MD5)
    assert dest.read_bytes() == DATA and len(gets(files)) == 3
    files.faults.fail_status, files.faults.fail_count = 429, 1
    fast().download(f"{files.url}/files/product.zip", str(tmp_path / "b.zip"), md5=MD5)
    assert (tmp_path / "b.zip").read_bytes() == DATA


def test_server_failing_for_good_is_one_line(files, tmp_path):
    files.faults.fail_status, files.faults.fail_count = 503, 100
    with pytest.raises(CatalogError, match=r"^product.zip: the server keeps failing \(HTTP 503\) after 4 attempts"):
        fast().download(f"{files.url}/files/product.zip", str(tmp_path / "product.zip"))
    assert os.listdir(tmp_path) == []


def test_wrong_checksum_downloads_again(files, tmp_path):
    files.faults.corrupt_count = 1
    dest = tmp_path / "product.zip"
    fast().download(f"{files.url}/files/product.zip", str(dest), md5=MD5)
    assert dest.read_bytes() == DATA and len(gets(files)) == 2


def test_checksum_that_keeps_failing_leaves_nothing(files, tmp_path):
    files.faults.corrupt_count = 100
    with pytest.raises(ChecksumError, match=rf"product.zip: MD5 checksum mismatch in 3 downloads \(expected {MD5}"):
        fast().download(f"{files.url}/files/product.zip", str(tmp_path / "product.zip"), md5=MD5)
    assert os.listdir(tmp_path) == []


def test_server_slower_than_the_timeout(files, tmp_path):
    files.faults.delay = 1.0
    with pytest.raises(NetworkError, match=r"^http://127\.0\.0\.1:\d+: no answer within 0\.2 s \(2 attempts\)"):
        fast(timeout=0.2, retries=1).download(f"{files.url}/files/product.zip", str(tmp_path / "p.zip"))


def test_unreachable_host(tmp_path):
    with pytest.raises(NetworkError, match=r"127\.0\.0\.1:9: connection refused \(2 attempts\)"):
        fast(retries=1).download("http://127.0.0.1:9/files/x.zip", str(tmp_path / "x.zip"))


def test_refused_credentials(files, tmp_path):
    files.state["bearer"] = "good"
    with pytest.raises(AuthError, match=r"access refused \(HTTP 401\): check the user name and password"):
        fast(auth_headers=lambda: {"Authorization": "Bearer bad"}).download(
            f"{files.url}/files/product.zip", str(tmp_path / "p.zip"))


def test_expired_token_is_refreshed_once(files, tmp_path):
    files.state["bearer"] = "fresh"
    token = {"value": "stale"}
    transfer = fast(auth_headers=lambda: {"Authorization": f"Bearer {token['value']}"},
                    refresh_auth=lambda: token.update(value="fresh"))
    transfer.download(f"{files.url}/files/product.zip", str(tmp_path / "p.zip"), md5=MD5)
    assert (tmp_path / "p.zip").read_bytes() == DATA


def test_redirect_to_another_host_keeps_the_bearer_token(files, tmp_path):
    files.state["bearer"] = "tok"
    front = LoopbackServer(FileHandler, files={}, redirect=files.url, bearer="tok")
    try:
        fast(auth_headers=lambda: {"Authorization": "Bearer tok"}).download(
            f"{front.url}/files/product.zip", str(tmp_path / "p.zip"), md5=MD5)
    finally:
        front.stop()
    assert (tmp_path / "p.zip").read_bytes() == DATA
    assert gets(files)[0][2]["Authorization"] == "Bearer tok"  # re-attached on the other port


def test_offline_product(files, tmp_path):
    files.state["status"] = 202
    with pytest.raises(OfflineError, match=r"^p.zip is offline \(long-term archive\); its retrieval was requested"):
        fast().download(f"{files.url}/files/product.zip", str(tmp_path / "p.zip"))


def test_not_enough_disk_space_is_found_before_downloading(files, tmp_path):
    with pytest.raises(DiskFullError, match=r"not enough free disk space for p.zip \(needs 1000000000.0 MB"):
        fast().download(f"{files.url}/files/product.zip", str(tmp_path / "p.zip"), size=10**15)
    assert gets(files) == []


def test_cancel_keeps_the_part_file_and_a_later_run_resumes(files, tmp_path):
    dest = tmp_path / "product.zip"
    calls = []
    progress = Progress(lambda f, m: calls.append(f), lambda: len(calls) >= 2)
    with pytest.raises(Cancelled):
        fast().download(f"{files.url}/files/product.zip", str(dest), md5=MD5, progress=progress)
    assert not dest.exists()
    part = tmp_path / "product.zip.part"
    assert 0 < part.stat().st_size < len(DATA)
    have = part.stat().st_size
    fast().download(f"{files.url}/files/product.zip", str(dest), md5=MD5)
    assert dest.read_bytes() == DATA and not part.exists()
    assert gets(files)[-1][2]["Range"] == f"bytes={have}-"


def test_disk_filling_up_during_the_download(files, tmp_path):
    os.symlink("/dev/full", tmp_path / "p.zip.part")  # every write fails with ENOSPC, as on a full disk
    with pytest.raises(DiskFullError, match=rf"^{tmp_path}: no space left on device while downloading p.zip$"):
        fast().download(f"{files.url}/files/product.zip", str(tmp_path / "p.zip"))
    assert not (tmp_path / "p.zip").exists()


def test_size_other_than_the_catalogue_announced_is_one_line_and_leaves_nothing(files, tmp_path):
    with pytest.raises(CatalogError, match=rf"^p.zip: the server sent {len(DATA)} bytes, the catalogue announced "
                                           rf"{len(DATA) + 10}$"):
        fast().download(f"{files.url}/files/product.zip", str(tmp_path / "p.zip"), size=len(DATA) + 10)
    assert os.listdir(tmp_path) == []  # neither the final name nor a .part that would never complete


def test_session_credentials_stay_with_the_first_host_on_a_redirect(files, tmp_path):
    import requests

    front = LoopbackServer(FileHandler, files={}, redirect=files.url)
    session = requests.Session()
    session.auth = ("hub-user", "hub-secret")  # a DHuS hub's Basic login lives on the session
    try:
        Transfer(session=session, timeout=5.0, backoff=0.01).download(
            f"{front.url}/files/product.zip", str(tmp_path / "p.zip"), md5=MD5)
    finally:
        front.stop()
    assert (tmp_path / "p.zip").read_bytes() == DATA
    assert front.requests[0][2]["Authorization"].startswith("Basic ")
    assert "Authorization" not in gets(files)[0][2]  # the password never went to the other host


def test_unwritable_destination_is_one_line(files, tmp_path):
    from digisat_plugin.core.errors import OutputError

    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"")
    with pytest.raises(OutputError, match=rf"^{blocker}: cannot create the folder \(File exists\)$"):
        fast().download(f"{files.url}/files/product.zip", str(blocker / "p.zip"))
    (tmp_path / "p.zip.part").mkdir()  # a part file that cannot be opened for writing
    with pytest.raises(OutputError, match=rf"^{tmp_path}/p.zip.part: cannot write \(Is a directory\)$"):
        fast().download(f"{files.url}/files/product.zip", str(tmp_path / "p.zip"))
    assert not (tmp_path / "p.zip").exists()
