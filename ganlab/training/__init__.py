"""Running a GAN: the trainer, its background thread, the bounded metrics store and the server's limits."""
