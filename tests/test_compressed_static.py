"""dashboards/compressed_static.py over Streamlit's own static-file handler (the one its
server mounts at the site's root), in process: each text file answered compressed to a
browser that takes gzip, compressed once; everything else as Streamlit answers it."""

from __future__ import annotations

import gzip
import re

import pytest
from starlette.testclient import TestClient
from streamlit.web.server.starlette.starlette_static_routes import (
    create_streamlit_static_handler,
)

from dashboards.compressed_static import CompressStatic, takes_gzip
from dashboards.preload import STATIC


@pytest.fixture
def served():
    """(client, middleware): Streamlit's static files behind CompressStatic."""
    middleware = CompressStatic(create_streamlit_static_handler(str(STATIC), None))
    # Not entered as a context: that would send the app a lifespan event, which a bare
    # static-file handler does not take (Streamlit's server handles it above).
    return TestClient(middleware), middleware


def _index_script() -> str:
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    return re.search(r'src="\./(static/js/index\.[^"]+\.js)"', page).group(1)


@pytest.mark.parametrize(
    ("header", "taken"),
    [
        ("gzip", True),
        ("gzip, deflate, br, zstd", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),
        ("identity", False),
        ("", False),
        ("gzip;q=0", False),
        ("gzip;q=0.0, br", False),
        ("x-gzip", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_what_an_accept_encoding_header_takes(header, taken):
    assert takes_gzip(header) is taken


def test_a_script_goes_out_compressed_once_and_is_the_same_file(served):
    client, middleware = served
    script = _index_script()
    on_disk = (STATIC / script).read_bytes()
    answers = [client.get(f"/{script}", headers={"Accept-Encoding": "gzip, br"}) for _ in (1, 2)]
    for answer in answers:
        assert answer.status_code == 200
        assert answer.headers["content-encoding"] == "gzip"
        assert answer.headers["vary"] == "Accept-Encoding"
        assert answer.headers["cache-control"].startswith("public, immutable")
        # httpx takes the gzip off: the bytes the browser runs are the file's
        assert answer.content == on_disk
        assert int(answer.headers["content-length"]) < len(on_disk) / 2
    assert len(middleware.compressed) == 1  # the second answer came from the kept bytes
    packed = next(iter(middleware.compressed.values()))
    assert gzip.decompress(packed) == on_disk


def test_a_compressed_script_is_not_sent_again_to_a_browser_that_has_it(served):
    client, _ = served
    script = _index_script()
    first = client.get(f"/{script}", headers={"Accept-Encoding": "gzip"})
    tag = first.headers["etag"]
    assert tag.startswith('W/"'), tag  # another encoding of the same file
    again = client.get(f"/{script}", headers={"Accept-Encoding": "gzip", "If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize("header", [None, "identity", "gzip;q=0"])
def test_a_browser_that_does_not_take_gzip_gets_the_file_as_it_is(served, header):
    client, middleware = served
    script = _index_script()
    asked = {"Accept-Encoding": header} if header else {"Accept-Encoding": ""}
    answer = client.get(f"/{script}", headers=asked)
    assert answer.status_code == 200
    assert "content-encoding" not in answer.headers
    assert answer.headers["vary"] == "Accept-Encoding"  # a cache keeps the two forms apart
    assert answer.content == (STATIC / script).read_bytes()
    assert middleware.compressed == {}


def test_a_font_an_unknown_file_and_a_part_of_a_file_pass_as_streamlit_answers_them(served):
    client, middleware = served
    gz = {"Accept-Encoding": "gzip"}
    font = next((STATIC / "static" / "media").glob("*.woff2")).relative_to(STATIC)
    answer = client.get(f"/{font.as_posix()}", headers=gz)
    assert answer.status_code == 200
    assert "content-encoding" not in answer.headers  # compressed already
    # An unknown address under static/ gets Streamlit's page (its HTML, for the frontend's
    # router), which dashboards/server.py rewrites: left alone here.
    page = client.get("/static/js/no-such-file.js", headers=gz)
    assert page.headers["content-type"].startswith("text/html")
    assert "content-encoding" not in page.headers
    part = client.get(f"/{_index_script()}", headers={**gz, "Range": "bytes=0-99"})
    assert part.status_code == 206
    assert len(part.content) == 100
    assert middleware.compressed == {}
