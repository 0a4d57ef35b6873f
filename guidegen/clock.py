"""The one place guidegen asks the clock for the date (and, for an Anki deck, the time).

A study plan given an interview date and no start date starts today; an Anki deck stamps
its notes with the time it was made.
Tests replace ``today`` to freeze the date, so no test depends on the day it runs.
"""

import datetime as dt


def today() -> dt.date:
    return dt.date.today()


def timestamp() -> float:
    """Now, in seconds since 1970: the modification time of the notes in an Anki deck, which
    must be newer than the last import for Anki to update them."""
    import time

    return time.time()
