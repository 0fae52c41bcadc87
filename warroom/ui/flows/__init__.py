"""What the console does beyond showing: the flows behind its keys, and what it makes of
what the feeds bring (observations.py)."""
