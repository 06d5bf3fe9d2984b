"""Meetings: who meets when and where (once or as a series), the agenda, the minutes and the
action items taken from them, confirmed by the organiser into tasks.

Invitations are answered, reminders go out on the durable jobs, calendars read an .ics."""
