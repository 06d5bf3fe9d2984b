"""Surveys and votes (问卷与投票): questions of four kinds put to an audience (the company,
departments or a channel's members), answered once each, anonymously or by name, with
results for their creator; and quick polls posted into a channel as a live card."""
