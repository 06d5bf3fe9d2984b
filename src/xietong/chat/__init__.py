"""Messaging: channels, direct messages, messages, threads, reactions, read state."""
