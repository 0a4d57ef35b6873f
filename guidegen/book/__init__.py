"""Stage 3: the book a spec describes (``model``), its section list, its chunks, its Markdown and
its HTML (``html``, rendered in the Jinja sandbox). Nothing here imports WeasyPrint."""
