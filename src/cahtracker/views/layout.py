"""How a table fits a width: which columns it shows and how wide each one is (no Rich here).

Each column has a kind (`Column.kind`, views/listing.py), which says what may happen to it:

- identifier (symbols, dates, state names, ISO3 codes, counts): never cut and never wrapped;
  the column is as wide as its widest cell (its header may wrap between words);
- text (sources, titles, quotes, notes): one line per row, shortened with "…" when the table
  is narrow (the whole text is in `show`, `--wide`, JSON and CSV);
- wrap (the values of a `show`): whole, wrapped onto as many lines as it needs;
- optional (low-value columns: precisions, regional groups, "inherited from"): whole, or
  left out when the table does not fit.

`fit` gives every column its natural width (its widest cell on one line) when that fits.
Otherwise it leaves out columns, optional ones first, then text and wrapped text (each kind
from the right), until the others fit with text at no less than TEXT_MIN cells, and shares
the room left among the text columns. When the identifiers alone are too wide, those with
spaces (state names) wrap between words, widest first, never inside a word; only if that
is not enough are identifiers left out (from the right; one column always stays). The renderer says in a footer which columns were left out. Both renderers (Rich on
a terminal, plain_table.py to a pipe) draw the table with these widths, so they print the
same characters; `width=None` (`--wide`) is no limit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

IDENTIFIER = "identifier"
TEXT = "text"
WRAP = "wrap"
OPTIONAL = "optional"
KINDS = (IDENTIFIER, TEXT, WRAP, OPTIONAL)

TEXT_MIN = 16  # a text column is shortened to no fewer cells than this, else left out
WRAP_MIN = 24
# box tables: one space each side of a cell and a border between and around the columns
BOXED = (3, 1)


class Fit:
    """The columns shown (indices, in order), the content width of each (padding
    excluded), and the columns left out to fit. (A plain class: a dataclass costs half a
    millisecond of start-up to define.)"""

    __slots__ = ("left_out", "shown", "widths")

    def __init__(self, shown: list[int], widths: list[int], left_out: list[int]) -> None:
        self.shown, self.widths, self.left_out = shown, widths, left_out

    def __repr__(self) -> str:
        return f"Fit(shown={self.shown}, widths={self.widths}, left_out={self.left_out})"

    def total(self, overhead: tuple[int, int] = BOXED) -> int:
        per_column, fixed = overhead
        return sum(self.widths) + per_column * len(self.widths) + fixed


def longest_word(text: str, measure: Callable[[str], int] = len) -> int:
    return max((measure(word) for word in text.split()), default=0)


def fit(
    kinds: Sequence[str],
    headers: Sequence[str],
    columns: Sequence[Sequence[str]],
    width: int | None,
    measure: Callable[[str], int] = len,
    overhead: tuple[int, int] = BOXED,
    title: str | None = None,
) -> Fit:
    """The columns shown and their widths for a table at most `width` cells wide.

    `columns` holds each column's cell texts; `measure` is the cell width of a text (len for
    plain text); `overhead` is (cells per column, fixed cells) of padding and borders; a
    title's longest word widens the table up to `width`. A table may still be wider than
    `width` when its first column alone, or its identifiers, cannot be narrower: they are
    never cut.
    """
    per_column, fixed = overhead
    natural: list[int] = []
    least: list[int] = []
    tight: list[int] = []  # the narrowest an identifier may be: its longest word
    for kind, header, cells in zip(kinds, headers, columns, strict=True):
        widest = max(map(measure, cells), default=0)
        head = measure(header)
        words = max(longest_word(header, measure), 1)
        whole = max(widest, head, 1)
        natural.append(whole)
        if kind == TEXT:  # one line, so the header must fit whole
            least.append(max(head, min(whole, TEXT_MIN), 1))
        elif kind == WRAP:
            least.append(max(words, min(whole, WRAP_MIN)))
        else:
            least.append(max(widest, words))
        tight.append(max([words, *(longest_word(c, measure) for c in cells)]))

    def needed(shown: list[int], widths: dict[int, int] | list[int]) -> int:
        return sum(widths[i] for i in shown) + per_column * len(shown) + fixed

    shown = list(range(len(kinds)))
    left_out: list[int] = []
    if width is None or needed(shown, natural) <= width:
        widths = dict(enumerate(natural))
    else:
        widths = {i: least[i] for i in shown}
        for i in _drop_order(kinds):
            if needed(shown, widths) <= width or len(shown) == 1:
                break
            if kinds[i] == IDENTIFIER and _squeeze(widths, tight, needed(shown, widths) - width):
                break
            shown.remove(i)
            left_out.append(i)
            del widths[i]
        spare = width - needed(shown, widths)
        for i in shown:  # whole headers before longer text
            if kinds[i] not in (TEXT, WRAP) and spare > 0 and widths[i] == least[i]:
                grow = min(spare, natural[i] - widths[i])
                widths[i] += grow
                spare -= grow
        _share(widths, [i for i in shown if kinds[i] in (TEXT, WRAP)], natural, spare)
    if title and shown:
        room = longest_word(title, measure)
        if width is not None:
            room = min(room, width)
        short = room - needed(shown, widths)
        if short > 0:
            texts = [i for i in shown if kinds[i] in (TEXT, WRAP)]
            widths[texts[0] if texts else shown[-1]] += short
    return Fit(shown, [widths[i] for i in shown], left_out)


def _squeeze(widths: dict[int, int], tight: list[int], excess: int) -> bool:
    """Narrow the widest columns whose cells have spaces (names: they wrap between words,
    never inside one) by `excess` cells in all, if they can give that much; else change
    nothing and return False."""
    room = {i: widths[i] - tight[i] for i in widths if widths[i] > tight[i]}
    if sum(room.values()) < excess:
        return False
    for _ in range(excess):
        i = max(room, key=lambda j: (widths[j] if room[j] else -1, -j))
        widths[i] -= 1
        room[i] -= 1
    return True


def _drop_order(kinds: Sequence[str]) -> list[int]:
    """The order columns are left out in: optional, text, wrap, identifier; each from the right."""
    order = []
    for kind in (OPTIONAL, TEXT, WRAP, IDENTIFIER):
        order += [i for i in reversed(range(len(kinds))) if kinds[i] == kind]
    return order


def _share(widths: dict[int, int], among: list[int], natural: list[int], spare: int) -> None:
    """Give `spare` cells to the columns `among`, in proportion to what each lacks."""
    wants = {i: natural[i] - widths[i] for i in among if natural[i] > widths[i]}
    total = sum(wants.values())
    if spare <= 0 or not total:
        return
    if spare >= total:
        for i, want in wants.items():
            widths[i] += want
        return
    given = {i: spare * want // total for i, want in wants.items()}
    left = spare - sum(given.values())
    for i in wants:  # the rest, one cell each, from the left
        if left and given[i] < wants[i]:
            given[i] += 1
            left -= 1
    for i, extra in given.items():
        widths[i] += extra


def column_options(kind: str) -> tuple[bool, str]:
    """Rich's `no_wrap` and `overflow` for a column of `kind` (plain_table.py does the same)."""
    if kind == TEXT:
        return True, "ellipsis"
    if kind == WRAP:
        return False, "fold"
    return False, "ellipsis"
