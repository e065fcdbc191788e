"""A real headless Chromium (Debian's ``chromium`` driven through Debian's ``chromedriver`` by Selenium) on the
pages of a running gateway, with the steps a person takes: log in, click, type, look.

The browser is offline but for this machine: every host name other than 127.0.0.1 resolves to nothing, so a page
that needed a CDN would break here. Each step can be saved as a screenshot under ``screenshots/`` (git ignores it).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1366,900",
    "--lang=zh-CN",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)
PASSWORD = "minyi-demo-2026"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
T = TypeVar("T")


def start_chromium() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))


class Page:
    """One browser on the gateway at ``base``; ``shot(step)`` saves numbered screenshots for one test."""

    def __init__(self, driver: webdriver.Chrome, base: str, shots: Path) -> None:
        self.driver = driver
        self.base = base
        self.shots = shots
        self._step = 0

    # --- looking --------------------------------------------------------------------------------------------------

    def wait(self, condition: Callable[[webdriver.Chrome], T], timeout: float = 45, what: str = "") -> T:
        try:
            return WebDriverWait(self.driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(
                condition
            )
        except TimeoutException:
            self.shot("timeout")
            raise AssertionError(
                f"waited {timeout} s for {what or condition}; page {self.driver.current_url}"
            ) from None

    def find(self, css: str, timeout: float = 45) -> WebElement:
        def present(driver: webdriver.Chrome) -> WebElement | None:
            try:
                return driver.find_element(By.CSS_SELECTOR, css)
            except NoSuchElementException:
                return None

        found = self.wait(present, timeout, css)
        assert found is not None
        return found

    def all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text_of(self, css: str, timeout: float = 45) -> str:
        return self.find(css, timeout).text

    def wait_text(self, css: str, text: str, timeout: float = 45) -> WebElement:
        def has(driver: webdriver.Chrome) -> WebElement | None:
            for element in driver.find_elements(By.CSS_SELECTOR, css):
                if text in element.text:
                    return element
            return None

        found = self.wait(has, timeout, f"{text!r} in {css}")
        assert found is not None
        return found

    def shot(self, step: str) -> None:
        self._step += 1
        self.shots.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(self.shots / f"{self._step:02d}-{re.sub(r'[^a-z0-9-]+', '-', step)}.png"))

    def script(self, source: str, *args: Any) -> Any:
        return self.driver.execute_script(source, *args)

    def session(self) -> dict[str, Any] | None:
        """The workbench's login as this tab's localStorage holds it."""
        return self.script("return JSON.parse(localStorage.getItem('minyi.session') || 'null')")  # type: ignore[no-any-return]

    def foreign_requests(self) -> list[str]:
        """Every resource this page loaded from anywhere but the gateway."""
        names: list[str] = self.script("return performance.getEntriesByType('resource').map(e => e.name)")
        return [n for n in names if not n.startswith(self.base + "/") and not n.startswith("data:")]

    # --- doing ----------------------------------------------------------------------------------------------------

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    def log_in(self, username: str, password: str = PASSWORD) -> None:
        """On the provider's login page (统一登录): type the user and password and sign in."""
        self.find("#username").clear()
        self.find("#username").send_keys(username)
        self.find("#password").send_keys(password)
        self.shot(f"login-{username}")
        self.find("button[type=submit]").click()

    def type_into(self, css: str, text: str) -> None:
        element = self.find(css)
        element.clear()
        element.send_keys(text)

    def choose(self, css: str, value: str) -> None:
        """Pick the option with ``value`` in the select at ``css``."""
        Select(self.find(css)).select_by_value(value)

    def log_out(self) -> None:
        """退出登录, and wait for the page that says so."""
        self.find("button.logout").click()
        self.wait_text("main h1", "您已退出登录")

    def provider_cookie(self) -> str:
        """The login session cookie the provider set (HttpOnly, path /oauth: only the browser itself can see it)."""
        cookies = self.driver.execute_cdp_cmd("Network.getAllCookies", {})["cookies"]
        return next(c["value"] for c in cookies if c["name"] == "minyi_sid")

    # --- accessibility --------------------------------------------------------------------------------------------

    def axe_violations(self, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
        """axe-core's WCAG 2 A/AA checks on the page as it is; the violations of the given impact."""
        self.script(AXE.read_text())
        result: dict[str, Any] = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
            " 'best-practice']}}).then(r => done(r), e => done({error: String(e)}));"
        )
        assert "error" not in result, result
        return [v for v in result["violations"] if v["impact"] in impacts]

    def keyboard_walk(self, limit: int = 200) -> list[str]:
        """Press Tab until focus has gone all the way round the page (through the browser's own stop after the last
        control, if it makes one); the controls reached, each once, as ``tag:accessible label``."""
        reached: list[str] = []
        seen: set[str] = set()
        empty_stops = 0
        actions = ActionChains(self.driver)
        for _ in range(limit):
            actions.send_keys(Keys.TAB).perform()
            key = self.script(
                "const e = document.activeElement; if (!e || e === document.body) return null;"
                "if (!e.dataset.walk) e.dataset.walk = String(Math.random());"
                "const label = e.getAttribute('aria-label') || (e.labels && e.labels[0] && e.labels[0].innerText)"
                " || e.innerText || e.value || '';"
                "return e.dataset.walk + '|' + e.tagName.toLowerCase() + ':' + label.trim().slice(0, 40);"
            )
            if key is None:
                empty_stops += 1
                if empty_stops > 2:
                    break
                continue
            if key in seen:
                break
            seen.add(key)
            reached.append(key.split("|", 1)[1])
        return reached

    def controls(self) -> list[str]:
        """Every visible interactive control of the page, as ``tag:label`` like :meth:`keyboard_walk`."""
        return self.script(  # type: ignore[no-any-return]
            "return [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]"
            ".filter(e => e.tabIndex >= 0 && !e.disabled && e.offsetParent !== null)"
            ".map(e => e.tagName.toLowerCase() + ':' + (e.getAttribute('aria-label') ||"
            " (e.labels && e.labels[0] && e.labels[0].innerText) || e.innerText || e.value || '').trim().slice(0, 40))"
        )


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"waited {timeout} s for {what}")


def assert_accessible(page: Page, what: str) -> None:
    """axe-core finds no serious or critical violation, every control has a label, and Tab reaches each of them."""
    violations = page.axe_violations()
    assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    controls = page.controls()
    reached = page.keyboard_walk()
    assert controls, what
    assert sorted(reached) == sorted(controls), f"{what}: not every control is reachable by Tab"
    unlabelled = [c for c in controls if c.endswith(":")]
    assert unlabelled == [], f"{what}: controls without a label"
