"""/dashboard, the reference consumer of the public API and of the live stream.

A fast check with the TestClient (the page, its headers and its assets), then the page in headless
Chromium against a real server, driven over the DevTools protocol (CDP) on a WebSocket: every
program, agreement, signatory and restriction the API lists is on the page, the timeline draws
each event as its date allows, values open their proof by keyboard and by hover, the page fits
375 px, and a write made through the API appears without a reload, carried by /v1/stream.

Outside CI the browser tests are skipped (one line) when Chromium is not installed; with CI=true
it is required (.ci/run installs it). Every host but the server's is unresolvable for Chromium.
"""

import base64
import contextlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from websockets.sync.client import ClientConnection, connect

from app.db import make_engine, write_session
from app.models.keys import KeyScope
from app.routes.dashboard import ASSETS, CSP, router
from app.services.keys import create_key
from tests.conftest import seeded_template
from tests.processes import serve_process

CHROMIUM = (
    shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    # Any host but the server resolves to nothing: a CDN fetch could not succeed.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--remote-debugging-port=0",
]
READY = "document.documentElement && document.documentElement.dataset.state === 'ready'"
SHOWN = ("programs", "agreements", "signatories", "restrictions", "events")


# ---- Without a browser ------------------------------------------------------------------------


class _Markup(HTMLParser):
    """What of a page could run or style it inline."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self.scripts: list[str] = []
        self.links: list[dict[str, str | None]] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        self.inline += [f"{tag}[{n}]" for n in names if n == "style" or n.startswith("on")]
        if tag == "style":
            self.inline.append("<style>")
        if tag == "script":
            self.scripts.append(names.get("src") or "")
            self._in_script = True
        if tag == "link":
            self.links.append(names)

    def handle_endtag(self, tag: str) -> None:
        self._in_script = self._in_script and tag != "script"

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append("<script> with a body")


def test_the_page_and_its_assets_are_served_with_their_headers(api: TestClient) -> None:
    page = api.get("/dashboard")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-security-policy"] == CSP
    assert CSP == (
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; "
        "script-src 'self'; frame-ancestors 'none'"
    )
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    markup = _Markup()
    markup.feed(page.text)
    assert markup.inline == []
    assert markup.scripts == ["/dashboard/dashboard.js"]
    alternates = {
        (x.get("type"), x.get("href")) for x in markup.links if x.get("rel") == "alternate"
    }
    assert alternates == {
        ("application/feed+json", "/v1/feed.json"),
        ("application/atom+xml", "/v1/feed.atom"),
    }
    stylesheets = [x.get("href") for x in markup.links if x.get("rel") == "stylesheet"]
    assert stylesheets == ["/dashboard/dashboard.css"]
    assert "http://" not in page.text
    assert "https://" not in page.text

    for path, media_type in (
        ("/dashboard/dashboard.js", "text/javascript; charset=utf-8"),
        ("/dashboard/dashboard.css", "text/css; charset=utf-8"),
    ):
        asset = api.get(path)
        assert asset.status_code == 200, path
        assert asset.headers["content-type"] == media_type
        assert asset.headers["x-content-type-options"] == "nosniff"
        # Nothing fetched from elsewhere: no CDN, no font or image host.
        for elsewhere in ("http://", "https://", "@import", "url("):
            assert elsewhere not in asset.text, path
        # Its own validator (of its bytes), so a new deploy is never answered with a 304.
        again = api.get(path, headers={"If-None-Match": asset.headers["etag"]})
        assert again.status_code == 304
        assert '"dash-' in asset.headers["etag"]
    script = api.get("/dashboard/dashboard.js").text
    assert 'const API = "/v1"' in script
    assert "new EventSource(`${API}/stream`)" in script
    assert "innerHTML" not in script  # API text only ever enters the page as text nodes
    assert api.get("/dashboard/other.js").status_code == 404
    # Pages for people, not operations of the API: none of them is in the OpenAPI document.
    assert [r.path for r in router.routes if isinstance(r, APIRoute) and r.include_in_schema] == []
    assert {r.path for r in router.routes if isinstance(r, APIRoute)} == {
        "/dashboard",
        *(f"/dashboard/{name}" for name in ASSETS),
    }


# ---- The browser ------------------------------------------------------------------------------


@dataclass
class Served:
    base: str
    admin: dict[str, str]


@pytest.fixture
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    """The API as `spacefacts serve` runs it, over a seeded database holding an admin key."""
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required with CI=true")
        pytest.skip("Chromium not installed: browser check of /dashboard skipped")
    database = tmp_path / "dashboard.db"
    shutil.copyfile(make_url(seeded_template(request, "sqlite")).database or "", database)
    url = f"sqlite:///{database}"
    engine = make_engine(url)
    with write_session(engine) as session:
        token = create_key(session, name="dashboard-test", scope=KeyScope.admin)
    engine.dispose()
    with serve_process(url, tmp_path / "server.log") as base:
        yield Served(base, {"Authorization": f"Bearer {token}"})


@dataclass
class DevTools:
    """One page of a headless Chromium, spoken to over the DevTools protocol."""

    ws: ClientConnection
    events: list[dict[str, Any]] = field(default_factory=list)
    _next_id: int = 0

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        ident = self._next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        deadline = time.monotonic() + 30
        while True:
            message = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("id") != ident:
                self.events.append(message)
                continue
            if "error" in message:
                raise AssertionError(f"{method}: {message['error']}")
            result: dict[str, Any] = message["result"]
            return result

    def js(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (awaited if a promise)."""
        answer = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in answer:
            raise AssertionError(f"{expression}: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def wait_for(self, expression: str, *, timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.js(expression)
            except AssertionError:  # between two documents, while navigating
                value = None
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"not within {timeout:g} s: {what}")
            time.sleep(0.05)

    def key(self, key: str, code: int) -> None:
        """Press and release a key, as the keyboard would (Enter also types its character,
        which is what activates a button)."""
        text = {"Enter": "\r"}.get(key)
        down = {"type": "keyDown", "text": text} if text else {"type": "rawKeyDown"}
        for event in (down, {"type": "keyUp"}):
            self.call(
                "Input.dispatchKeyEvent",
                **event,
                key=key,
                code=key,
                windowsVirtualKeyCode=code,
                nativeVirtualKeyCode=code,
            )

    def viewport(self, width: int, height: int) -> None:
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=width < 600,
        )

    def screenshot(self, path: Path, width: int) -> None:
        """The whole page at `width` CSS pixels, as PNG."""
        self.viewport(width, 900)
        height = int(self.js("document.documentElement.scrollHeight"))
        self.viewport(width, height)
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        self.viewport(width, 900)

    def problems(self) -> list[str]:
        """Script errors and refusals by the page's Content-Security-Policy, so far."""
        found = []
        for event in self.events:
            params = event.get("params", {})
            if event.get("method") == "Runtime.exceptionThrown":
                found.append(json.dumps(params["exceptionDetails"])[:500])
            if event.get("method") == "Log.entryAdded":
                text = params["entry"].get("text", "")
                if "Content Security Policy" in text or "Refused to" in text:
                    found.append(text)
        return found

    def requested(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]


