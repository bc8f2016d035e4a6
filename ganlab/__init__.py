"""ganlab: watch a GAN learn. The library behind the Streamlit playground.

Everything here can be driven from a test, the CLI or a notebook; nothing here
imports streamlit.
"""

__version__ = "0.1.0"
