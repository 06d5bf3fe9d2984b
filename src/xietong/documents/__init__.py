"""Documents and knowledge: spaces (one per department, and shared ones) holding trees of
pages, with levels granted per space and per page, templates, favourites, recently viewed,
classification and freshness owners. The co-edited content of a page lives in its CRDT
document; the plain text and Markdown derived from it are kept on the page for search and
the API."""
