"""Building tens of thousands of small objects at once, such as a national matching round's
input and answer, without Python's cycle collector walking them again and again."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector for a bulk build of plain data (dicts, lists, strings: no
    reference cycles, so nothing for it to find). Each of its full passes walks every live
    object, and a build this size sets off many of them: at 20,000 x 60,000 they cost more
    than a second. Reference counting still frees everything as usual, and the collector
    runs again afterwards. Nests: only the outermost pause resumes it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
