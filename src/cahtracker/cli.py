"""The root command: global options, the sub-apps, and the one place errors become messages."""

import sqlite3
from pathlib import Path
from typing import Annotated

import typer
from typer._click.exceptions import ClickException  # Typer 0.28 vendors Click: its class

from cahtracker import __version__
from cahtracker.commands.options import ResolvedHelpGroup, examples
from cahtracker.errors import CahError
from cahtracker.invocation import app_state
from cahtracker.safe_text import (
    SQLITE_INT_MAX,
    SQLITE_INT_MIN,
    for_terminal_line,
    shorten_runs,
)
from cahtracker.views.render import OutputError, error_line, flush_stdout, guard_stdout

INTERRUPTED = "Interrupted; nothing was written."
INTERRUPTED_EXIT = 130  # 128 + SIGINT, as shells report it


def sqlite_error_message(error: sqlite3.Error) -> str:
    text = str(error)
    if "locked" in text or "busy" in text:
        return (
            "The database is busy with another cahtracker command; try again when it has finished."
        )
    if "readonly" in text or "read-only" in text:
        return "The database is read-only; use a writable file (--db) or fix its permissions."
    if "disk is full" in text or "database or disk is full" in text:
        return "The disk (or the database's size limit) is full; nothing was written. Free space and try again."
    if "not a database" in text or "malformed" in text:
        return (
            f"The database file is damaged ({text}); run `cahtracker db check` or restore a backup."
        )
    if isinstance(error, sqlite3.IntegrityError) and "UNIQUE" in text:
        # two commands wrote the same record at once, and this one came second
        return (
            f"Another command wrote the same record at the same time ({text}); nothing was "
            "written. Run the command again to see what is there now."
        )
    return f"Database error: {text}. Nothing was written."


def edge_error_message(error: BaseException) -> str | None:
    """The one line for an error of the machine rather than of the data, else None."""
    if isinstance(error, OverflowError):
        return (
            f"A number is too large ({error}); numbers must be between {SQLITE_INT_MIN} and "
            f"{SQLITE_INT_MAX} (SQLite's integer range). Nothing was written."
        )
    if isinstance(error, MemoryError):
        return "Out of memory (an input too large to hold); nothing was written."
    if isinstance(error, UnicodeError):
        reason = getattr(error, "reason", None) or str(error)
        return f"Text that is not valid Unicode ({reason}); give UTF-8 text. Nothing was written."
    return None


# options of the root command that may also be given after the subcommand
GLOBAL_FLAGS = ("--wide",)
GLOBAL_VALUES = ("--db", "--who")


class GivenTwice(Exception):
    """A global option that takes a value given twice (`--db a.db ... --db b.db`)."""


WHY_ONCE = {
    "--db": "a command uses one database file",
    "--who": "a command is recorded under one name",
}


def _option(command, name: str):
    """The option of `command` called `name` (a long or short name, `--no-x` too), or None."""
    for param in getattr(command, "params", ()):
        if name in getattr(param, "opts", ()) or name in getattr(param, "secondary_opts", ()):
            return param if param.param_type_name == "option" else None
    return None


def _takes(param) -> int:
    """How many tokens an option's value is (0 for a flag)."""
    return 0 if param.is_flag or param.count else max(param.nargs, 1)


def values_after(command, token: str) -> int:
    """How many of the tokens after `token` are its value, for an option of `command`:
    `--source X` 1, `--source=X` 0, `-d X` 1, `-dX` 0, a flag or an unknown option 0."""
    if command is None:
        return 0
    if token.startswith("--"):
        name, eq, _ = token.partition("=")
        param = _option(command, name)
        return 0 if param is None or eq else _takes(param)
    for at in range(1, len(token)):  # -d X, -dX, and flags clustered before one: -uvdX
        param = _option(command, f"-{token[at]}")
        if param is None:
            return 0
        if _takes(param):
            return 0 if at + 1 < len(token) else _takes(param)
    return 0


def _subcommand(command, word: str, ctx):
    """The command a group's word names, or None (not a group, or no such command)."""
    get = getattr(command, "get_command", None)
    return get(ctx, word) if get is not None else None


