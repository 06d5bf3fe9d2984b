"""Sign-in, sessions, API tokens and the throttling of failed attempts."""
