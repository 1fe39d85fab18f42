"""``python -m santa_lib COMMAND``: the command line (:mod:`santa_lib.cli`)."""

import sys

from santa_lib.cli import main

sys.exit(main())
