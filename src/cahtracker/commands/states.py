"""`cahtracker states`: the 193 member states and 2 observer states."""

from typing import Annotated

import typer

from cahtracker.commands.completion import complete_state
from cahtracker.commands.options import CahTyper, DocOption, FormatOption, GroupOption, examples
from cahtracker.invocation import get_names, get_store
from cahtracker.views.listing import OPTIONAL, Listing
from cahtracker.views.render import OutputFormat, render

app = CahTyper(
    epilog=examples(
        "cahtracker states list --group WEOG",
        'cahtracker states show "Ivory Coast"',
    ),
    help="UN member and observer states, their names and regional groups.",
    no_args_is_help=True,
)


@app.command(
    "list",
    epilog=examples(
        "cahtracker states list",
        "cahtracker states list --group GRULAC -f csv",
    ),
)
def list_command(
    ctx: typer.Context,
    group: GroupOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """List states, optionally of one regional group."""
    from cahtracker.states import group_counts, list_states, resolve_group

    resolved = resolve_group(group) if group else None
    rows = list_states(get_store(ctx), resolved)
    footer = [
        ", ".join(f"{g}: {n}" for g, n in group_counts(rows).items()) + f" — {len(rows)} states"
    ]
    listing = Listing(
        rows,
        [
            ("iso3", "ISO3"),
            ("name", "Name"),
            ("regional_group", "Regional group"),  # what the list is for: never left out
            ("status", "Status", OPTIONAL),
            ("admitted_on", "Admitted", OPTIONAL),
            ("un_vote_name", "Vote-record name", OPTIONAL),
        ],
        title="States" + (f" — {resolved}" if resolved else ""),
        footer=footer,
    )
    render(listing, fmt)


@app.command(
    "show",
    epilog=examples(
        "cahtracker states show CIV",
        'cahtracker states show "Côte d\'Ivoire" -f json',
    ),
)
def show_command(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            help="UN name, vote-record spelling, alias, or ISO2/ISO3 code.",
            autocompletion=complete_state,
        ),
    ],
    doc: DocOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """A state's page: names and codes, sponsorships, votes on the process's texts, stances,
    alignment with the sponsors, what it said last.

    The process is --doc's (default: the `docs use` document) with its revisions,
    amendments and resolution. Example: `cahtracker states show Mexico -f json`.
    """
    from cahtracker.state_page import state_page
    from cahtracker.views.state import StatePageView

    render(StatePageView(state_page(get_store(ctx), get_names(ctx), name, doc)), fmt)
