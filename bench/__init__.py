"""imix-bench: one trainer for contrastive learning with and without i-Mix, in any domain."""

__version__ = "0.1.0"
