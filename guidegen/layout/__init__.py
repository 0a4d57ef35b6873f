"""Stage 4: the only package that imports WeasyPrint (always inside a function, so that
read-only commands never load it): the layout session and its confined fetcher, the pages
read from its boxes, the chunks laid out in workers and joined."""
