"""Command line of the lesson's helpers: ``python -m santa_lib COMMAND``.

- ``check-data DIR``: every problem of a data folder at once, with what to do;
- ``weights install FILE`` / ``weights where``: ImageNet weights on an offline machine;
- ``photos get [DEST]``: the 2022 lesson's photos, downloaded and verified;
- ``split SRC DEST``: a folder of class folders made into train / validation / test.
"""

from __future__ import annotations

import argparse
import sys

from santa_lib.sources import photos, splitting


def _add_weights_command(commands) -> None:
    weights = commands.add_parser("weights", help="ImageNet weights for VGG19 on this machine")
    actions = weights.add_subparsers(dest="action", required=True)
    install = actions.add_parser("install", help="check a downloaded no-top weights file and "
                                                 "put it where Keras looks for it")
    install.add_argument("file")
    actions.add_parser("where", help="print where Keras looks for the weights file")


def _run_check_data(args: argparse.Namespace) -> int:
    from santa_lib.sources.checks import check_data

    report = check_data(args.data_dir)
    print(report)
    return 0 if report.usable else 1


def _run_weights(args: argparse.Namespace) -> int:
    from santa_lib.sources.imagenet import WeightsError, cached_weights_path, install_weights

    if args.action == "where":
        path = cached_weights_path()
        print(f"{path} ({'present' if path.is_file() else 'absent'})")
        return 0
    try:
        installed = install_weights(args.file)
    except WeightsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"Installed {installed}: the lesson's weights='auto' and 'imagenet' now use it.")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit status is 0 on success, 1 when the input is unusable."""
    parser = argparse.ArgumentParser(prog="python -m santa_lib", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check-data", help="report every problem of a data folder")
    check.add_argument("data_dir", help="folder holding train/, validation/ and test/")
    _add_weights_command(commands)
    photos.add_command(commands)
    splitting.add_command(commands)
    args = parser.parse_args(argv)
    run = {"check-data": _run_check_data, "weights": _run_weights,
           "photos": photos.run_command, "split": splitting.run_command}[args.command]
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
