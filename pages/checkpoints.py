"""Checkpoints: list, resume, download, delete, and upload (validated, never executed)."""

from __future__ import annotations

import streamlit as st

from ganlab.config import ConfigError
from ganlab.data.datasets import DatasetUnavailable
from ganlab.persist.checkpoint import MAX_BYTES, CheckpointError
from ui import links, routes, session
from ui.i18n import _, reason

routes.through_app()

PAGE = "checkpoints"
K = f"{PAGE}_"

with links.title_row():
    st.title(_("Checkpoints"))
session.show_flash()
shelf = session.checkpoint_dir()
entries = shelf.entries()

if not entries:
    st.info(_("No checkpoints yet. Save one from the Train page, or upload one below."))
else:
    rows = []
    for e in entries:
        src = session.model_source(e.name)
        rows.append({_("name"): e.label, _("data"): src.data_name, _("model"): src.args.arch, _("step"): src.step,
                     "z_dim": src.args.z_dim, _("size (kB)"): round(e.size / 1024)})
    st.dataframe(rows, hide_index=True, width="stretch")
    chosen = st.selectbox(_("Checkpoint"), [e.name for e in entries], key=K + "chosen")
    entry = shelf.find(chosen)
    c1, c2, c3 = st.columns(3)
    if c1.button(_("Resume training from it"), type="primary", width="stretch",
                 help=_("replaces this session's run; optimiser state included")):
        try:
            session.resume_into_run(chosen)
            session.flash("success", _("Loaded {name} into the Train page at its saved step. Press Resume.").format(
                name=chosen))
            st.switch_page("pages/train.py")
        except (CheckpointError, ConfigError, DatasetUnavailable) as err:
            st.error(_("Could not resume {name}: {err}").format(name=chosen, err=reason(err)))
    c2.download_button(_("Download"), shelf.read_bytes(chosen), file_name=f"{entry.path.stem}.pt",
                       mime="application/octet-stream", width="stretch")
    if entry.pretrained:
        c3.button(_("Delete"), disabled=True, width="stretch", help=_("pretrained models cannot be deleted"))
    elif c3.button(_("Delete"), width="stretch"):
        shelf.delete(chosen)
        session.flash("success", _("Deleted {name}.").format(name=chosen))
        st.rerun()

st.subheader(_("Upload a checkpoint"))
st.caption(_("A ganlab checkpoint (.pt), at most {mb} MB. It is read with torch.load(weights_only=True) and checked "
             "against the model it describes; nothing in it is executed, and an existing checkpoint is never "
             "overwritten.").format(mb=MAX_BYTES // 2**20))
upload = st.file_uploader(_("Checkpoint file"), type=["pt"], key=K + "upload")
if upload is not None and st.session_state.get(K + "done") != upload.file_id:
    st.session_state[K + "done"] = upload.file_id
    try:
        saved = shelf.upload(upload.name, upload.getvalue())
        session.flash("success", _("Uploaded as {name}.").format(name=saved.name))
        st.rerun()
    except CheckpointError as err:
        st.session_state[K + "rejected"] = _("Rejected {name}: {err}").format(name=upload.name, err=reason(err))
if st.session_state.get(K + "rejected") and upload is not None:
    st.error(st.session_state[K + "rejected"])
