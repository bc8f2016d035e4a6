"""What the tests and the benchmarks both drive the app with: a real Streamlit server (``app_server``), a
session over its websocket (``ws_session``), Chromium pages (``browsing``) and where things are (``paths``).

The tests (``tests/``) and the benchmarks (``benchmarks/``, run as ``python -m benchmarks.NAME`` from the
repository's root) import from here; neither imports the other.
"""
