"""Demo data: a season's worth of club news, loaded only into an empty table.

The posts are dated relative to when the script runs, so the demo site
always looks current.
"""
import datetime

from sqlalchemy import exists, select

from touchline.users import User

from .models import Post, Status, utcnow
from .slugs import unique_slug

#: (days ago, title, body); published by the demo admin.
DEMO_POSTS = [
    (40, "Welcome to the new season", (
        "Registration for the new season is **open**. Training starts on the first Saturday "
        "of the month for every age group.\n\n"
        "- Minis (Under 7s): 9:00 to 10:00\n"
        "- Under 8s to Under 11s: 10:00 to 11:30\n"
        "- Under 12s and up: see your team's page\n\n"
        "Questions? Email [the club secretary](mailto:secretary@club.example.org)."
    )),
    (28, "Kit orders close on Friday", (
        "If your child needs a new home shirt, shorts or socks, please order through the "
        "club shop by **Friday**. Orders placed later arrive after the first match."
    )),
    (17, "Under 11 Foxes reach the county cup semi-final", (
        "## What a game!\n\n"
        "The Under 11 Foxes beat Hillside 3-2 after coming back from two goals down. "
        "*Well done* to every player, and thank you to the parents who drove to the away game.\n\n"
        "The semi-final is next month; details on the fixtures page."
    )),
    (9, "Volunteers wanted for the summer tournament", (
        "Our summer tournament needs people for:\n\n"
        "1. the tea hut,\n"
        "2. marshalling the car park,\n"
        "3. referees for the Minis' games (no experience needed; we train you).\n\n"
        "Sign up at the clubhouse or reply to the newsletter."
    )),
    (3, "Pitch closures this weekend", (
        "The council has closed the top pitches after the heavy rain. Saturday's training "
        "moves to the all-weather pitch; Sunday's home games are **postponed**.\n\n"
        "Check the [Met Office forecast](https://www.metoffice.gov.uk/) before you travel."
    )),
]

DEMO_DRAFT = (
    "Under 9 Badgers: end of season awards",
    (
        "The Badgers' awards evening is on the last Friday of the season at the clubhouse. "
        "Trophies for *every* player, and a special award for the most improved."
    ),
)


def populate_news(request):
    dbsession = request.dbsession
    if dbsession.scalar(select(exists().where(Post.id.is_not(None)))):
        return
    admin = dbsession.scalar(User.by_username("admin"))
    coach = dbsession.scalar(User.by_username("coach"))
    now = utcnow()
    for days_ago, title, body in DEMO_POSTS:
        published = now - datetime.timedelta(days=days_ago, hours=2)
        post = Post(
            title=title, body=body, author=admin, status=Status.PUBLISHED,
            published_at=published, created_at=published - datetime.timedelta(hours=1),
            updated_at=published,
        )
        post.slug = unique_slug(dbsession, title)
        dbsession.add(post)
        dbsession.flush()
    title, body = DEMO_DRAFT
    draft = Post(title=title, body=body, author=coach, status=Status.DRAFT,
                 created_at=now - datetime.timedelta(days=1), updated_at=now - datetime.timedelta(days=1))
    draft.slug = unique_slug(dbsession, title)
    dbsession.add(draft)
    dbsession.flush()
