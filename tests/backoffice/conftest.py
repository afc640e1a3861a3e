import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def customer_user(db):
    """A customer has no staff login: even signed in as a plain user, no staff page opens."""
    return get_user_model().objects.create_user(
        username="customer", password="pw", email="customer@example.test"
    )


@pytest.fixture
def seller_user(db):
    return get_user_model().objects.create_user(
        username="seller", password="pw", email="seller@sellers.test"
    )


@pytest.fixture
def everyone(cast, customer_user, seller_user):
    return {**cast, "customer": customer_user, "seller": seller_user, "anonymous": None}
