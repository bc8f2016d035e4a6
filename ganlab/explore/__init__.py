"""Looking inside a generator: sampling, latent paths, class grids and the lab view's layers."""
