"""Training data and training code for the deletion-only sentence compressor."""
