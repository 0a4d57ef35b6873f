"""Workshop batches: the attendee list (attendees) and the run that writes every copy (run)."""
