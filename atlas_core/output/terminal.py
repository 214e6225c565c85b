"""Text from a repository made safe to print on a terminal.

File contents may hold escape sequences. A context bundle goes to a model, which can take
them as they are, but on a terminal they could move the cursor, hide lines, retitle the
window or set the clipboard. So when the output is a terminal, every control character
except tab and newline is shown as ``\\x1b``, and so is a carriage return that ends no line.
"""

from __future__ import annotations

import re
from typing import TextIO

__all__ = ["for_stream"]

#: C0 controls but tab and newline, DEL, C1 controls; a carriage return not before a newline
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")


def for_stream(text: str, stream: TextIO) -> str:
    """``text`` as is for a pipe or a file; with control characters made visible when
    ``stream`` is a terminal."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream: not a terminal
        tty = False
    if not tty or _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
