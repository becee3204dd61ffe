"""Map test data: the session-wide `map_data` fixture lives once, in tests/conftest.py."""
