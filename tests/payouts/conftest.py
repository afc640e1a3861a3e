import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from claims import roles


@pytest.fixture
def supervisor2(db):
    user = get_user_model().objects.create_user(
        username="supervisor2", password="pw", is_staff=True, email="supervisor2@staff.test"
    )
    user.groups.add(Group.objects.get(name=roles.SUPERVISOR))
    return user
