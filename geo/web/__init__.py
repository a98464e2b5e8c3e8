"""What the web server needs from ``geo`` beyond pages: pure ASGI middleware and its logic (no streamlit import)."""
