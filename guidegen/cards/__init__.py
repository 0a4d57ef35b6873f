"""Flashcards: the cut-out sheets (``sheets``), the Anki deck and the TSV (``decks``), and where
a long answer is cut (``sentences``)."""
