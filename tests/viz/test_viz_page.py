"""The step-through page: self-contained (no URL, everything inline), one step per backward
node, and driven in a real headless Chromium: step count, next/previous, the highlighted node,
the numbers multiplied, the gradients so far, and no network request."""

from __future__ import annotations

import html
import json
import re
import shutil
import tempfile

import pytest

SIGMOID = "σ'(z) = σ(z)(1 − σ(z))"
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)  # fmt: skip


def page_data(page: str) -> dict:
    found = re.search(
        r'<script type="application/json" id="trace-data">(.*?)</script>', page, flags=re.DOTALL
    )
    assert found is not None
    return json.loads(found.group(1))


def test_page_is_self_contained_with_no_url(alice):
    page = alice.trace.to_html()
    for needle in (
        "http:",
        "https:",
        "//cdn",
        "<link",
        " src=",
        "@import",
        "url(",
        "fetch(",
        "XMLHttpRequest",
        "import(",
    ):
        assert needle not in page, needle
    assert page.count("<script") == 2  # the data (JSON) and the script, both inline


def test_page_has_one_step_per_backward_node(alice):
    data = page_data(alice.trace.to_html())
    steps = data["steps"]
    assert len(steps) == len(alice.trace.last_pass.steps) == 5
    assert [step["op"] for step in steps] == ["MSELoss", "Sigmoid", "Linear", "Sigmoid", "Linear"]
    assert steps[1]["formula"] == SIGMOID
    (edge,) = steps[1]["edges"]
    assert (edge["upstream"], edge["local"], edge["contribution"]) == (
        "-0.9526",
        "0.2494",
        "-0.2376",
    )
    keys = {node["key"] for node in data["nodes"]}
    assert all(step["node"] in keys for step in steps)


def test_notebooks_get_the_page_in_an_iframe(alice):
    cell = alice.trace._repr_html_()
    assert cell.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in cell
    document = html.unescape(re.search(r'srcdoc="([^"]*)"', cell).group(1))
    assert document == alice.trace.to_html() and "http" not in cell


def test_page_words_follow_the_language(alice):
    french = alice.trace.to_html(lang="fr")
    assert "La rétropropagation pas à pas" in french and "suivant ▶" in french
    with pytest.raises(ValueError, match="lang must be 'en' or 'fr'"):
        alice.trace.to_html(lang="it")


# -- in a real browser ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(missing):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing("selenium", 'pip install "tinygrad_fr[test]"')
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if binary is None or driver_path is None:
        missing("chromium or chromium-driver", "Debian: apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="tinygrad-fr-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument("--window-size=1400,900")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def opened(browser, tmp_path_factory):
    """The Alice page opened from a file, and its data."""
    from tinygrad_fr.labs import alice

    path = tmp_path_factory.mktemp("page") / "alice.html"
    alice.traced().trace.save(path)
    browser.get(path.as_uri())
    return browser, page_data(path.read_text(encoding="utf-8"))


def click(browser, element_id: str) -> str:
    from selenium.webdriver.common.by import By

    browser.find_element(By.ID, element_id).click()
    return browser.find_element(By.ID, "step").text


def test_browser_shows_the_step_count_and_steps_both_ways(opened):
    browser, _ = opened
    assert click(browser, "first") == "1 / 5"
    assert click(browser, "next") == "2 / 5"
    assert click(browser, "next") == "3 / 5"
    assert click(browser, "prev") == "2 / 5"
    assert click(browser, "last") == "5 / 5"
    assert click(browser, "next") == "5 / 5"  # the end stays the end
    assert click(browser, "first") == "1 / 5"
    assert click(browser, "prev") == "1 / 5"


def test_browser_buttons_are_disabled_at_the_ends(opened):
    from selenium.webdriver.common.by import By

    browser, _ = opened
    click(browser, "first")
    assert not browser.find_element(By.ID, "prev").is_enabled()
    click(browser, "last")
    assert not browser.find_element(By.ID, "next").is_enabled()


def test_browser_highlights_the_node_and_shows_its_numbers(opened):
    from selenium.webdriver.common.by import By

    browser, data = opened
    click(browser, "first")
    click(browser, "next")  # step 2: the output sigmoid
    current = browser.find_elements(By.CSS_SELECTOR, "g.node.current")
    assert [element.get_attribute("id") for element in current] == [
        "node-" + data["steps"][1]["node"]
    ]
    detail = browser.find_element(By.ID, "detail").text
    assert SIGMOID in detail and "-0.9526 × 0.2494 = -0.2376" in detail
    assert browser.find_elements(By.CSS_SELECTOR, "path.edge.active")  # the edge it sends on


def test_browser_accumulates_the_gradients_step_by_step(opened):
    from selenium.webdriver.common.by import By

    browser, _ = opened

    def rows() -> int:
        return len(browser.find_elements(By.CSS_SELECTOR, "#so-far tr")) - 1  # minus the header

    click(browser, "first")
    counts = [rows()]
    for _ in range(4):
        click(browser, "next")
        counts.append(rows())
    assert counts == [2, 3, 6, 7, 9]  # L, then each node's inputs as their gradients arrive
    assert "[[0.02147, 0.01073], [0.02147, 0.01073]]" in browser.find_element(By.ID, "so-far").text


def test_browser_steps_with_the_keyboard(opened):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser, _ = opened
    click(browser, "first")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.ARROW_RIGHT)
    body.send_keys(Keys.ARROW_RIGHT)
    assert browser.find_element(By.ID, "step").text == "3 / 5"
    body.send_keys(Keys.ARROW_LEFT)
    assert browser.find_element(By.ID, "step").text == "2 / 5"


def test_browser_makes_no_network_request_and_logs_no_error(opened):
    browser, _ = opened
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert browser.execute_script("return location.protocol") == "file:"
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
