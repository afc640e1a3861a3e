"""Who acts on a claim. Every event records one of these."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from claims.models import Party

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


@dataclass(frozen=True)
class Actor:
    party: str
    user: "AbstractBaseUser | None" = None
    label: str = ""

    @classmethod
    def system(cls, label: str = "system") -> "Actor":
        return cls(party=Party.SYSTEM, label=label)

    @classmethod
    def staff(cls, user) -> "Actor":
        return cls(party=Party.STAFF, user=user, label=user.get_username())

    @classmethod
    def customer(cls, customer) -> "Actor":
        return cls(party=Party.CUSTOMER, label=f"customer {customer.marketplace_id}")

    @classmethod
    def seller(cls, seller) -> "Actor":
        return cls(party=Party.SELLER, label=f"seller {seller.marketplace_id}")

    def has_perm(self, perm: str) -> bool:
        if self.party == Party.SYSTEM:
            return True
        return self.user is not None and self.user.has_perm(perm)
