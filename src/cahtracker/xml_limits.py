"""MARCXML read within bounds, for both readers of it: the voting records
(importers/undl_xml.py) and the drafts' sponsor lists (sponsor_docs/marcxml.py).

Plain functions over defusedxml (imported on first use: only these paths read XML).
"""

from __future__ import annotations

MAX_DEPTH = 16  # MARCXML is 4 deep: collection, record, datafield, subfield


class TooDeep(Exception):
    """An element nested deeper than MAX_DEPTH: the reader refuses the file."""


def local_name(tag: str) -> str:
    """An element's name without its namespace: both namespace forms read alike."""
    return tag.rsplit("}", 1)[-1]


def depth_limited_parser(**options):
    """A defusedxml parser (`options` as DefusedXMLParser takes them) whose tree builder
    raises TooDeep at the first element deeper than MAX_DEPTH. The check runs inside the
    parse, so a 4 MB feed of nested tags stops at once instead of building a million
    elements first (a depth counted in an iterparse loop sees them only afterwards)."""
    from xml.etree.ElementTree import TreeBuilder

    from defusedxml.ElementTree import DefusedXMLParser

    class Builder(TreeBuilder):
        depth = 0

        def start(self, tag, attrs):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise TooDeep
            return super().start(tag, attrs)

        def end(self, tag):
            self.depth -= 1
            return super().end(tag)

    return DefusedXMLParser(target=Builder(), **options)
