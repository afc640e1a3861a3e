import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from claims import roles

ALL_REGIONS = "all"


def _staff(username: str, role: str | None, regions=ALL_REGIONS, **profile):
    """A staff member with ``role``; need-to-know: they see the claims of ``regions`` (region
    codes, or every region by default; ``()`` for none)."""
    from claims.models import Region, StaffProfile

    user = get_user_model().objects.create_user(
        username=username, password="pw", is_staff=True, email=f"{username}@staff.test"
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    chosen = (
        Region.objects.all() if regions == ALL_REGIONS else Region.objects.filter(code__in=regions)
    )
    StaffProfile.objects.create(user=user, **profile).regions.set(chosen)
    return user


@pytest.fixture
def agent(db):
    return _staff("agent", roles.AGENT)


@pytest.fixture
def analyst(db):
    return _staff("analyst", roles.ANALYST)


@pytest.fixture
def supervisor(db):
    return _staff("supervisor", roles.SUPERVISOR)


@pytest.fixture
def outsider(db):
    """Staff flag but no role: may sign in to the admin, may see nothing."""
    return _staff("outsider", None)


@pytest.fixture
def cast(agent, analyst, supervisor, outsider):
    return {"agent": agent, "analyst": analyst, "supervisor": supervisor, "outsider": outsider}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the (local-memory) cache, one per test process: every test
    starts at zero, whatever the tests before it sent from 127.0.0.1."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _language_reset():
    # LocaleMiddleware activates the language of each request in the thread and leaves it
    # there: a test after a Spanish page would otherwise read its messages in Spanish.
    yield
    from django.utils import translation

    translation.deactivate()
