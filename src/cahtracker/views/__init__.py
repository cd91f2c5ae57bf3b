"""The CLI's presentation: renderers by format (render.py), listings and records (listing.py),
how a table fits a width (layout.py), the plain-table fast path (plain_table.py), and views
with a shape of their own."""
