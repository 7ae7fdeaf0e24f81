"""Demo data: a club shop's categories and products, loaded only into empty tables.

Kit items get a simple picture (a shirt-coloured tile drawn with Pillow,
stored through ``touchline.uploads``) so the demo shows images too.
"""
import io
from decimal import Decimal

from sqlalchemy import exists, select

from .models import Category, Product

CATEGORIES = [
    ("Match kit", "match-kit"),
    ("Training wear", "training-wear"),
    ("Accessories", "accessories"),
    ("Supporters", "supporters"),
]

YOUTH_AND_ADULT = "YXS YS YM YL S M L XL"

#: name, category slug, price, sizes, in stock, description, picture colours (or None)
PRODUCTS = [
    ("Home shirt", "match-kit", "24.00", YOUTH_AND_ADULT, True,
     "Our red home shirt with the club crest.\nMachine washable at 30°C.", ((200, 30, 45), (255, 255, 255))),
    ("Away shirt", "match-kit", "24.00", YOUTH_AND_ADULT, False,
     "The navy away shirt.\n\nBack in stock before the spring fixtures.", ((20, 40, 90), (240, 200, 40))),
    ("Goalkeeper shirt", "match-kit", "26.50", YOUTH_AND_ADULT, True,
     "Long-sleeved, padded elbows, bright green.", ((40, 170, 70), (20, 20, 20))),
    ("Match shorts", "match-kit", "12.50", YOUTH_AND_ADULT, True, "White shorts for home and away.", None),
    ("Match socks", "match-kit", "7.50", "J12-2 3-6 7-11", True, "Red socks with white tops.", None),
    ("Training top", "training-wear", "22.00", YOUTH_AND_ADULT, True,
     "Quarter-zip training top with the crest and your initials on request.", None),
    ("Rain jacket", "training-wear", "34.99", YOUTH_AND_ADULT, False,
     "Lightweight, packs into its own pocket.", None),
    ("Training bib", "training-wear", "3.00", "Junior Senior", True, "Bright orange mesh bib.", None),
    ("Water bottle", "accessories", "4.50", "", True, "750 ml, dishwasher safe, with the club crest.", None),
    ("Kit bag", "accessories", "18.00", "", True, "Holdall with a separate boot compartment.", None),
    ("Shin pads", "accessories", "8.00", "S M L", True, "With ankle guards for the younger players.", None),
    ("Club scarf", "supporters", "10.00", "", True, "Red and white knitted scarf.", None),
    ("Bobble hat", "supporters", "9.00", "", False, "Red with a white bobble. Sold out until autumn.", None),
]


def _picture(colours):
    """A shirt-coloured tile with a stripe: enough to show where images go, sharp on a phone's
    screen (a product page shows it 240 px wide, which a phone draws with two or three pixels
    to the point)."""
    from PIL import Image, ImageDraw

    body, stripe = colours
    image = Image.new("RGB", (720, 720), body)
    ImageDraw.Draw(image).rectangle((300, 0, 420, 720), fill=stripe)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def populate_catalog(request):
    dbsession = request.dbsession
    if dbsession.scalar(select(exists().where(Category.id.is_not(None)))):
        return
    if dbsession.scalar(select(exists().where(Product.id.is_not(None)))):
        return
    categories = {slug: Category(name=name, slug=slug) for name, slug in CATEGORIES}
    dbsession.add_all(categories.values())
    for name, slug, price, sizes, in_stock, description, colours in PRODUCTS:
        product = Product(
            name=name, category=categories[slug], price=Decimal(price), sizes=sizes,
            in_stock=in_stock, description=description,
        )
        if colours is not None:
            product.image = request.uploads.save_image(_picture(colours))
        dbsession.add(product)
    dbsession.flush()
