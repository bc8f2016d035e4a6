"""The Ray backend: the pool's workers as named Ray actors that every server replica shares, and the lecture's registry."""