def hoist_global_options(
    args: list[str], root=None, ctx=None, refuse_twice: bool = True
) -> list[str]:
    """The command line with the global options (`--db PATH`, `--who NAME`, `--wide`) moved to
    the front, wherever they were given (`cahtracker sponsors list --db x.db`); `--` ends the
    search.

    The words walk `root`'s command tree (the group, then its command), so a token that is
    the value of an option before it stays where it is: in `--source --db`, `--db` is the
    source. A command's own option of the same name would be its own. Without `root` (or
    past a word it does not know) every global option's name is taken. A second `--db` (or
    `--who`) raises GivenTwice unless `refuse_twice` is false."""
    front: list[str] = []
    rest: list[str] = []
    given: dict[str, list[str]] = {}  # the values of each of GLOBAL_VALUES
    command = root
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        own = command is not root and _option(command, name) is not None
        if arg == "--":
            rest += args[i:]
            break
        if not own and arg in GLOBAL_FLAGS:
            front.append(arg)
        elif not own and name in GLOBAL_VALUES and eq:
            front.append(arg)
            given.setdefault(name, []).append(value)
        elif not own and arg in GLOBAL_VALUES and i + 1 < len(args):
            front += args[i : i + 2]
            given.setdefault(arg, []).append(args[i + 1])
            i += 1
        elif arg.startswith("-") and arg != "-":
            taken = values_after(command, arg)
            rest += args[i : i + 1 + taken]
            i += taken
        else:
            rest.append(arg)
            if command is not None and hasattr(command, "commands"):
                command = _subcommand(command, arg, ctx)  # None: a word it does not know
        i += 1
    for name, values in given.items():
        if refuse_twice and len(values) > 1:
            raise GivenTwice(
                f"{name} given twice: {values[0]} and {values[1]}; give it once "
                f"({WHY_ONCE.get(name, 'one value')})."
            )
    return front + rest


class CahGroup(ResolvedHelpGroup):
    """The root command: global options anywhere on the line, and the one error boundary:
    a CahError, a SQLite refusal, an integer SQLite cannot hold, no memory, bad Unicode or
    Ctrl-C anywhere below becomes one line and an exit code. Click's own usage errors keep
    their frame, with the user's text in them made inert."""

    def parse_args(self, ctx, args):
        try:
            # completion (resilient parsing) takes the last --db, as Click would
            args = hoist_global_options(args, self, ctx, not ctx.resilient_parsing)
        except GivenTwice as error:
            error_line(str(error))
            raise typer.Exit(2) from None
        return super().parse_args(ctx, args)

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except ClickException as error:
            raise _inert(error) from None

    def invoke(self, ctx):
        _placed_clear()  # one command's files (tests run many in one process)
        try:
            result = self._invoke_with_messages(ctx)
        except OutputError as error:
            raise typer.Exit(output_failed(error, _wrote(ctx))) from None
        except typer.Exit:
            _flush_output(ctx)
            raise
        _flush_output(ctx)  # inside the boundary: a full disk is told here, not at exit
        return result

    def _invoke_with_messages(self, ctx):
        try:
            return super().invoke(ctx)
        except CahError as error:
            error_line(str(error))
            raise typer.Exit(error.exit_code) from None
        except sqlite3.Error as error:
            error_line(sqlite_error_message(error))
            raise typer.Exit(1) from None
        except (OverflowError, MemoryError, UnicodeError) as error:
            error_line(edge_error_message(error))
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            interrupted(wrote=_wrote(ctx))
            raise typer.Exit(INTERRUPTED_EXIT) from None
        except ClickException as error:
            raise _inert(error) from None


def _wrote(ctx) -> bool:
    """Whether this command's write had committed."""
    store = app_state(ctx).store
    return store is not None and store.wrote


def _flush_output(ctx) -> None:
    try:
        flush_stdout()
    except OutputError as error:
        raise typer.Exit(output_failed(error, _wrote(ctx))) from None


