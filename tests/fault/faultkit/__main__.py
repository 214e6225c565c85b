"""``python -m faultkit`` (with ``tests/fault`` on the path): see :mod:`faultkit.cli`."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
