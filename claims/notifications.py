"""E-mail through Django's backend, from a subject / text / HTML template triple."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.utils import translation


def email_send(
    *,
    template: str,
    to: list[str],
    context: dict,
    language: str = "en",
    connection: BaseEmailBackend | None = None,
) -> None:
    """Render ``emails/<template>-{subject.txt,body.txt,body.html}`` and send it, through
    ``connection`` if given (``email_connection``: one relay session for a batch)."""
    context = {**context, "SITE_URL": settings.SITE_URL}
    with translation.override(language):
        subject = render_to_string(f"emails/{template}-subject.txt", context, using="text")
        text = render_to_string(f"emails/{template}-body.txt", context, using="text")
        html = render_to_string(f"emails/{template}-body.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=to,
        from_email=settings.DEFAULT_FROM_EMAIL,
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    try:
        if connection is not None:
            # Opened by the batch's first e-mail and kept open (a no-op once it is): a backend
            # that opens its own connection for a send closes it again afterwards.
            connection.open()
        message.send()
    except Exception:
        if connection is not None:
            # A broken relay session: the batch's next e-mail opens a new one.
            connection.close()
        raise


@contextmanager
def email_connection() -> Iterator[BaseEmailBackend]:
    """One connection to the mail relay for a batch of e-mails (``email_send(connection=)``),
    instead of a connect, a TLS handshake and a login for every e-mail. It is opened by the
    first e-mail sent through it (a relay that is down fails that e-mail, not the batch), and
    opened again by the next one after a failure."""
    connection = get_connection()
    try:
        yield connection
    finally:
        connection.close()
