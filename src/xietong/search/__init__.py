"""Search: one index of what people wrote (messages now; documents and tasks later), with
Chinese-aware analysis, a small query language and permission-checked results."""
