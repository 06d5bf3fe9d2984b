"""The names of the counters the rollup consumer keeps (`analytics_counts.metric`,
`analytics_pairs.metric`, `analytics_hours.metric`)."""

from __future__ import annotations

from typing import Final

# Per department and day (`analytics_counts`). People are counted under their primary
# department as it was when the event was handled.
MESSAGES: Final = "messages"
# `messages.public`, `messages.dm` …: the messages by the kind of channel they were sent in.
MESSAGES_IN: Final = "messages."
# Messages answering someone of another department (a thread reply to them, or the next
# message after theirs in a channel within `REPLY_WINDOW`).
CROSS_MESSAGES: Final = "cross_messages"
MENTIONS_OUT: Final = "mentions_out"  # people of other departments @mentioned
MENTIONS_IN: Final = "mentions_in"  # @mentions received from other departments
FILES_UPLOADED: Final = "files_uploaded"
FILES_DOWNLOADED: Final = "files_downloaded"
SEARCHES: Final = "searches"
REACTIONS: Final = "reactions"
REQUESTS_FILED: Final = "requests_filed"  # by the receiving department
REQUESTS_SENT: Final = "requests_sent"  # by the requester's department
KUDOS_GIVEN: Final = "kudos_given"
KUDOS_RECEIVED: Final = "kudos_received"

# Between departments (`analytics_pairs`, from → to).
PAIR_MESSAGES: Final = "messages"
PAIR_MENTIONS: Final = "mentions"
PAIR_REQUESTS: Final = "requests"
PAIR_KUDOS: Final = "kudos"
# What weighs an edge of the collaboration network (dashboards and maturity reports alike).
NETWORK_PAIRS: Final = (PAIR_MESSAGES, PAIR_MENTIONS, PAIR_REQUESTS, PAIR_KUDOS)

# Company-wide per hour (`analytics_hours`).
HOUR_MESSAGES: Final = "messages"

# Department 0 holds the people who are in none.
NO_DEPARTMENT: Final = 0


def messages_in(channel_kind: str) -> str:
    return f"{MESSAGES_IN}{channel_kind}"
