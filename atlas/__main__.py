"""``python -m atlas`` is the ``atlas`` command."""

import sys

from atlas.cli import main

sys.exit(main())
