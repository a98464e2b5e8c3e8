"""The HTTP side of the server: what Streamlit's own routes do not do (no streamlit import here).

``streamlit run app.py`` serves the app through Streamlit's ``st.App`` (Starlette); these modules
give it a download route that checks access when the file is fetched (:mod:`geo.web.exports`),
the signed-in user of a request (:mod:`geo.web.cookie`) and the security headers and closed
routes of every response (:mod:`geo.web.headers`), assembled in :mod:`geo.web.server`.
"""
