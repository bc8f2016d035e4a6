"""Running a GAN: the trainer, a run's driver (its controls and bookkeeping) and its own thread, the Run interface pages use, the bounded metrics store."""
