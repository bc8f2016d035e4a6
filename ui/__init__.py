"""The UI helpers the page scripts share: session state, widget keys, controls, live fragments, routing.

The only code besides pages/ that imports streamlit; the library (ganlab/) never does.
"""
