"""Every lesson notebook, run the way a student runs it: in JupyterLab, in a real browser.

For each notebook, in order (05 reads what 01-04 saved): open it in JupyterLab, Run -> Run All
Cells from the menu, wait until the kernel is idle and every code cell has run, File -> Save
Notebook, then check what the page shows: no error and no stderr output, every figure of the
saved notebook displayed as an image, and in 02 the Keras model summary on screen. Kernel ->
Shut Down Kernel ends each notebook; the fixtures shut down whatever is left, and the server.

Notebook 02's page, scrolled to its model summary, is saved to ``docs/images/jupyterlab.png``.
Runs under ``make browser-test`` only (see ``conftest.py``).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT, JupyterLab

NOTEBOOKS = sorted(path.name for path in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
WITHOUT_FIGURES: frozenset[str] = frozenset()  # every lesson notebook draws at least one
SUMMARY_NOTEBOOK = "02_frozen_base_augmentation.ipynb"
SUMMARY_TEXT = re.compile(r"Total params|Trainable params")
SCREENSHOT = ROOT / "docs" / "images" / "jupyterlab.png"
RUN_TIMEOUT_S = 1200  # smoke size takes a couple of minutes on 2 cores; 03 more
STDERR = "application/vnd.jupyter.stderr"  # JupyterLab shows errors with this mime type too

# What the notebook page shows, read in one go: kernel status, input prompts, outputs.
PAGE_STATE_JS = """(stderrType) => {
  const panel = document.querySelector('.jp-NotebookPanel');
  if (!panel) return null;
  const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
    .map(node => node.textContent.trim());
  const stderr = [...panel.querySelectorAll(
    `.jp-OutputArea-output[data-mime-type="${stderrType}"]`)]
    .map(node => node.textContent.trim().slice(0, 400));
  const images = [...panel.querySelectorAll(
    '.jp-OutputArea-output[data-mime-type="image/png"] img')];
  return {
    status: indicator ? indicator.dataset.status : null,
    counted: prompts.filter(text => /^\\[\\d+\\]:?$/.test(text)).length,
    running: prompts.filter(text => text.includes('*')).length,
    stderr: stderr,
    images: images.length,
    dialog: document.querySelector('.jp-Dialog')?.innerText ?? null,
    drawn: images.filter(img => img.complete && img.naturalWidth > 0).length,
  };
}"""


def read_notebook(path: Path) -> dict[str, Any]:
    """The notebook file as JSON."""
    return json.loads(path.read_text())


def code_cells(notebook: dict[str, Any]) -> list[dict[str, Any]]:
    """The code cells with code in them (JupyterLab does not execute a blank cell)."""
    return [cell for cell in notebook["cells"]
            if cell["cell_type"] == "code" and "".join(cell["source"]).strip()]


def saved_images(notebook: dict[str, Any]) -> int:
    """How many image/png outputs the saved notebook holds."""
    return sum("image/png" in output.get("data", {})
               for cell in code_cells(notebook) for output in cell.get("outputs", []))


def saved_problems(notebook: dict[str, Any]) -> list[str]:
    """The saved notebook's error and stderr outputs, in words (for failure messages)."""
    problems = []
    for cell in code_cells(notebook):
        for output in cell.get("outputs", []):
            if output["output_type"] == "error":
                problems.append(f"[{cell['execution_count']}] {output['ename']}: "
                                f"{output['evalue']}")
            elif output["output_type"] == "stream" and output["name"] == "stderr":
                problems.append(f"[{cell['execution_count']}] stderr: "
                                f"{''.join(output['text'])[:400]}")
    return problems


