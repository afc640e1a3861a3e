import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from PIL import Image

from portal.session import SESSION_KEY
from tests.factories import OrderLineFactory


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The rate-limit counters live in the (local-memory) cache: start every test at zero.
    cache.clear()
    yield
    cache.clear()


def sign_in(client, customer) -> None:
    session = client.session
    session[SESSION_KEY] = customer.pk
    session.save()


@pytest.fixture
def line(db):
    return OrderLineFactory()


@pytest.fixture
def customer(line):
    return line.order.customer


@pytest.fixture
def customer_client(client, customer):
    sign_in(client, customer)
    return client


def jpeg_bytes(size=(64, 48), color=(180, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=90)
    return out.getvalue()


def png_bytes(size=(32, 24)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 130, 40)).save(out, "PNG")
    return out.getvalue()


def media_files(sub: str = "") -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / sub
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
