"""Checkpoints: list, resume, download, delete, and upload (validated, never executed)."""

from __future__ import annotations

import streamlit as st

from ganlab.config import ConfigError
from ganlab.data.datasets import DatasetUnavailable
from ganlab.persist.checkpoint import MAX_BYTES, CheckpointError
from ui import routes, session

routes.through_app()

PAGE = "checkpoints"
K = f"{PAGE}_"

st.title("Checkpoints")
session.show_flash()
shelf = session.checkpoint_dir()
entries = shelf.entries()

if not entries:
    st.info("No checkpoints yet. Save one from the Train page, or upload one below.")
else:
    rows = []
    for e in entries:
        src = session.model_source(e.name)
        rows.append({"name": e.label, "data": src.data_name, "model": src.args.arch, "step": src.step,
                     "z_dim": src.args.z_dim, "size (kB)": round(e.size / 1024)})
    st.dataframe(rows, hide_index=True, width="stretch")
    chosen = st.selectbox("Checkpoint", [e.name for e in entries], key=K + "chosen")
    entry = shelf.find(chosen)
    c1, c2, c3 = st.columns(3)
    if c1.button("Resume training from it", type="primary", width="stretch",
                 help="replaces this session's run; optimiser state included"):
        try:
            session.resume_into_run(chosen)
            session.flash("success", f"Loaded {chosen} into the Train page at its saved step. Press Resume.")
            st.switch_page("pages/train.py")
        except (CheckpointError, ConfigError, DatasetUnavailable) as err:
            st.error(f"Could not resume {chosen}: {err}")
    c2.download_button("Download", shelf.read_bytes(chosen), file_name=f"{entry.path.stem}.pt",
                       mime="application/octet-stream", width="stretch")
    if entry.pretrained:
        c3.button("Delete", disabled=True, width="stretch", help="pretrained models cannot be deleted")
    elif c3.button("Delete", width="stretch"):
        shelf.delete(chosen)
        session.flash("success", f"Deleted {chosen}.")
        st.rerun()

st.subheader("Upload a checkpoint")
st.caption(f"A ganlab checkpoint (.pt), at most {MAX_BYTES // 2**20} MB. It is read with "
           "torch.load(weights_only=True) and checked against the model it describes; nothing in it is executed, "
           "and an existing checkpoint is never overwritten.")
upload = st.file_uploader("Checkpoint file", type=["pt"], key=K + "upload")
if upload is not None and st.session_state.get(K + "done") != upload.file_id:
    st.session_state[K + "done"] = upload.file_id
    try:
        saved = shelf.upload(upload.name, upload.getvalue())
        session.flash("success", f"Uploaded as {saved.name}.")
        st.rerun()
    except CheckpointError as err:
        st.session_state[K + "rejected"] = f"Rejected {upload.name}: {err}"
if st.session_state.get(K + "rejected") and upload is not None:
    st.error(st.session_state[K + "rejected"])
