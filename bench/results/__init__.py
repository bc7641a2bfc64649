"""What happens to a finished run: its record, how records group into arms and comparisons,
the paired statistics, and the tables, figures and report made from them.

May import bench.core and bench.training (method names for labels); never evaluation's
internals or the command line.
"""