@contextlib.contextmanager
def chromium(tmp_path: Path) -> Iterator[DevTools]:
    assert CHROMIUM is not None
    profile = tmp_path / "profile"
    with (tmp_path / "chromium.log").open("wb") as log:
        process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        # Chromium picks a free port and writes it (then the browser's path) to this file.
        active = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while len(active.read_text().splitlines() if active.exists() else []) < 2:
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"Chromium did not start:\n{(tmp_path / 'chromium.log').read_text()}")
            time.sleep(0.05)
        port = int(active.read_text().splitlines()[0])
        targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        page = next(t for t in targets if t["type"] == "page")
        with connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=10) as ws:
            tools = DevTools(ws)
            for domain in ("Page", "Runtime", "Log", "Network"):
                tools.call(f"{domain}.enable")
            yield tools
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _all(base: str, collection: str) -> list[dict[str, Any]]:
    """Every item of a collection, page after page."""
    items: list[dict[str, Any]] = []
    params = {"limit": "200"}
    while True:
        page = httpx.get(f"{base}/v1/{collection}", params=params, timeout=10).json()
        items += page["items"]
        if not page["next_cursor"]:
            return items
        params["cursor"] = page["next_cursor"]


def _open(tools: DevTools, url: str, width: int = 1280) -> None:
    status = httpx.get(url, timeout=10).status_code
    assert status == 200, f"GET {url}: {status} (is app.routes.dashboard.router included?)"
    tools.viewport(width, 900)
    tools.call("Page.navigate", url=url)
    tools.wait_for(READY, timeout=20, what=f"{url} read the API and drew the page")


def _text(tools: DevTools, selector: str) -> str:
    text = tools.js(f"(document.querySelector({json.dumps(selector)}) || {{}}).textContent")
    assert text is not None, f"nothing on the page matches {selector}"
    return str(text)


