"""The notification centre: one feed per person of what asks for their attention, produced
by an event-log consumer (`consumer.py`), never by calls sprinkled in other domains."""
