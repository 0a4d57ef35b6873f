"""guidegen: interview-question banks in, printable PDF workbooks out."""

__version__ = "0.1.0"
