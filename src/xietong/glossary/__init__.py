"""The glossary (术语手册): each department's terms with their definition, aliases, English
name and examples, recognised wherever they appear in messages and shown with a card, and
announced to their followers when their owners change them."""
