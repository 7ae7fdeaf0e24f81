"""The Sponsor model and the tiers sponsors are shown in."""
import enum
import functools

from sqlalchemy import Boolean, CheckConstraint, Enum, String, case, select
from sqlalchemy.orm import Mapped, mapped_column

from touchline.models import Base
from touchline.security import BASE_ACL

NAME_MAX_LENGTH = 80
LINK_MAX_LENGTH = 300
#: What ``request.uploads.save_image`` returns fits here with room to spare.
LOGO_MAX_LENGTH = 100


@functools.total_ordering
class Tier(enum.Enum):
    """How prominently a sponsor is shown: gold first, bronze last."""

    GOLD = "gold"
    SILVER = "silver"
    BRONZE = "bronze"

    @property
    def label(self):
        return self.value.capitalize()

    @property
    def rank(self):
        return list(Tier).index(self)

    def __lt__(self, other):
        if not isinstance(other, Tier):
            return NotImplemented
        return self.rank < other.rank

    def __json__(self, request):
        return {"code": self.value, "label": self.label}


DEFAULT_TIER = Tier.SILVER


class Sponsor(Base):
    """A business that supports the club, linked from the sponsors page and the home page."""

    __tablename__ = "sponsors"
    __table_args__ = (CheckConstraint("length(name) > 0", name="name_not_empty"),)
    #: Admins (ALL_PERMISSIONS in the base ACL) create, edit and delete sponsors; everyone views.
    __acl__ = BASE_ACL

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    #: An http(s) URL, checked by the schema before it gets here.
    link: Mapped[str] = mapped_column(String(LINK_MAX_LENGTH))
    #: The stored name of the logo in the site's uploads, if it has one.
    logo: Mapped[str | None] = mapped_column(String(LOGO_MAX_LENGTH), nullable=True)
    tier: Mapped[Tier] = mapped_column(
        Enum(Tier, name="sponsor_tier", native_enum=False, length=6, create_constraint=True,
             values_callable=lambda tiers: [tier.value for tier in tiers], validate_strings=True),
        default=DEFAULT_TIER,
    )
    #: An inactive sponsor is kept (for next season) but shown to admins only.
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)

    def __repr__(self):
        return f"<Sponsor {self.id} {self.name!r} {self.tier.value}>"

    def logo_url(self, request):
        return request.uploads.url(self.logo) if self.logo else None

    def __json__(self, request):
        return {
            "id": self.id,
            "name": self.name,
            "link": self.link,
            "tier": self.tier.value,
            "tier_label": self.tier.label,
            "logo": self.logo_url(request),
            "active": self.active,
        }

    @classmethod
    def ordered(cls, active_only=True):
        """Gold before silver before bronze, then by name: the order every list uses."""
        # The stored codes do not sort that way: rank them (compared as the column's type).
        rank = case(*[(cls.tier == tier, tier.rank) for tier in Tier])
        stmt = select(cls).order_by(rank, cls.name, cls.id)
        if active_only:
            stmt = stmt.where(cls.active.is_(True))
        return stmt
