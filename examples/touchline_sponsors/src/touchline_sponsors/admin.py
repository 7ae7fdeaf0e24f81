"""The sponsors in Touchline's admin: an add-on from outside registers its model as the club's do."""
from touchline.admin.registry import BooleanFilter, ChoiceFilter, Column, DeleteAction, ModelAdmin, SetAction

from .models import Sponsor, Tier


class SponsorAdmin(ModelAdmin):
    name = "sponsors"
    model = Sponsor
    title, singular = "Sponsors", "sponsor"
    editor = "touchline_sponsors.views.SponsorEditor"
    columns = (
        Column("name", "Name", Sponsor.name),
        Column("tier", "Tier", Sponsor.tier),
        Column("active", "Shown", Sponsor.active),
        Column("link", "Link", None),
    )
    search = (Sponsor.name, Sponsor.link)
    filters = (
        ChoiceFilter("tier", "Tier", Sponsor.tier, Tier),
        BooleanFilter("active", "Shown", lambda request: Sponsor.active.is_(True)),
    )
    ordering = ("name",)
    actions = (
        SetAction("show", "Show on the site", "active", True, "{count} shown on the site."),
        SetAction("hide", "Hide from the site", "active", False, "{count} hidden from the site."),
        DeleteAction(),
    )


def includeme(config):
    config.add_admin_model(SponsorAdmin)
