"""The classroom: one-click experiments and lecture mode's shared run."""
