"""The Ray backend: every run a Ray actor on a cluster, the lecture a named actor all server replicas share."""
