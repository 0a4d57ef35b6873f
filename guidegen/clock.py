"""The one place guidegen asks the clock for the date.

Only a study plan given an interview date and no start date uses it (the plan starts today).
Tests replace ``today`` to freeze the date, so no test depends on the day it runs.
"""

import datetime as dt


def today() -> dt.date:
    return dt.date.today()
