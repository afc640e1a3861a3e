import pytest

from claims import roles
from tests.conftest import _staff


@pytest.fixture
def supervisor2(db):
    return _staff("supervisor2", roles.SUPERVISOR)
