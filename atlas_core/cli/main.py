"""The click group, global options and error handling: one line and an exit code."""

from __future__ import annotations

import contextlib
import gc
import io
import os
import sys

from atlas_core.errors import AtlasError, UsageError

# The console script imports this module before main() raises the collector's threshold:
# what it imports at the top (typing, click, signal...) would each be scanned by some 20
# collections on the way, so they are imported inside the functions.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    import click

__all__ = ["build_cli", "main"]

EXIT_ERROR = 1
EXIT_USAGE = 2


#: the commands besides ``commands.COMMANDS`` (index, query...), in help order, and where
#: they live: imported when used, so a query does not build them
LAZY_COMMANDS = (
    ("outline", "atlas_core.cli.explore:outline"),
    ("map", "atlas_core.cli.explore:map_"),
    ("related", "atlas_core.cli.explore:related"),
    ("inspect", "atlas_core.cli.info:inspect"),
    ("plugins", "atlas_core.cli.info:plugins"),
    ("describe", "atlas_core.cli.info:describe"),
    ("render", "atlas_core.cli.render:render"),
    ("hook", "atlas_core.cli.hook:hook"),
    ("config", "atlas_core.cli.config:config"),
)


def build_cli(manager: Any) -> click.Group:
    import click

    from atlas_core import __version__
    from atlas_core.cli import commands
    from atlas_core.cli.examples import EXAMPLES, add_examples, epilog
    from atlas_core.cli.lazy import LazyCommand, LazyCommands
    from atlas_core.cli.state import COLOR_MODES, AppState

    plugins = manager.versions_line()
    version = f"atlas {__version__}" + (f"\nplugins: {plugins}" if plugins else "")

    @click.group(context_settings={"help_option_names": ["-h", "--help"]})
    @click.option(
        "--root",
        envvar="ATLAS_ROOT",
        default=None,
        metavar="DIR",
        help="Repository root (default: current directory; env ATLAS_ROOT).",
    )
    @click.option(
        "--format",
        "fmt",
        default="auto",
        metavar="NAME",
        help="auto|jsonl|json|human|compact|context (auto: human on a terminal, else jsonl).",
    )
    @click.option("-q", "--quiet", is_flag=True, help="No messages on stderr.")
    @click.option("-v", "--verbose", count=True, help="Explain what happens (repeat for more).")
    @click.option(
        "--color",
        "color_mode",
        type=click.Choice(COLOR_MODES),
        default=None,
        help="ANSI colours: auto (on a terminal, unless NO_COLOR is set), always or never.",
    )
    @click.option("--no-color", is_flag=True, help="Same as --color never.")
    @click.option(
        "--disable-plugin",
        "disabled",
        multiple=True,
        metavar="NAME",
        help="Do not load this plugin (repeatable; as ATLAS_DISABLE_PLUGINS).",
    )
    @click.version_option(message=version)
    @click.pass_context
    def cli(
        ctx: click.Context,
        root: str | None,
        fmt: str,
        quiet: bool,
        verbose: int,
        color_mode: str | None,
        no_color: bool,
        disabled: tuple[str, ...],
    ) -> None:
        """Atlas ranks a repository's files for a task and returns the best ones in a budget.

        Shell completion: see the README (eval "$(_ATLAS_COMPLETE=bash_source atlas)").
        """
        ctx.obj = AppState(
            manager, root, fmt, quiet, verbose, no_color, color_mode=color_mode or "auto"
        )
        for warning in manager.warnings:
            ctx.obj.warn(warning)
        manager.on_warning = ctx.obj.warn

    # commands are imported when used (a query must not import ``atlas hook``'s subprocess)
    cli.commands = LazyCommands(cli.commands, on_load=lambda name, cmd: add_examples(cmd, name))
    for command in commands.COMMANDS:
        cli.add_command(command)
    for name, target in LAZY_COMMANDS:
        cli.add_command(LazyCommand(name, target, hidden=name == "hook"))
    from atlas_core.plugin.guard import call_hook

    try:
        call_hook(manager.hook, "atlas_add_commands", "adding commands", cli=cli)
    except AtlasError as exc:
        manager.warnings.append(str(exc))
    if cli.epilog is None and "" in EXAMPLES:
        cli.epilog = epilog(EXAMPLES[""])
    for name, command in dict.items(cli.commands):  # placeholders: when they are loaded
        if not isinstance(command, LazyCommand):
            add_examples(command, name)
    return cli


