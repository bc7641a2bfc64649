"""Pretraining: the trainer, the methods and their losses, mixing, processes and checkpoints.

May import bench.core, domains/ and encoders/; never evaluation, results or the command line.
"""
