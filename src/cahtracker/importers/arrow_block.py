"""A block of the unvotes CSV parsed by pyarrow's CSV reader (the optional `fast` extra).

The pure-Python reader (`unvotes_csv._block`) is the reference; this one is its fast path
for the blocks it can vouch for, and answers None for any other, which that reader then
reads (giving the same rows, or the refusal with its line):

- quoting: only whole quoted fields without a line break (`,"NA",` is Namibia's code), as
  R writes them; a quote anywhere else, or a line break inside quotes, is left to the
  reference reader;
- a row of the wrong width, text that is not UTF-8, a missing rcid or vote, a vote other
  than yes/no/abstain, a roll call not in roll_calls.csv: None.

A bare NA is a missing value and a quoted "NA" is text (`quoted_strings_can_be_null=False`):
the distinction R's files depend on, which the csv module cannot make. Every other field is
kept as written (no trimming), an empty field is the empty string and blank lines are
skipped, as the reference reader does; carriage returns are removed first, as it does.

Measured on the whole unvotes history (870,109 rows, 2026-12-01): its blocks read into
columns in 0.15 s, against 0.58 s for the reference reader's lists; the rest of the fast
path (states, masks, the rows for SQLite) is pyarrow compute, called once per block.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any


def block_reader() -> Callable | None:
    """The fast block reader, or None when pyarrow is not installed."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as csv
    except ImportError:
        return None
    if not hasattr(pc, "scatter"):  # pyarrow before 19 (the extra asks for 19 or later)
        return None

    from cahtracker.importers.unvotes_csv import CHOICES

    # the C library's allocator: it gives a block's memory back (pyarrow's default pool,
    # jemalloc or mimalloc, kept about 50 MB more at the peak of the whole history)
    pa.set_memory_pool(pa.system_memory_pool())
    parse_options = csv.ParseOptions(
        delimiter=",", quote_char='"', double_quote=True, escape_char=False
    )

    def read(data: bytes, width: int, where: list[int], calls: dict):
        """(calls, call_ids, pairs, pair_ids, choices, choice_ids) of the block's rows (a
        ColumnBlock's columns), or None (see the module)."""
        if b'"' in data and not _whole_quoted_fields(data):
            return None
        if b"\r" in data:
            data = data.replace(b"\r", b"")
        names = [f"c{i}" for i in range(width)]
        wanted = [names[i] for i in where]
        try:
            table = csv.read_csv(
                pa.py_buffer(data),
                read_options=csv.ReadOptions(
                    column_names=names, block_size=1 << 20, use_threads=False
                ),
                parse_options=parse_options,
                convert_options=csv.ConvertOptions(
                    include_columns=wanted,
                    column_types=dict.fromkeys(wanted, pa.string()),
                    null_values=["NA"],
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=False,
                ),
            )
        except (pa.ArrowException, ValueError):
            return None
        rcid, name, code, vote = (table.column(n).combine_chunks() for n in wanted)
        if not len(rcid) or rcid.null_count or vote.null_count:
            return None
        rcid, vote = rcid.dictionary_encode(), vote.dictionary_encode()
        rcid_values = rcid.dictionary.to_pylist()
        vote_values = vote.dictionary.to_pylist()
        if not all(r in calls for r in rcid_values) or not set(vote_values) <= CHOICES.keys():
            return None
        name, code = name.dictionary_encode(), code.dictionary_encode()
        name_values = [*name.dictionary.to_pylist(), None]  # the last: a missing value
        code_values = [*code.dictionary.to_pylist(), None]
        span = len(name_values)
        key = _combine(
            pc,
            pc.fill_null(code.indices, len(code_values) - 1),
            span,
            pc.fill_null(name.indices, span - 1),
        ).dictionary_encode()
        pairs = [
            (code_values[k // span], name_values[k % span]) for k in key.dictionary.to_pylist()
        ]
        order = pc.sort_indices(rcid.indices)  # stable: a roll call's rows together
        return (
            rcid_values,
            rcid.indices.take(order),
            pairs,
            key.indices.take(order),
            [CHOICES[v] for v in vote_values],
            vote.indices.take(order),
        )

    return read


def _whole_quoted_fields(data: bytes) -> bool:
    """Is every quote of `data` the start or end of a whole quoted field on one line
    (`"..."` between commas or line ends, with no quote or line break inside)?"""
    end = len(data)
    at = data.find(b'"')
    while at >= 0:
        close = data.find(b'"', at + 1)
        if close < 0 or data.find(b"\n", at, close) >= 0:
            return False
        if at and data[at - 1] not in b",\n":
            return False
        if close + 1 < end and data[close + 1] not in b",\n":
            return False
        at = data.find(b'"', close + 1)
    return True


def _combine(pc, a, scale: int, b):
    """a * scale + b, row by row, in 64 bits (a key of two columns)."""
    return pc.add(pc.multiply(a.cast("int64"), scale), b.cast("int64"))


# ---------------------------------------------------------------- the writer's side


class Columns:
    """What the writer does to a ColumnBlock's arrays, at C speed (pyarrow compute)."""

    def __init__(self) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        self.pa, self.pc = pa, pc

    def take(self, values: list[int], ids):
        """`values[ids[i]]` for each row."""
        return self.pa.array(values, self.pa.int64()).take(ids)

    def rows_where(self, column, value: int, *others) -> list[tuple]:
        """The distinct tuples (others[0][i], others[1][i], ...) of the rows where
        column[i] == value, with their number of rows: [((a, b, ...), n), ...]."""
        pc = self.pc
        chosen = pc.equal(column, value)
        picked = [pc.filter(other, chosen).to_pylist() for other in others]
        return list(Counter(zip(*picked, strict=True)).items())

    def replace_where(self, column, value: int, keys, mapping: dict) -> Any:
        """`column` with each row equal to `value` replaced by mapping[keys[i]]."""
        pc, pa = self.pc, self.pa
        chosen = pc.equal(column, value)
        new = [mapping[k] for k in pc.filter(keys, chosen).to_pylist()]
        return pc.replace_with_mask(column, chosen, pa.array(new, column.type))

    def combine(self, a, scale: int, b):
        """a * scale + b, row by row (for keys of two columns)."""
        return _combine(self.pc, a, scale, b)

    def masks(self, group_ids, bits, groups: int, width: int) -> list[tuple[int, int]]:
        """For each group g < `groups`: (the int with bit bits[i] set for each row i of the
        group, the group's number of rows). `bits` are below `width`, a multiple of 8.

        The rows' positions g * width + bits[i] are scattered into one array of `groups` *
        `width` values, whose validity bitmap then holds every group's mask in `width` // 8
        bytes, lowest bit first (a position given twice is marked once: the caller compares
        each mask's bits with its number of rows)."""
        pa, pc = self.pa, self.pc
        size = groups * width
        positions = self.combine(group_ids, width, bits)
        marked = pc.scatter(pa.repeat(True, len(positions)), positions, max_index=size - 1)
        validity = marked.buffers()[0]
        bitmap = validity.to_pybytes() if validity is not None else b"\xff" * (size // 8)
        counts = [0] * groups
        tally = pc.value_counts(group_ids)
        for value, n in zip(
            tally.field("values").to_pylist(), tally.field("counts").to_pylist(), strict=True
        ):
            counts[value] = n
        step = width // 8
        return [
            (int.from_bytes(bitmap[g * step : (g + 1) * step], "little"), counts[g])
            for g in range(groups)
        ]

    def encode_ballots(self, vote_ids, states, choices) -> str:
        """Rows as the JSON array that writer._JSON_BALLOTS inserts: vote id * 2048 + state
        * 8 + choice each, sorted (the ballots table's order: by vote, then state)."""
        pa, pc = self.pa, self.pc
        values = self.combine(self.combine(vote_ids, 256, states), 8, choices)
        values = values.take(pc.array_sort_indices(values))
        text = pc.cast(values, pa.string())
        joined = pc.binary_join(
            pa.ListArray.from_arrays(pa.array([0, len(text)], pa.int32()), text), ","
        )
        return "[" + joined[0].as_py() + "]"

    def encode_masks(self, vote_ids: list[int], masks: list[int], width: int) -> tuple[str, int]:
        """Ballots given as masks (bit choice * 256 + state, `width` bits a vote) as
        encode_ballots writes them, with their number."""
        pa, pc = self.pa, self.pc
        step = width // 8
        bitmap = b"".join(mask.to_bytes(step, "little") for mask in masks)
        marked = pa.BooleanArray.from_buffers(
            pa.bool_(), len(masks) * width, [None, pa.py_buffer(bitmap)]
        )
        positions = pc.indices_nonzero(marked).cast(pa.int64())
        if not len(positions):
            return "[]", 0
        vote = pc.divide(positions, width)  # integer division: both are integers
        within = pc.subtract(positions, pc.multiply(vote, width))
        votes = self.take(vote_ids, vote)
        states = pc.bit_wise_and(within, 255)
        choices = pc.shift_right(within, 8)
        return self.encode_ballots(votes, states, choices), len(positions)
