"""The map as it stood: cases as of a day, status moves over a period, Thai fiscal quarters."""
