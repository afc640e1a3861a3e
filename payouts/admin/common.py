"""Pieces shared by the payouts admin pages."""


class ReadOnly:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        # A field named in the query string filters the changelist (``?after=…`` on payee
        # events); a NUL byte there cannot reach PostgreSQL: refused (400), never a 500.
        if "\x00" in str(value):
            return False
        return super().lookup_allowed(lookup, value, request)
