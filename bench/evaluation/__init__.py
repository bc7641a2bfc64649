"""Evaluating a frozen backbone: feature extraction, the linear probes and kNN.

May import bench.core, domains/ and encoders/; knows nothing of training or of result files.
"""
