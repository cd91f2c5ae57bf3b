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

Measured on the whole unvotes history (870,109 rows): the rows of a 4 MB block in columns in
about a tenth of the reference reader's time (benchmarks/unvotes_full.py).
"""

from __future__ import annotations

from collections.abc import Callable


def block_reader() -> Callable | None:
    """The fast block reader, or None when pyarrow is not installed."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as csv
    except ImportError:
        return None

    from cahtracker.importers.unvotes_csv import CHOICES

    parse_options = csv.ParseOptions(
        delimiter=",", quote_char='"', double_quote=True, escape_char=False
    )
    int64 = pa.int64()

    def read(data: bytes, width: int, where: list[int], calls: dict):
        """(rcids, pairs, pair_ids, choices) of the block's rows, or None (see the module)."""
        if b'"' in data and not _whole_quoted_fields(data):
            return None
        if b"\r" in data:
            data = data.replace(b"\r", b"")
        names = [f"c{i}" for i in range(width)]
        wanted = [names[i] for i in where]
        try:
            table = csv.read_csv(
                pa.py_buffer(data),
                read_options=csv.ReadOptions(column_names=names, block_size=1 << 20),
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
        key = pc.add(
            pc.multiply(pc.fill_null(code.indices, len(code_values) - 1).cast(int64), span),
            pc.fill_null(name.indices, span - 1).cast(int64),
        ).dictionary_encode()
        pairs = [
            (code_values[k // span], name_values[k % span]) for k in key.dictionary.to_pylist()
        ]
        choice_values = [CHOICES[v] for v in vote_values]
        # the rows of each roll call together (a stable sort: in the file's order within
        # one), so that the writer takes a vote's rows as one group
        order = pc.sort_indices(rcid.indices)
        return (
            list(map(rcid_values.__getitem__, rcid.indices.take(order).to_pylist())),
            pairs,
            key.indices.take(order).to_pylist(),
            list(map(choice_values.__getitem__, vote.indices.take(order).to_pylist())),
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