BROKEN_PIPE_EXIT = 141  # 128 + SIGPIPE, as shells report a writer whose reader went away
STDOUT_CLOSED = "could not write the output (standard output is closed); nothing was written."


def output_failed(error: OutputError, wrote: bool) -> int:
    """Say that stdout could not be written and whether the command's changes were, and
    return the exit code. A reader that went away (`| head`) is no error to tell unless a
    write committed. stdout is then pointed at /dev/null, so that what it still holds
    cannot fail again when the interpreter flushes it at exit."""
    import errno

    broken_pipe = error.error.errno == errno.EPIPE
    placed = _placed()
    if wrote:
        done = "the command's changes were written"
    elif placed:  # an export, a backup, a publish: its file is there
        done = f"{placed[-1]} was written"
    else:
        done = "nothing was written"
    if wrote or placed or not broken_pipe:
        error_line(f"could not write the output ({error}); {done}.")
    _discard_stdout()
    return BROKEN_PIPE_EXIT if broken_pipe else 1


def _placed_clear() -> None:
    import sys

    outputs = sys.modules.get("cahtracker.outputs")
    if outputs is not None:
        outputs.PLACED.clear()


def _placed() -> list:
    """The files this command put in place (outputs.PLACED; never imported for this)."""
    import sys

    return list(getattr(sys.modules.get("cahtracker.outputs"), "PLACED", ()))


def _discard_stdout() -> None:
    import os
    import sys

    try:
        fd = sys.stdout.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
    except (AttributeError, OSError, ValueError):  # no file behind it (tests): nothing to do
        return
    os.dup2(null, fd)
    os.close(null)


def _inert(error: ClickException) -> ClickException:
    error.message = for_terminal_line(shorten_runs(error.message))
    return error


def interrupted(wrote: bool = False) -> None:
    """What Ctrl-C prints: every write is one transaction, rolled back when interrupted
    (`wrote`: the command's write had committed before the interrupt)."""
    import sys

    if wrote:
        text = "Interrupted after the command's changes were written; see `cahtracker db log`."
    else:
        text = INTERRUPTED
    sys.stderr.write(f"{text}\n")
    sys.stderr.flush()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cahtracker {__version__}")
        raise typer.Exit()


def root(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            help="Database file (default: {db}). May also follow the command.",
        ),
    ] = None,
    who: Annotated[
        str | None,
        typer.Option(
            "--who",
            help="Who is writing (a coalition member's name): recorded with every row written "
            "and in the change log (default: {who}). May also follow the command.",
        ),
    ] = None,
    wide: Annotated[
        bool,
        typer.Option(
            "--wide",
            help="Tables at full width: every column, nothing shortened (default: fit the "
            "terminal, here {width} columns). May also follow the command.",
        ),
    ] = False,
    version: Annotated[
        bool | None,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = None,
) -> None:
    from cahtracker.views.render import set_wide

    app_state(ctx).db_option = db
    app_state(ctx).who_option = who
    set_wide(wide)
    if ctx.invoked_subcommand is None and not ctx.resilient_parsing:
        from cahtracker.commands.report import tally_command  # bare `cahtracker`: the dashboard

        tally_command(ctx, None, None)


# command group -> module in cahtracker.commands that defines its `app`
GROUPS = {
    "db": "db",
    "states": "states",
    "docs": "docs",
    "sponsors": "sponsors",
    "vote": "vote",
    "position": "position",
    "timeline": "timeline",
    "analyze": "analyze",
    "report": "report",
}
# single commands at the top level -> module in cahtracker.commands whose `register(app)` adds it
COMMANDS = {
    "publish": "publish",
}


