"""``guidegen import``: question banks from elsewhere turned into a content pack.

One module per source shape turns text into neutral records (``records.py``):
``ask_markdown`` (questions to ask, under headings), ``questions_markdown`` (a page of
interview questions), ``details`` (``<details><summary>`` banks) and ``csv_bank``. ``detect``
reads a source and chooses its shape; ``pack`` gives the records ids and writes the pack.
The parsers read lines and keep the author's Markdown as typed: nothing is re-rendered.
"""
