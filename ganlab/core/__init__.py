"""The maths: networks, GAN losses as functions of logits, and the training step."""