def build_app(only: str | None = None) -> typer.Typer:
    """The root app with every command group, or with only the one being run.

    Typer builds the Click command of every registered command before it runs one (about
    2 ms each here); `main()` registers just the invoked group, so start-up does not grow
    with the number of commands.
    """
    import importlib

    root_app = typer.Typer(
        cls=CahGroup,
        name="cahtracker",
        help="Track the UN crimes-against-humanity treaty: sponsors, votes, positions, timeline. "
        "Without a command: the dashboard of the default document (as `report tally`).",
        epilog=examples("cahtracker", "cahtracker --db other.db sponsors list --wide"),
        invoke_without_command=True,
        no_args_is_help=False,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    root_app.callback()(root)
    for name, module in GROUPS.items():
        if only is None or name == only:
            root_app.add_typer(
                importlib.import_module(f"cahtracker.commands.{module}").app, name=name
            )
    for name, module in COMMANDS.items():
        if only is None or name == only:
            importlib.import_module(f"cahtracker.commands.{module}").register(root_app)
    return root_app


def __getattr__(name: str):
    """`cli.app`, the app with every group, is built on first use (tests, completion, --help)."""
    if name == "app":
        globals()["app"] = built = build_app()
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def invoked_group(argv: list[str]) -> str | None:
    """The command group named on the command line, if plain to see (else None: build them
    all); `report` for a bare `cahtracker` (its dashboard)."""
    args = iter(argv)
    for arg in args:
        if arg in GLOBAL_VALUES:
            next(args, None)
        elif arg in GLOBAL_FLAGS or arg.startswith(tuple(f"{v}=" for v in GLOBAL_VALUES)):
            continue
        elif arg.startswith("-"):
            return None  # --help, --version: the full app decides
        else:
            return arg if arg in GROUPS or arg in COMMANDS else None
    return "report"


def undecodable_argument(argv: list[str]) -> str | None:
    """The one line for the first argument that is not valid UTF-8, else None.

    Python hands bytes that do not decode as lone surrogates (PEP 383); stored, they would
    fail at every later read, so they are refused here, before any command runs.
    """
    import os
    import re

    for n, arg in enumerate(argv, 1):
        if re.search("[\ud800-\udfff]", arg):
            shown = repr(os.fsencode(arg)) if os.name != "nt" else repr(arg)
            return f"Argument {n} is not valid UTF-8 text ({shown}); give it in UTF-8."
    return None


def _streams_never_fail() -> None:
    """A stdout or stderr that cannot encode every character (PYTHONIOENCODING=ascii, a
    Latin-1 terminal) shows a replacement character instead of failing mid-output."""
    import sys

    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("_", "-")
        if encoding not in ("utf-8", "utf8") and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def _terminal_size_checked() -> None:
    """COLUMNS and LINES that are not plain ASCII numbers are ignored: Rich and Click read
    them with str.isdigit(), true for '²', then int() fails."""
    import os

    for name in ("COLUMNS", "LINES"):
        value = os.environ.get(name)
        if value is not None and not (value.isascii() and value.isdigit()):
            del os.environ[name]


def _interrupt_once() -> None:
    """Ctrl-C raises KeyboardInterrupt once; a second or third while the command rolls back
    and exits is ignored, wherever it lands (in a cleanup, a flush, the handler of the first:
    each once printed a traceback). Left alone if SIGINT is ignored already (a background job)."""
    import signal

    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return

    def first(signum, frame):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, first)


def main() -> None:
    import os
    import sys

    _interrupt_once()
    try:
        if sys.stdout is None:  # fd 1 closed (`>&-`): refused before anything is opened
            error_line(STDOUT_CLOSED)
            sys.exit(1)
        _streams_never_fail()
        guard_stdout()
        _terminal_size_checked()
        bad = undecodable_argument(sys.argv[1:])
        if bad:
            error_line(bad)
            sys.exit(2)
        completing = any(key.startswith("_CAHTRACKER_COMPLETE") for key in os.environ)
        group = None if completing else invoked_group(sys.argv[1:])
        build_app(group)(prog_name="cahtracker")
        code = 0
    except SystemExit as done:
        code = done.code
    except KeyboardInterrupt:  # before or after a command (during start-up, say)
        interrupted()
        code = INTERRUPTED_EXIT
    except OutputError as error:  # help, --version, completion: no command ran
        code = output_failed(error, wrote=False)
    try:
        flush_stdout()  # what was printed outside a command (help, usage errors)
    except OutputError as error:
        code = output_failed(error, wrote=False)
    sys.exit(code)
