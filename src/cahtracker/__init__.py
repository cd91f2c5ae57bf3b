"""cahtracker: who sponsors, votes for and speaks on the UN crimes-against-humanity treaty."""

__version__ = "0.1.0"
