"""Files on disk: self-describing checkpoints, written atomically and read as untrusted input."""
