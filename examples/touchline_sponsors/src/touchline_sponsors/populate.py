"""Demo data: a few local businesses, loaded only into an empty sponsors table.

Their logos are drawn here with Pillow (a dependency of Touchline's uploads)
and stored through ``request.uploads``, like an admin's upload would be.
"""
import io

from sqlalchemy import exists, select

from .models import Sponsor, Tier

#: name, web site, tier, logo colour.
DEMO_SPONSORS = [
    ("Riverside Bakery", "https://riverside-bakery.example/", Tier.GOLD, (201, 120, 40)),
    ("Hartley & Sons Plumbing", "https://hartley-plumbing.example/", Tier.SILVER, (30, 90, 160)),
    ("Greenfield Garden Centre", "https://greenfield-garden.example/", Tier.SILVER, (60, 140, 70)),
    ("Parkside Physiotherapy", "https://parkside-physio.example/", Tier.BRONZE, (140, 60, 130)),
    ("The Corner Café", "https://corner-cafe.example/", Tier.BRONZE, (120, 90, 60)),
]


def demo_logo(name, colour):
    """A PNG badge with the sponsor's initials: a stand-in for a real logo."""
    from PIL import Image, ImageDraw

    initials = "".join(word[0] for word in name.split() if word[0].isalpha())[:3].upper()
    image = Image.new("RGB", (240, 120), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((4, 4, 235, 115), outline=(255, 255, 255), width=3)
    draw.text((120, 60), initials, fill=(255, 255, 255), anchor="mm", font_size=48)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def populate_sponsors(request):
    dbsession = request.dbsession
    if dbsession.scalar(select(exists().where(Sponsor.id.is_not(None)))):
        return
    for name, link, tier, colour in DEMO_SPONSORS:
        logo = request.uploads.save_image(demo_logo(name, colour))
        dbsession.add(Sponsor(name=name, link=link, tier=tier, logo=logo, active=True))
    dbsession.flush()
