"""What the console does for a key, beyond showing: the flows behind its keys."""
