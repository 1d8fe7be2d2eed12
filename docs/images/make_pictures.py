"""Redraw the pictures of docs/visualisation.md and of tutorial 09 (run from the project
folder): ``python docs/images/make_pictures.py``. Needs Graphviz's dot, matplotlib, and for
the page's screenshot selenium with Debian's chromium and chromium-driver."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    import numpy as np

    import tinygrad_fr as tg
    from tinygrad_fr import nn
    from tinygrad_fr.cli import main as cli
    from tinygrad_fr.labs import alice

    cli(["demo", "--epochs", "1000", "--out", str(HERE), "--no-progress"])
    run = alice.traced()
    run.trace.save(HERE / "alice_graph.png")
    run.trace.save(HERE / "alice_graph_depth1.svg", depth=1)
    run.trace.save(HERE / "alice_backward.en.html")

    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 8), nn.Sigmoid(), nn.Linear(8, 8), nn.Sigmoid(),
                          nn.Linear(8, 8), nn.Sigmoid(), nn.Linear(8, 1), nn.Linear(1, 1))
    x = tg.Tensor(np.random.default_rng(0).normal(size=(16, 8)), dtype=tg.float32)
    nn.functional.mse_loss(model[:7](x), tg.zeros(16, 1)).backward()  # the last layer unused
    ax = tg.viz.plot_grad_flow(model.named_parameters())
    ax.figure.savefig(HERE / "grad_flow.png", dpi=110)
    screenshot(HERE / "alice_backward.html", HERE / "alice_backward.png", steps=1)


def screenshot(page: Path, picture: Path, steps: int) -> None:
    """The page in headless Chromium after ``steps`` clicks on "next"."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1500,640"):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp()}")
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        driver.get(page.as_uri())
        for _ in range(steps):
            driver.find_element(By.ID, "next").click()
        driver.save_screenshot(str(picture))
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
