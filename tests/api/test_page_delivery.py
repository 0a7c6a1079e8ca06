"""The built page over real HTTP: compressed, fingerprinted assets cached for a year,
``index.html`` revalidated on every load (docs/security.md)."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from trimtab.api.app import create_app
from trimtab.services import users
from trimtab.services.context import AppContext

from ..live_server import serving
from .conftest import PASSWORD
from .test_events import signed_in_cookies

IMMUTABLE = "public, max-age=31536000, immutable"
SCRIPT = "export const answer = " + ", ".join(f'"value {i}"' for i in range(400)) + ";\n"


@pytest.fixture
def page_dir(tmp_path: Path) -> Path:
    """A built page as vite lays it out: index.html and content-hashed /assets files."""
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "assets" / "index-Ab12Cd34.js").write_text(SCRIPT)
    (dist / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'></svg>")
    (dist / "index.html").write_text(
        '<!doctype html><html><head><script type="module" src="/assets/index-Ab12Cd34.js">'
        "</script></head><body><div id=root></div></body></html>"
    )
    return dist


@pytest.fixture
def base_url(ctx: AppContext, page_dir: Path) -> Iterator[str]:
    with serving(create_app(ctx, web_dist=page_dir)) as url:
        yield url


def test_a_fingerprinted_asset_is_gzipped_and_cached_for_a_year(base_url: str) -> None:
    url = f"{base_url}/assets/index-Ab12Cd34.js"
    with httpx.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as response:
        assert response.status_code == 200
        assert response.headers["content-encoding"] == "gzip"
        assert response.headers["cache-control"] == IMMUTABLE
        assert response.headers["vary"] == "Accept-Encoding"
        sent = b"".join(response.iter_raw())
    # It is the file, byte for byte, sent in fewer bytes.
    assert gzip.decompress(sent) == SCRIPT.encode()
    assert len(sent) < len(SCRIPT) // 4


def test_index_html_and_client_routes_are_revalidated_every_load(base_url: str) -> None:
    for path in ("/", "/index.html", "/allocation", "/history/3", "/favicon.svg"):
        response = httpx.get(f"{base_url}{path}")
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-cache", path


def test_a_client_that_asks_for_no_encoding_gets_the_plain_file(base_url: str) -> None:
    response = httpx.get(
        f"{base_url}/assets/index-Ab12Cd34.js", headers={"Accept-Encoding": "identity"}
    )
    assert "content-encoding" not in response.headers
    assert response.content == SCRIPT.encode()


def test_api_answers_are_compressed_too_and_the_event_stream_is_not(
    ctx: AppContext, base_url: str
) -> None:
    schema = httpx.get(f"{base_url}/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert schema.headers["content-encoding"] == "gzip"
    assert schema.json()["info"]["title"] == "trimtab"
    # A compressed event stream would sit in the compressor's buffer: it goes out plain.
    users.create_user(ctx, "alice@example.com", PASSWORD)
    cookies, _ = signed_in_cookies(base_url, "alice@example.com")
    with (
        httpx.Client(base_url=base_url, cookies=cookies, timeout=10) as client,
        client.stream("GET", "/api/events", headers={"Accept-Encoding": "gzip"}) as stream,
    ):
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in stream.headers
        assert next(stream.iter_lines()).startswith(("event:", ":", "retry:", "id:"))


@pytest.mark.skipif(
    not (Path(__file__).resolve().parents[2] / "src/trimtab/web_dist/index.html").exists(),
    reason="the page is not built",
)
def test_the_real_page_loads_in_about_a_quarter_of_its_bytes(ctx: AppContext) -> None:
    """Every file a cold load of the built page fetches, with and without gzip."""
    with serving(create_app(ctx)) as url:
        index = httpx.get(url + "/").text
        paths = ["/", *re.findall(r'(?:src|href)="(/assets/[^"]+)"', index)]
        plain = sum(
            len(httpx.get(url + p, headers={"Accept-Encoding": "identity"}).content) for p in paths
        )
        sent = 0
        for p in paths:
            with httpx.stream("GET", url + p, headers={"Accept-Encoding": "gzip"}) as response:
                sent += sum(len(chunk) for chunk in response.iter_raw())
    assert sent < plain * 0.4, (sent, plain)
