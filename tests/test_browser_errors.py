"""No traceback reaches an analyst: the production config shows a short note; the server log has the traceback."""

from __future__ import annotations

import shutil

from tests.browser import EXCEPTION, Runs, needs_chromium, params, streamlit_server, wait_param
from tests.conftest import ROOT

pytestmark = needs_chromium
FAILING = '''import streamlit as st
st.title("Failing page")
raise RuntimeError("secret detail /srv/data/private.csv")
'''


def test_an_uncaught_error_shows_no_details_and_is_logged(browser, tmp_path):
    shutil.copytree(ROOT / ".streamlit", tmp_path / ".streamlit")  # the project's own production config
    (tmp_path / "failing.py").write_text(FAILING, encoding="utf-8")
    with streamlit_server(tmp_path / "failing.py", cwd=tmp_path) as (url, log):
        page = browser.new_page()
        runs = Runs(page)
        page.goto(url)
        page.locator(EXCEPTION).wait_for(timeout=60_000)  # tests still see that an exception happened
        runs.wait_idle()
        shown = page.locator(EXCEPTION).inner_text()
        assert "secret detail" not in shown and "RuntimeError" not in shown and "Traceback" not in shown
        assert "error" in shown.lower()  # a short message instead
        page.close()
        text = log.read_text(errors="replace")
    assert "RuntimeError" in text and "secret detail /srv/data/private.csv" in text and "failing.py" in text


def test_a_link_with_dates_outside_the_data_is_clamped_with_a_note(server, browser):
    """A link made on the UCDP file of 2016–17, opened on the bundled dataset (Nov–Dec 2024): the date
    input's bounds used to raise StreamlitValueBelowMinError; now the range is the data's, and says so."""
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    runs = Runs(page)
    page.goto(f"{server}/?from=2016-01-01&to=2016-02-01&type=Battles")
    note = page.get_by_text("The link's dates 2016-01-01 – 2016-02-01 lie outside this dataset (2024-11-27 – 2024-12-12)")
    page.locator(EXCEPTION).or_(note).first.wait_for(timeout=60_000)  # whichever comes first: a crash or the note
    runs.wait_idle()
    runs.check()  # no exception element, no script error
    assert note.count() == 1 and note.is_visible()
    wait_param(page, "from", "2024-11-27")  # the clamped view is what the URL holds
    wait_param(page, "to", "2024-12-12")
    assert params(page)["type"] == ["Battles"]  # the rest of the link kept
    page.close()
