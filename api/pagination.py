from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    """Stable pages whatever is inserted meanwhile; ordering by id (a unique key)."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
