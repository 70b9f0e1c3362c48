"""n11-desktop: run an N11 marketplace integration from one workstation."""

__version__ = "0.1.0"
