"""A list refuses a query parameter it does not take.

A typo (``?statuss=with_seller``) or a filter the list does not have would otherwise be
ignored, and the client would read the unfiltered list as the filtered one. Every list view
takes ``KnownQueryParameters``: a parameter that is none of its filters', its pagination's
(``cursor``, ``page_size``) or its own documented ones (``query_parameters``) is refused with
a 400 problem naming it and the parameters the list takes."""

import difflib

from django.utils.translation import gettext as _
from rest_framework import serializers


class KnownQueryParameters:
    """For a list view (``GET``): refuse the query parameters it does not take, after the
    key and its scope were checked."""

    # The view's own query parameters, as its schema documents them (``?after=``).
    query_parameters: tuple[str, ...] = ()

    def accepted_query_parameters(self) -> set[str]:
        names = set(self.query_parameters)
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None:
            # One parameter per filter (a range filter's two would need naming here: the
            # test of the documented parameters says so).
            names.update(filterset_class.base_filters)
        paginator = getattr(self, "paginator", None)
        if paginator is not None:
            for attribute in dir(paginator):
                value = getattr(paginator, attribute)
                if attribute.endswith("_query_param") and isinstance(value, str):
                    names.add(value)
        return names

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method == "GET":
            query_parameters_check(request.query_params, self.accepted_query_parameters())


def query_parameters_check(params, accepted: set[str]) -> None:
    """Raise a validation error naming each parameter of ``params`` not in ``accepted``."""
    unknown = sorted(set(params) - accepted)
    if unknown:
        raise serializers.ValidationError({name: [_unknown(name, accepted)] for name in unknown})


def _unknown(name: str, accepted: set[str]) -> str:
    if not accepted:
        return _("“%(name)s” is not a query parameter: this list takes none.") % {"name": name}
    message = _("“%(name)s” is not a query parameter of this list; it takes: %(taken)s.") % {
        "name": name,
        "taken": ", ".join(sorted(accepted)),
    }
    close = difflib.get_close_matches(name, accepted, n=1)
    if close:
        message += " " + _("Did you mean “%(close)s”?") % {"close": close[0]}
    return message
