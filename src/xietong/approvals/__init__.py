"""Approvals: a subject of another domain (`request:12`, later announcements and documents)
goes through a flow of steps, each decided by its approvers (one, any of them, or all),
with co-approvers (加签), delegates while people are away, and an inbox of tasks. It knows
nothing of what it approves: the subject's domain starts it and hears how it ended."""
