"""Command line: ``python -m santa_lib check-data DIR`` and ``python -m santa_lib weights ...``."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit status is 0 on success, 1 when the data or file is unusable."""
    parser = argparse.ArgumentParser(prog="python -m santa_lib", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check-data", help="report every problem of a data folder")
    check.add_argument("data_dir", help="folder holding train/, validation/ and test/")
    weights = commands.add_parser("weights", help="ImageNet weights for VGG19 on this machine")
    actions = weights.add_subparsers(dest="action", required=True)
    install = actions.add_parser("install", help="check a downloaded no-top weights file and "
                                                 "put it where Keras looks for it")
    install.add_argument("file")
    actions.add_parser("where", help="print where Keras looks for the weights file")
    args = parser.parse_args(argv)

    if args.command == "check-data":
        from santa_lib.checks import check_data

        report = check_data(args.data_dir)
        print(report)
        return 0 if report.usable else 1

    from santa_lib.base import WeightsError, cached_weights_path, install_weights

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


if __name__ == "__main__":
    sys.exit(main())
