"""Where this server's runs train, started by app.py before anything imports torch.

Apart from session.py (which imports torch) so that the first worker starts at once: it imports torch and
loads the data while this server imports its own modules, on the other core.
"""

from __future__ import annotations

import streamlit as st

from ganlab.cluster.connection import address as cluster_address
from ganlab.data.catalog import default_data_dir
from ganlab.pool.local import workers_wanted

FIRST_RUN_DATA = "ring8"  # a session's first run (ui/session.py); each worker builds one before it is ready


@st.cache_resource(show_spinner=False)
def pool():
    """This server's pool of worker processes (``ganlab.pool.local``), started with the first page; with
    ``GANLAB_RAY_ADDRESS`` set, the Ray cluster's workers (``ganlab.cluster.workers``), shared by every
    server replica; with ``GANLAB_WORKERS=0``, None: threads of this server."""
    if cluster_address():
        from ganlab.cluster.workers import RayPool

        return RayPool()
    if workers_wanted() == 0:
        return None
    from ganlab.pool.local import LocalPool

    return LocalPool(preload="mnist", data_dir=default_data_dir(), warm_up=FIRST_RUN_DATA)


def start() -> None:
    """Start this server's own pool if it is not running yet (a cluster's is reached by the first run)."""
    if not cluster_address():
        pool()
