"""Realtime delivery: the event log, the bus between nodes, the WebSocket hub.

Knows no domain: who may read a channel, and whose presence a person may learn, is
asked of an `AudienceResolver` that the messaging domain provides.
"""
