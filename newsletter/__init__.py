"""Self-hosted production of curated email newsletters.

The packages follow the path an issue takes: ``content`` (what editors write), ``rendering``
(MJML to email HTML and text, once per issue), ``editorial`` (items and issues in the
database), ``subscribers`` (lists and people), ``sending`` (freezing recipients into batches
and dispatching them) and ``providers`` (where a message finally goes).
"""
