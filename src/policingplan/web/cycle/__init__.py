"""The planning cycle's dates and what is outstanding against them; borough commanders' target proposals and commentary."""