def click_menu(page: Any, menu: str, entry: str) -> None:
    """Open the main menu ``menu`` (e.g. "Run") and click its entry labelled ``entry`` (e.g.
    "Run All Cells"), as a student does."""
    page.keyboard.press("Escape")  # close a menu a failed step may have left open
    page.locator("#jp-MainMenu").get_by_role("menuitem", name=menu, exact=True).click()
    item = page.locator(".lm-Menu li.lm-Menu-item").filter(
        has=page.locator(".lm-Menu-itemLabel").get_by_text(entry, exact=True))
    item.wait_for(state="visible")
    assert "lm-mod-disabled" not in (item.get_attribute("class") or ""), (
        f"{menu} -> {entry} is disabled")
    item.click()


def page_state(page: Any) -> dict[str, Any]:
    """Kernel status, prompts and outputs of the open notebook (see ``PAGE_STATE_JS``)."""
    return page.evaluate(PAGE_STATE_JS, STDERR) or {}


def open_notebook(page: Any, lab: JupyterLab, name: str, timeout: float = 300) -> None:
    """Open ``name`` in a workspace of its own (so no other notebook is restored and started)
    and wait until its kernel is connected and idle: the server says so, and so does the page
    (the toolbar's indicator reads "idle" before a kernel is there, so it alone is not enough)."""
    workspace = re.sub(r"\W", "-", Path(name).stem)
    page.goto(f"{lab.url}/lab/workspaces/{workspace}/tree/{name}?token={lab.token}")
    deadline, settled = time.monotonic() + timeout, 0
    while time.monotonic() < deadline and settled < 3:
        page.wait_for_timeout(1000)
        kernels = [session["kernel"] for session in lab.api("GET", "/api/sessions")
                   if session["path"] == name and session.get("kernel")]
        ready = bool(kernels) and all(kernel["execution_state"] == "idle"
                                      and kernel["connections"] > 0 for kernel in kernels)
        settled = settled + 1 if ready and page_state(page).get("status") == "idle" else 0
    if settled < 3:
        pytest.fail(f"{name}: no idle kernel within {timeout:.0f} s: {page_state(page)}")


def run_all_and_wait(page: Any, expected: int, timeout: float = RUN_TIMEOUT_S) -> dict:
    """Run -> Run All Cells, then wait until the kernel is idle, no cell is queued, and every
    one of the ``expected`` code cells has an execution count (or an error ended the run)."""
    click_menu(page, "Run", "Run All Cells")
    deadline, settled, state = time.monotonic() + timeout, 0, {}
    while time.monotonic() < deadline:
        page.wait_for_timeout(2000)
        state = page_state(page)
        if state.get("status") in ("dead", "unknown") or state.get("dialog"):
            break
        finished = state.get("status") == "idle" and state.get("running") == 0 and (
            state.get("counted", 0) >= expected or state.get("stderr"))
        settled = settled + 1 if finished else 0
        if settled >= 2:  # idle twice in a row, two seconds apart
            return state
    pytest.fail(f"the notebook did not finish running within {timeout:.0f} s "
                f"({expected} code cells): {state}")


def executed(notebook: dict[str, Any]) -> int:
    """How many of the notebook's code cells have an execution count."""
    return sum(bool(cell.get("execution_count")) for cell in code_cells(notebook))


def save_and_read(page: Any, path: Path, counted: int, timeout: float = 60) -> dict[str, Any]:
    """File -> Save Notebook; return the notebook as saved, once the file holds the ``counted``
    execution counts the page shows."""
    click_menu(page, "File", "Save Notebook")
    page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").wait_for(state="detached")
    deadline = time.monotonic() + timeout
    notebook = read_notebook(path)
    while executed(notebook) < counted and time.monotonic() < deadline:
        time.sleep(1)
        notebook = read_notebook(path)
    assert executed(notebook) >= counted, (
        f"{path.name} was saved with {executed(notebook)} of {counted} execution counts")
    return notebook


