"""Foundations every domain builds on. Imports nothing else of xietong."""