def _disabled_from_argv(argv: list[str]) -> list[str]:
    out = []
    for i, arg in enumerate(argv):
        if arg == "--disable-plugin" and i + 1 < len(argv):
            out.append(argv[i + 1])
        elif arg.startswith("--disable-plugin="):
            out.append(arg.split("=", 1)[1])
    return out


#: the cyclic collector's first threshold while a command runs (Python's default: 700)
_YOUNG_OBJECTS = 100_000


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``atlas`` console script (``argv``: the arguments, else
    ``sys.argv``; only then does the process end when it returns)."""
    # A command makes tens of thousands of objects that live until it ends (one record per
    # file, its modules) and almost no reference cycles: a cold index of the 28k-file
    # benchmark leaves about 3,000 objects in cycles. With the default threshold the
    # collector scanned them 70-180 times per run: 20 ms of a query, 55-90 ms of a
    # re-index. Long-lived commands (``atlas mcp``) set their own pace.
    previous = gc.get_threshold()
    gc.set_threshold(_YOUNG_OBJECTS, *previous[1:])
    if argv is None:
        _one_blas_thread()
        try:
            _interrupts_from_callbacks()
        except KeyboardInterrupt:  # a Ctrl-C a few milliseconds in: nothing ran yet
            print("atlas: interrupted", file=sys.stderr)
            _end_process(130)
            return 130  # where _end_process is replaced (tests)
    try:
        code = _main(argv)
    finally:
        if argv is None:
            # The process ends now, and Python's shutdown collects once more: over every
            # object the command made (about 30 ms of a 0.2 s query at 28k files). They
            # are all freed with the process; frozen, the collector skips them.
            gc.freeze()
            _quiet_shutdown()
        # a caller of main() in its own process gets its collector back as it was
        gc.set_threshold(*previous)
    if argv is None:
        _end_process(code)
    return code


def _one_blas_thread() -> None:
    """Numpy's BLAS runs on one thread in this process and the workers it starts, unless the
    user says otherwise.

    Atlas multiplies no matrices (a reranker's matrix-vector product at most), but OpenBLAS
    starts a thread per core as numpy is imported, with their buffers: some 20-60 ms of a
    0.2 s query, more on a busy machine, and memory in every index worker.
    """
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _interrupts_from_callbacks() -> None:
    """A Ctrl-C that lands inside a callback Python cannot raise from (an import's module-lock
    callback, a finalizer) is printed as "Exception ignored in ..." with a traceback, and
    the interrupt is lost. It is delivered again instead, a moment later, to the command."""
    import threading

    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if not issubclass(unraisable.exc_type, KeyboardInterrupt):
            previous(unraisable)
            return
        import _thread

        # from another thread, once this callback has returned: raised here, it would be
        # lost the same way
        threading.Timer(0.01, _thread.interrupt_main).start()

    sys.unraisablehook = hook


def _quiet_shutdown() -> None:
    """The command is done and the process ends: what is left is Python's own shutdown
    (joining threads). A Ctrl-C then would print a traceback from inside the interpreter
    ("Exception ignored in: <module 'threading'>"); it ends the process at once instead,
    as the signal's default action."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_DFL)


def _end_process(code: int) -> None:
    """End the process now, with ``code``, once what is written is flushed.

    Python's shutdown would first wait for every non-daemon thread, and a plugin's stray
    thread would keep ``atlas query`` (or the MCP server, its client gone) alive forever.
    Atlas registers no exit handlers; its descriptors, and with them the index lock, are
    closed by the kernel; the index workers are gone with their pool.
    """
    try:
        if sys.stdout is not None:  # None: started with the descriptor closed
            sys.stdout.flush()
    except BrokenPipeError:
        pass  # the reader left (``atlas ... | head``): not a failure
    except (OSError, ValueError):
        code = code or EXIT_ERROR
    if sys.stderr is not None:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
    os._exit(code)


class _OutputError(Exception):
    """Standard output could not be written (a full disk, a closed descriptor...)."""


class _Output:
    """``sys.stdout`` while a command runs: a write that fails raises :class:`_OutputError`
    (a broken pipe stays itself: ``atlas ... | head`` ends quietly). With no stream at all
    (Python's ``None`` when the descriptor was closed), any write fails. What a plugin
    prints while one of its components runs goes to stderr: stdout is the command's."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, text: str) -> Any:
        from atlas_core.plugin.guard import in_component_call

        if in_component_call():  # a plugin printing while it runs: not the command's output
            return sys.stderr.write(text) if sys.stderr is not None else len(text)
        if self.stream is None:
            raise _OutputError("standard output is closed")
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _OutputError(exc.strerror or str(exc)) from None

    def flush(self) -> None:
        if self.stream is None:
            return
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _OutputError(exc.strerror or str(exc)) from None

    def isatty(self) -> bool:
        return self.stream is not None and bool(self.stream.isatty())

    def __getattr__(self, name: str) -> Any:
        if self.stream is None:
            raise AttributeError(name)
        return getattr(self.stream, name)


class _Discard(io.TextIOBase):
    """``sys.stderr`` when the descriptor was closed (Python's ``None``): messages are
    dropped. With ``None``, ``print(file=sys.stderr)`` writes to stdout instead, into the
    command's output."""

    def write(self, text: str) -> int:
        return len(text)

    def isatty(self) -> bool:
        return False


def _cwd_exists() -> bool:
    try:
        os.getcwd()
    except FileNotFoundError:
        return False
    return True


def _main(argv: list[str] | None) -> int:
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout = _Output(stdout)  # type: ignore[assignment]
    if stderr is None:
        sys.stderr = _Discard()
    try:
        return _run(argv)
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _run(argv: list[str] | None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    raise_errors = bool(os.environ.get("ATLAS_RAISE_ERRORS"))
    try:
        import click
    except KeyboardInterrupt:
        print("atlas: interrupted", file=sys.stderr)
        return 130
    try:
        # imported inside the try: a Ctrl-C during start-up is "interrupted", not a traceback
        from atlas_core.plugin.manager import get_plugin_manager

        manager = get_plugin_manager(disable=_disabled_from_argv(args))
        cli = build_cli(manager)
        code = cli.main(args=args, prog_name="atlas", standalone_mode=False)
        sys.stdout.flush()  # a failure now is the command's, not Python's at exit
        return code if isinstance(code, int) else 0
    except click.exceptions.Exit as exc:
        sys.stdout.flush()  # --help, --version
        return int(exc.exit_code or 0)
    except click.exceptions.Abort:
        print("atlas: interrupted", file=sys.stderr)
        return 130
    except click.ClickException as exc:
        print(f"atlas: error: {exc.format_message()}", file=sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        print(f"atlas: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except _OutputError as exc:
        print(f"atlas: error: cannot write output: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except AtlasError as exc:
        if raise_errors:
            raise
        print(f"atlas: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("atlas: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    except MemoryError:
        if raise_errors:
            raise
        print(
            "atlas: error: out of memory (a limit such as ulimit -v, or very large files:"
            " [index] max_file_bytes sets how large a file is read)",
            file=sys.stderr,
        )
        return EXIT_ERROR
    except Exception as exc:
        if isinstance(exc, FileNotFoundError) and not _cwd_exists():
            print("atlas: error: the current directory no longer exists", file=sys.stderr)
            return EXIT_USAGE
        if raise_errors:
            raise
        print(
            f"atlas: internal error: {type(exc).__name__}: {exc} "
            "(rerun with ATLAS_RAISE_ERRORS=1 for a traceback)",
            file=sys.stderr,
        )
        return EXIT_ERROR