def _popover(tools: DevTools) -> dict[str, Any]:
    """The open popover (its text and the key of its button) and the focused control's key."""
    found: dict[str, Any] = tools.js(
        """(() => {
            const open = [...document.querySelectorAll('.pop')].filter(p => !p.hidden);
            const button = open.length
                ? document.querySelector(`[aria-controls="${open[0].id}"]`) : null;
            return {
                open: open.length,
                text: open.length ? open[0].textContent : '',
                expanded: button ? button.getAttribute('aria-expanded') : null,
                button: button ? button.dataset.key : null,
                focus: document.activeElement.dataset.key || null,
            };
        })()"""
    )
    return found


def test_the_dashboard_shows_all_the_api_lists(served: Served, tmp_path: Path) -> None:
    expected = {c: _all(served.base, c) for c in SHOWN}
    with chromium(tmp_path) as tools:
        # Two items a page: the page must follow every `next_cursor` to show them all.
        _open(tools, f"{served.base}/dashboard?page_size=2")
        on_page = set(
            tools.js(
                "[...document.querySelectorAll('[data-type][data-id]')]"
                ".map(e => e.dataset.type + ':' + e.dataset.id)"
            )
        )
        for program in expected["programs"]:
            card = f'[data-type="program"][data-id="{program["id"]}"]'
            assert f"program:{program['id']}" in on_page
            assert program["name"] in _text(tools, f"{card} h3")
            for part in program["participants"]:
                assert part["party"]["name"] in _text(tools, f'{card} [data-id="{part["id"]}"]')
        for agreement in expected["agreements"]:
            card = f'[data-type="agreement"][data-id="{agreement["id"]}"]'
            assert agreement["name"] in _text(tools, f"{card} h3")
            for count in agreement["reported_counts"]:
                # A count of parties the source does not name: the number, never names.
                item = f'{card} [data-type="reported-count"][data-id="{count["id"]}"]'
                assert count["phrase"] in _text(tools, item)
                if count["count"] is not None:
                    assert f"{count['count']} unnamed" in _text(tools, item)
        for signatory in expected["signatories"]:
            agreement = signatory["agreement"]["id"]
            row = f'[data-id="{agreement}"] [data-type="signatory"][data-id="{signatory["id"]}"]'
            party = signatory["party"]["name"] if signatory["party"] else signatory["party_phrase"]
            assert party in _text(tools, row)
        for restriction in expected["restrictions"]:
            card = f'[data-type="restriction"][data-id="{restriction["id"]}"]'
            assert restriction["name"] in _text(tools, f"{card} h3")
            for claim in restriction["claims"]:
                if claim["basis"] == "inferred" and claim["fields"]:
                    fact = f'{card} .fact[data-basis="inferred"][data-field="{claim["fields"][0]}"]'
                    assert "inferred" in _text(tools, f"{fact} .cite")
        for kind, items in expected.items():
            singular = {"signatories": "signatory"}.get(kind, kind.removesuffix("s"))
            missing = [i["id"] for i in items if f"{singular}:{i['id']}" not in on_page]
            assert missing == [], f"{kind} missing from the page"

        # The timeline: exact dates as points, uncertain ones as spans, open ends marked, and
        # undated events apart with the source's words as written.
        for event in expected["events"]:
            date = event["date"]
            if date["edtf"] is None:
                item = f'#undated [data-type="event"][data-id="{event["id"]}"]'
                assert (date["phrase"] or "No date given") in _text(tools, f"{item} .when")
                continue
            row = f'#timeline-dated [data-id="{event["id"]}"]'
            shape = tools.js(f"document.querySelector({json.dumps(row)}).dataset.shape")
            exact = date["lower"] and date["upper"] and not any(c in date["edtf"] for c in "/~?%X")
            assert shape == ("point" if exact else "span"), event["id"]
            open_end = "start" if date["lower"] is None else "end" if date["upper"] is None else ""
            assert tools.js(f"document.querySelector({json.dumps(row)}).dataset.open") == open_end
            assert tools.js(f"!!document.querySelector({json.dumps(row + ' .tl-mark.' + shape)})")
            if date["phrase"]:
                assert date["phrase"] in _text(tools, f"{row} .tl-when")

        # By keyboard: Tab from an inferred value's link lands on its button, which shows the
        # proof; Escape closes it and leaves the focus there; Enter opens it again.
        restriction = expected["restrictions"][0]
        card = f'[data-type="restriction"][data-id="{restriction["id"]}"]'
        claim = next(c for c in restriction["claims"] if c["claim"] == "jurisdiction")
        tools.js(f"document.querySelector('{card} [data-field=\"jurisdiction\"] a').focus()")
        tools.key("Tab", 9)
        shown = _popover(tools)
        assert shown["open"] == 1
        assert shown["expanded"] == "true"
        assert shown["focus"] == shown["button"] == f"restriction:{restriction['id']}/jurisdiction"
        assert claim["reasoning"] in shown["text"]
        assert "inferred" in shown["text"]
        quotes = [c["exact"] for c in restriction["citations"] if c["id"] in claim["citations"]]
        assert quotes
        assert [q for q in quotes if q not in shown["text"]] == []
        assert "The article's own reporting" in shown["text"]  # whose words, by its label
        tools.key("Escape", 27)
        closed = _popover(tools)
        assert closed["open"] == 0
        assert closed["focus"] == shown["button"]
        tools.key("Enter", 13)
        assert _popover(tools)["open"] == 1
        tools.key("Escape", 27)

        # By hover: resting the pointer on a value shows its quote.
        box = tools.js(
            f"(() => {{ const v = document.querySelector('{card} [data-field=\"scope\"] .v');"
            " v.scrollIntoView({block: 'center'}); const r = v.getBoundingClientRect();"
            " return [r.x + 5, r.y + r.height / 2]; })()"
        )
        tools.call("Input.dispatchMouseEvent", type="mouseMoved", x=box[0], y=box[1])
        tools.wait_for(
            "[...document.querySelectorAll('.pop')].some(p => !p.hidden)",
            timeout=3,
            what="hovering a value shows its quote",
        )
        assert _popover(tools)["button"] == f"restriction:{restriction['id']}/scope"
        tools.call("Input.dispatchMouseEvent", type="mouseMoved", x=2, y=2)
        tools.wait_for(
            "[...document.querySelectorAll('.pop')].every(p => p.hidden)",
            timeout=3,
            what="moving away closes it",
        )

        wide, narrow = tmp_path / "dashboard-1280.png", tmp_path / "dashboard-375.png"
        tools.screenshot(wide, 1280)
        tools.viewport(375, 800)
        tools.wait_for("document.documentElement.clientWidth === 375", timeout=5, what="375 px")
        assert tools.js("document.documentElement.scrollWidth") <= 375
        tools.screenshot(narrow, 375)
        print(f"\nscreenshots: {wide} {narrow}")
        for png in (wide, narrow):
            assert png.read_bytes().startswith(b"\x89PNG")
            assert png.stat().st_size > 10_000

        assert tools.problems() == []
        foreign = [u for u in tools.requested() if not u.startswith((served.base, "data:"))]
        assert foreign == []


