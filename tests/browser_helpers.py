"""What the browser tests share: the system Chromium, people signing in at their own browsers,
and screenshots of every open page when a test fails.

A test module uses the fixtures by naming them at module level (pytest finds fixtures among
a module's attributes; a plain assignment keeps ruff from flagging the shadowing arguments)::

    from . import browser_helpers

    browser = browser_helpers.browser
    people = browser_helpers.people

Chromium is the Debian one (/usr/bin/chromium); nothing is ever downloaded. Each person works
in a fresh browser context (own cookies), like a separate computer in the office, and signs in
through the login form like everyone else, so login throttling (django-axes) sees ordinary,
successful logins only.
"""

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# The demo accounts (fixtures/demo_users.json) all share this password; see README.md.
DEMO_PASSWORD = "sutera-demo-2025"
DEMO_FIXTURES = (
    "office_sutera",
    "sop_pengukuran_kinerja",
    "demo_users",
    "rating_bands",
    "demo_indicators",
)
ARTIFACTS = "test-artifacts"
# The page's HTML as the app sent it plus what its own scripts changed: the app has no inline
# scripts (its CSP forbids them), so inline ones are test injections such as axe-core.
OWN_HTML = """() => {
    const copy = document.documentElement.cloneNode(true);
    copy.querySelectorAll("script:not([src])").forEach((script) => script.remove());
    return "<!doctype html>\\n" + copy.outerHTML;
}"""


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """A headless system Chromium, with Django's async-safety guard off while it lives.

    Playwright's sync API keeps an asyncio event loop running in the main thread for as long
    as it is started, so Django's async-safety guard would refuse every ORM call made there
    (fixtures, database assertions in the tests, the flush after each transactional test)
    with SynchronousOnlyOperation. Nothing here runs concurrently with that loop: the ORM
    calls are plain blocking calls between browser steps. DJANGO_ALLOW_ASYNC_UNSAFE switches
    the guard off only while the browser is alive, so the rest of the suite keeps the guard.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield launched
            finally:
                launched.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole test module."""
    with chromium() as launched:
        yield launched


def safe_name(text: str) -> str:
    """A file-name-safe version of a test id such as ``test_page[Isi Data Triwulan]``."""
    return re.sub(r"[^\w.-]+", "_", text).strip("_")


class People:
    """The people at their own browsers during one test; closes what it opened.

    ``sign_in(name)`` opens a new browser context for that person and logs in through the
    form; ``page(name)`` is that person's page afterwards. Every context can be asked to
    bypass the Content Security Policy (``bypass_csp=True``): only the accessibility tests do,
    to inject axe-core into the app's pages.
    """

    def __init__(
        self,
        browser: Browser,
        base_url: str,
        artifacts: Path,
        test_name: str,
        *,
        password: str = DEMO_PASSWORD,
        bypass_csp: bool = False,
    ):
        self.browser = browser
        self.base_url = base_url
        self.artifacts = artifacts
        self.test_name = safe_name(test_name)
        self.password = password
        self.bypass_csp = bypass_csp
        self.contexts: list[BrowserContext] = []
        self.pages: dict[str, Page] = {}
        # The questions the app asked before irreversible moves (static/js/confirm.js), each
        # answered "OK" as the person means to go on; a test may read what was asked.
        self.confirmations: list[str] = []

    def new_page(self, label: str, *, viewport: dict | None = None) -> Page:
        """A page in a new, empty browser context (no one signed in), saved on failure;
        ``viewport={"width": 390, "height": 844}`` for a phone."""
        context = self.browser.new_context(
            base_url=self.base_url,
            **({"viewport": viewport} if viewport else {}),
            locale="id-ID",
            timezone_id="Asia/Jakarta",
            bypass_csp=self.bypass_csp,
            accept_downloads=True,
        )
        # Chromium asks for /favicon.ico after each page, in parallel with what the test does
        # next; the app has none, and the live server should only see the person's requests.
        context.route("**/favicon.ico", lambda route: route.abort())
        self.contexts.append(context)
        page = context.new_page()
        page.on("dialog", self._accept)
        self.pages[label] = page
        return page

    def _accept(self, dialog) -> None:
        self.confirmations.append(dialog.message)
        dialog.accept()

    def sign_in(self, username: str, *, viewport: dict | None = None) -> Page:
        """Open the app in a new browser context and log in through the form, as a user would."""
        if username in self.pages:
            raise AssertionError(f"{username} is already signed in; use people.page()")
        page = self.new_page(username, viewport=viewport)
        page.goto("/")
        # Not signed in yet: the app sends the visitor to its login page.
        expect(page).to_have_url(re.compile(r"/masuk/\?next=/$"))
        expect(page.get_by_role("heading", name="Masuk ke Sutera Kinerja")).to_be_visible()
        page.get_by_label("Nama pengguna").fill(username)
        page.get_by_label("Sandi").fill(self.password)
        page.get_by_role("button", name="Masuk").click()
        if username == "camat":
            # The Camat's front page is the Dasbor.
            expect(page).to_have_url(f"{self.base_url}/dasbor/")
            expect(page.get_by_role("heading", level=1)).to_contain_text("Dasbor")
        else:
            expect(page).to_have_url(f"{self.base_url}/")
            expect(page.get_by_role("heading", level=1)).to_have_text("Tugas Saya")
        return page

    def page(self, username: str) -> Page:
        """The page of someone who signed in earlier in this test."""
        return self.pages[username]

    def save_pages(self, suffix: str = "") -> list[Path]:
        """A full-page screenshot and the HTML of every open page, into test-artifacts/."""
        self.artifacts.mkdir(parents=True, exist_ok=True)
        saved = []
        for label, page in self.pages.items():
            stem = f"{self.test_name}-{safe_name(label)}{suffix}"
            png, html = self.artifacts / f"{stem}.png", self.artifacts / f"{stem}.html"
            with contextlib.suppress(Exception):
                page.screenshot(path=png, full_page=True)
                saved.append(png)
            with contextlib.suppress(Exception):
                html.write_text(f"<!-- {page.url} -->\n{page.evaluate(OWN_HTML)}", "utf-8")
                saved.append(html)
        return saved

    @contextlib.contextmanager
    def screenshots_on_failure(self, enabled: bool = True) -> Iterator[None]:
        """Save every open page (screenshot and HTML) if the block raises, then re-raise."""
        try:
            yield
        except BaseException:
            if enabled:
                self.save_pages()
            raise

    def close(self) -> None:
        for context in self.contexts:
            with contextlib.suppress(Exception):
                context.close()


@pytest.fixture
def people(browser, live_server, request) -> Iterator[People]:
    """People signing in with the demo password against the live server."""
    people = People(
        browser, live_server.url, request.config.rootpath / ARTIFACTS, request.node.name
    )
    yield people
    people.close()