def check_outputs(page: Any, name: str, saved: dict[str, Any]) -> None:
    """No error or stderr output on the page; every saved figure displayed as a drawn image."""
    state = page_state(page)
    assert not state["stderr"], (f"{name} shows {len(state['stderr'])} error/stderr outputs: "
                                 f"{saved_problems(saved) or state['stderr']}")
    cells = code_cells(saved)
    assert executed(saved) == len(cells), (
        f"{name}: {len(cells) - executed(saved)} of {len(cells)} code cells did not run")
    expected = saved_images(saved)
    assert state["images"] == expected, (
        f"{name}: the saved notebook has {expected} image/png outputs, the page shows "
        f"{state['images']} images")
    if name not in WITHOUT_FIGURES:
        assert expected > 0, f"{name} displayed no figure"
    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-OutputArea-output img')]
                 .every(img => img.complete && img.naturalWidth > 0)""", timeout=30_000)


def show_model_summary(page: Any) -> None:
    """Hide the file browser (room for Keras' wide table), scroll the cell of the model summary
    to the top of the notebook, and check that its "Total params" line is on screen."""
    page.keyboard.press("Escape")
    page.keyboard.press("Control+b")  # View -> Show Left Sidebar, off
    output = page.locator(".jp-OutputArea-output", has_text=SUMMARY_TEXT)
    cell = page.locator(".jp-CodeCell").filter(has=output).first
    cell.wait_for(state="attached")
    for _ in range(3):  # cells above get their real height as they render: scroll until still
        page.wait_for_timeout(700)
        cell.evaluate("node => node.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(700)
    summary = cell.get_by_text(SUMMARY_TEXT).first
    if not summary.is_visible() or not in_viewport(page, summary):
        summary.scroll_into_view_if_needed()
    assert summary.is_visible() and in_viewport(page, summary), (
        "the model summary's 'Total params' is not on screen")


def in_viewport(page: Any, locator: Any) -> bool:
    """Whether the element's box lies within the browser window."""
    box, viewport = locator.bounding_box(), page.viewport_size
    return bool(box) and 0 <= box["y"] and box["y"] + box["height"] <= viewport["height"]


def shut_down_kernel(page: Any, lab: JupyterLab, timeout: float = 60) -> list[str]:
    """Kernel -> Shut Down Kernel, then wait until the server runs no kernel. Kernels the menu
    did not stop are shut down through the API; their ids are returned (none if all went)."""
    try:
        click_menu(page, "Kernel", "Shut Down Kernel")
    except Exception as error:  # the page may be what failed: the API still cleans up
        print(f"Kernel -> Shut Down Kernel failed: {error}")
    deadline = time.monotonic() + timeout
    while lab.kernels() and time.monotonic() < deadline:
        time.sleep(1)
    return lab.shut_down_kernels()


@contextmanager
def notebook_page(context: Any, lab: JupyterLab, name: str) -> Iterator[Any]:
    """A browser page for one notebook; on failure a screenshot is kept next to the notebooks;
    in any case its kernel is shut down. Fails if the menu left a kernel running."""
    page = context.new_page()
    try:
        yield page
    except (Exception, pytest.fail.Exception):
        shot = lab.root / f"failure-{Path(name).stem}.png"
        try:
            page.screenshot(path=str(shot))
            print(f"screenshot of the failure: {shot}")
        except Exception as error:  # keep the first failure, not this one
            print(f"no screenshot of the failure: {error}")
        raise
    finally:
        left = shut_down_kernel(page, lab)
        page.close()
    assert not left, f"Kernel -> Shut Down Kernel left kernels running: {left}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab(name: str, jupyterlab: JupyterLab,
                                     browser_context: Any) -> None:
    """Open, run all from the menu, save, check the page, shut the kernel down."""
    path = jupyterlab.root / name
    expected = len(code_cells(read_notebook(path)))
    started = time.monotonic()
    with notebook_page(browser_context, jupyterlab, name) as page:
        open_notebook(page, jupyterlab, name)
        state = run_all_and_wait(page, expected)
        saved = save_and_read(page, path, state["counted"])
        check_outputs(page, name, saved)
        if name == SUMMARY_NOTEBOOK:
            show_model_summary(page)
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT))
    print(f"{name}: {time.monotonic() - started:.0f} s in JupyterLab")
