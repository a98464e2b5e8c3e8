"""No traceback reaches an analyst: the production config shows a short note; the server log has the traceback."""

from __future__ import annotations

import shutil

from tests.browser import EXCEPTION, Runs, needs_chromium, streamlit_server
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
