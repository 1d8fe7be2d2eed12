"""The command line: ``tinygrad-fr`` (or ``python -m tinygrad_fr``).

``demo`` (the default) prints the course's numbers and writes the pictures of Alice's backward
pass; ``lab`` lists the course labs and ``lab NAME`` runs one. ``--help`` works everywhere;
a bad argument exits with status 2 and a one-line error.
"""

from __future__ import annotations

import argparse
import os
import sys

from . import demo, lab
from .parser import Parser

COMMANDS = ("demo", "lab")


def build_parser() -> Parser:
    """The ``tinygrad-fr`` parser and its commands."""
    parser = Parser(
        prog="tinygrad-fr",
        description="tinygrad_fr: autograd on NumPy with the French course's labs. Without a "
        "command, runs the demo.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    shown = commands.add_parser(
        "demo", help="the course's numbers and the backprop pictures", description=demo.__doc__
    )
    demo.add_arguments(shown)
    labs = commands.add_parser(
        "lab",
        help="list the course labs, or run one",
        description=lab.__doc__,
        epilog="Example: tinygrad-fr lab 3 --fast. `tinygrad-fr lab 3 --help` shows the lab's "
        "own options.",
    )
    labs.add_argument("name", nargs="?", help="the lab: its number (1-7) or name")
    labs.add_argument("args", nargs=argparse.REMAINDER, help="the lab's own options")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line on ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    try:
        return _run(list(sys.argv[1:] if argv is None else argv))
    except BrokenPipeError:  # `tinygrad-fr lab | head`: the reader left, which is fine
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _run(argv: list[str]) -> int:
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["demo", *argv]  # no command: the demo, with its options
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        try:
            return demo.run(args)
        except OSError as error:
            parser.error(f"cannot write into --out {args.out!r}: {error.strerror or error}")
    if args.name is None:
        print(lab.listing())
        return 0
    if lab.find(args.name) is None:
        parser.error(
            f"lab: unknown lab {args.name!r}; choose one of {', '.join(lab.names())} "
            "(or their numbers 1-7)"
        )
    return lab.run(args.name, args.args)
