import itertools

import pytest

from tests.e2e.stack import Stack, Texter

_numbers = itertools.count(100)


@pytest.fixture(scope="session")
def stack():
    """One running system for the whole session; each test texts from its own number."""
    with Stack.running() as system:
        yield system


@pytest.fixture
def texter(stack):
    return Texter(stack, f"+4477009{next(_numbers):05d}")


@pytest.fixture
def new_texter(stack):
    """For tests that need several phones."""
    return lambda prefix="": Texter(stack, f"+4477009{next(_numbers):05d}", channel_prefix=prefix)
