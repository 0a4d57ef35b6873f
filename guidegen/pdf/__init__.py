"""Stage 5: finishing with pikepdf, on PDF bytes, knowing nothing of WeasyPrint: ruled
lines and running heads, form fields, fonts, structure, covers stamped, booklets imposed,
copies combined, the print-shop file."""
