"""Speed measurements: the trainer against reference training loops (the PyTorch tutorial's, a bare CUDA graph), and time to quality."""
