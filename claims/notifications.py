"""E-mail through Django's backend, from a subject / text / HTML template triple."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def email_send(*, template: str, to: list[str], context: dict, language: str = "en") -> None:
    """Render ``emails/<template>-{subject.txt,body.txt,body.html}`` and send it."""
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
    )
    message.attach_alternative(html, "text/html")
    message.send()
