"""Where runs train: a host of many runs per worker process (stepping same-shaped ones together), the pool of workers a server starts, and a run's handle to its worker."""
