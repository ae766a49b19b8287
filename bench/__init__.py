"""cyhttp's side-by-side benchmark: ``python -m bench`` (or ``make bench``)."""