def _patch(served: Served, url: str, body: dict[str, Any]) -> None:
    etag = httpx.get(f"{served.base}{url}", timeout=10).headers["etag"]
    answer = httpx.patch(
        f"{served.base}{url}",
        content=json.dumps(body).encode(),
        headers={
            **served.admin,
            "If-Match": etag,
            "Content-Type": "application/merge-patch+json",
            "Prefer": "return=minimal",
        },
        timeout=10,
    )
    assert answer.status_code == 204, answer.text


def test_a_change_through_the_api_appears_without_a_reload(served: Served, tmp_path: Path) -> None:
    restriction = _all(served.base, "restrictions")[0]
    program = _all(served.base, "programs")[0]
    card = f'[data-type="restriction"][data-id="{restriction["id"]}"]'
    with chromium(tmp_path) as tools:
        _open(tools, f"{served.base}/dashboard")
        tools.wait_for(
            "document.getElementById('live').dataset.live === 'live'",
            timeout=10,
            what="the page's EventSource opened /v1/stream (is the stream served?)",
        )
        tools.js("window.notReloaded = true")
        # A popover left open by the reader, and the focus on its button.
        tools.js(f"document.querySelector('{card} [data-field=\"scope\"] .cite').focus()")
        tools.key("Escape", 27)  # whatever focusing it showed
        tools.key("Enter", 13)
        before = _popover(tools)
        assert before["open"] == 1

        scope = f"Working on space projects with Chinese counterparts ({time.time_ns()})."
        openness = f"Open to other countries ({time.time_ns()})."
        _patch(served, restriction["url"], {"scope": scope})
        _patch(served, program["url"], {"openness": openness})
        program_card = f'[data-type="program"][data-id="{program["id"]}"]'
        tools.wait_for(
            f"document.querySelector('{card}').textContent.includes({json.dumps(scope)})"
            f" && document.querySelector('{program_card}').textContent.includes("
            f"{json.dumps(openness)})",
            timeout=15,
            what="both changes shown by the page",
        )
        assert tools.js("window.notReloaded") is True
        after = _popover(tools)
        assert after["open"] == 1
        assert after["button"] == before["button"]
        assert after["focus"] == before["focus"] == before["button"]
        assert tools.js("document.getElementById('live').dataset.live") == "live"
        assert tools.problems() == []
