"""SQLite's full-text index of `search_items` (FTS5 with external content), as migrations
create it: 0004 makes it, and a migration that rebuilds `search_items` (SQLite's way of
altering a table drops its triggers) makes the triggers again."""

# The FTS5 index reads its text from search_items.document (external content); these
# triggers keep it in step. A tokenizer of ASCII word characters plus "_" splits exactly
# at the spaces between the tokens our analyser writes (every non-ASCII character is a
# token character), so both databases index the same tokens.
SQLITE_FTS_TABLE = """CREATE VIRTUAL TABLE search_fts USING fts5(
    document, content='search_items', content_rowid='id',
    tokenize="ascii tokenchars '_'")"""

SQLITE_TRIGGERS = [
    """CREATE TRIGGER search_items_fts_insert AFTER INSERT ON search_items BEGIN
        INSERT INTO search_fts(rowid, document) VALUES (new.id, new.document);
    END""",
    """CREATE TRIGGER search_items_fts_delete AFTER DELETE ON search_items BEGIN
        INSERT INTO search_fts(search_fts, rowid, document)
        VALUES ('delete', old.id, old.document);
    END""",
    """CREATE TRIGGER search_items_fts_update AFTER UPDATE OF document ON search_items BEGIN
        INSERT INTO search_fts(search_fts, rowid, document)
        VALUES ('delete', old.id, old.document);
        INSERT INTO search_fts(rowid, document) VALUES (new.id, new.document);
    END""",
]

SQLITE_FTS = [SQLITE_FTS_TABLE, *SQLITE_TRIGGERS]
SQLITE_TRIGGER_NAMES = ('search_items_fts_insert', 'search_items_fts_delete',
                        'search_items_fts_update')
