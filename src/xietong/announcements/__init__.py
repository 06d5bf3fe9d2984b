"""Announcements (公告): drafts addressed to the company, departments or announcement channels,
reviewed on the approvals engine, published on time (posted and pinned in the audience's
announcement channels, in the notification centre), hidden once expired, with read and
acknowledgement tracking per department for their publisher."""
