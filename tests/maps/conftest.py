"""Map test data: committed once per session, removed at the end."""

import pytest

from tests.maps.data import ensure_map_data, remove_map_data


@pytest.fixture(scope="session")
def map_data(app):
    made = ensure_map_data(app)
    yield made
    remove_map_data(app)
