"""Meetings: minutes, their action items and the tasks proposed from them."""
