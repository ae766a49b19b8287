"""The package version, in a leaf module any layer may read."""

__version__ = "0.1.0.dev0"
