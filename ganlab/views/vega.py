"""What every live Vega-Lite chart of the app shares: the schema, the renderer, the named datasets
(sent apart from the spec, so the browser can swap them and keep its view) and the config.

Plain dicts whose named datasets are Arrow tables; ``st.vega_lite_chart(spec=...)`` draws them (no
streamlit here).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # the Vega-Lite that Streamlit 1.67 bundles (6.5)


def narrow(columns: dict) -> dict:
    """Float columns as float32: every redraw sends every row again, and a chart needs far fewer than
    float64's 16 digits (half the bytes of each float column)."""
    return {name: col.astype(np.float32) if isinstance(col, np.ndarray) and col.dtype == np.float64 else col
            for name, col in columns.items()}


def table(columns: dict) -> pa.Table:
    """A named dataset as the Arrow table the browser receives. Streamlit sends a pyarrow Table as it
    is; a dict of arrays it first turns into a pandas DataFrame. A redraw of the three time charts
    took 10.4 ms of the server's interpreter that way against 1.4 ms now
    (``benchmarks/redraw_cost.py``), and thirty open Train pages redraw them every few seconds each."""
    return pa.table(narrow(columns))


def frame(key: str, datasets: dict, renderer: str, layers: list[dict], **config) -> dict:
    """A chart's spec around its ``layers``: datasets named ``{key}-{name}`` as Arrow tables, floats
    narrowed, and ``config`` with no ARIA description per drawn item. Vega-Lite would otherwise
    format one ("step: 1,234; value: 0.69") for every point at every redraw, through the browser's
    expression interpreter, for a line that a screen reader reads as one path anyway; axes and
    titles keep theirs."""
    return {
        "$schema": SCHEMA,
        "usermeta": {"embedOptions": {"renderer": renderer}},
        "datasets": {f"{key}-{name}": table(data) for name, data in datasets.items()},
        "layer": layers,
        "config": {"mark": {"aria": False}, **config},
    }
