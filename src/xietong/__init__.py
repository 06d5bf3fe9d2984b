"""Xietong (协同): self-hosted cross-department collaboration server."""

__version__ = "0.1.0"
