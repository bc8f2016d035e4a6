"""The errors a person can act on, in one light module (no torch), so that any caller can catch them cheaply.

Each is raised with a message that says what went wrong and what to do; the modules that raise them
re-export them (``ganlab.persist.checkpoint.CheckpointError`` and so on)."""


class CheckpointError(ValueError):
    """A file is not a usable ganlab checkpoint; the message says why."""


class DatasetUnavailable(RuntimeError):
    """The files are missing and could not be downloaded; the message says where to put them."""


class UploadError(ValueError):
    """An upload that cannot become a dataset; the message says why and what to do."""
