"""The Train page's "Your own data" panel: import a CSV of points or a zip of images as user:NAME."""

from __future__ import annotations

import streamlit as st

from ganlab.data.user_data import LIMITS, UploadError, import_file, list_datasets
from ui import session
from ui.i18n import _, reason


def panel(data_dir: str) -> str | None:
    """The upload form; returns the new dataset's name (``user:NAME``) once one is imported."""
    key = session.Keys.setting("upload")
    with st.expander(_("Your own data")):
        st.caption(_("A CSV of 1-D or 2-D points (one or two numeric columns, an optional header), or a zip of "
                     "PNG/JPEG images, one folder per class (the folders' names are the classes). At most {mb} MB and "
                     "{images:,} images; images become 28x28 grey, or 32x32 colour for the convolutional models. "
                     "Nothing existing is overwritten.").format(mb=LIMITS.upload_bytes // 2**20, images=LIMITS.images))
        upload = st.file_uploader(_("File"), type=["csv", "zip"], key=key + "_file")
        name = st.text_input(_("Name"), key=key + "_name", placeholder=upload.name.rsplit(".", 1)[0][:40] if upload else "",
                             help=_("letters, digits, '_' and '-'; the dataset is then user:NAME"))
        colour = st.toggle(_("Keep colour (3x32x32)"), value=False, key=key + "_colour")
        if upload is not None and st.button(_("Import"), key=key + "_go", width="stretch"):
            try:
                stem = upload.name.rsplit(".", 1)[0][:40]  # the field keeps what was typed before the upload
                result = import_file(upload.name, upload.getvalue(), name.strip() or stem, data_dir, colour=colour)
                st.success(_(result.message))
                return f"user:{result.name}"
            except UploadError as err:
                st.error(_("Not imported: {err}").format(err=reason(err)))
        existing = list_datasets(data_dir)
        if existing:
            kinds = {"points": _("points"), "images": _("images")}
            st.caption(_("Imported: {datasets}").format(
                datasets=", ".join(f"user:{m['name']} ({m['count']:,} {kinds.get(m['kind'], m['kind'])})"
                                   for m in existing)))
    return None
