#!/usr/bin/env python3
"""Benchmark data sets: a migrated Touchline database at scale x1, x10 or x100.

x1 is the demo club grown to a busy club's size; x10 and x100 multiply it:

| table | x1 | x10 | x100 |
|---|---:|---:|---:|
| teams (U06-U18, most in U09-U14) | 100 | 1,000 | 10,000 |
| fixtures (84 % past, of which 1.5 % postponed and 2 % waiting for a score, all in the last weeks, and 3 % cancelled; of the future ones 2 % postponed, 2 % cancelled) | 2,000 | 20,000 | 200,000 |
| news posts (every tenth a draft) | 50 | 500 | 5,000 |
| shop categories | 10 | 30 | 120 |
| shop products | 1,000 | 10,000 | 100,000 |
| accounts (admin, coach, member, then 2 % admins, 10 % coaches) | 23 | 203 | 2,003 |
| players (6 to 12 a team) | ~900 | ~9,000 | ~90,000 |

Kick-offs are weekend mornings on the club's clock, over five years before
today and one after; names mix case and carry characters that need escaping
in HTML (``&``, ``<``, quotes) and accents; prices are exact decimals.  Every
account's password is ``BENCH_PASSWORD``.

The schema is the application's: the database is migrated with the
add-ons' own migrations (``alembic upgrade heads``), and rows go into the
tables the app uses, with SQLAlchemy Core bulk inserts (executemany in
batches) for the big tables.  Columns are read from
``touchline.models.Base.metadata``: a generated value for a column that no
longer exists is dropped, a required column the generator does not know is
given a plain value (and reported), and what the database or a Python
``default=`` fills is left to them.  Accounts are made by the ``User``
constructor (username normalisation and keys) and their one password hash
by the site's own hasher; news posts are written through the ORM (the
add-on's events run) and any ``*html*``/``*excerpt*`` column the news
add-on adds is then filled by its own ``touchline.news.markdown`` functions.
PostgreSQL gets ``VACUUM ANALYZE`` afterwards (what autovacuum does to a
freshly loaded table); SQLite is left as the app leaves it.

    .venv/bin/python bench/datasets.py --backend sqlite --scale 10 --path /tmp/x10.sqlite
    .venv/bin/python bench/datasets.py --backend postgresql --scale 100   # database touchline_bench_x100
    .venv/bin/python bench/datasets.py --backend postgresql --scale 100 --drop
"""
import argparse
import datetime
import decimal
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import stack  # noqa: E402

SCALES = (1, 10, 100)
BACKENDS = ("sqlite", "postgresql")
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
BENCH_PASSWORD = "touchline-bench-password"
#: Rows per executemany batch.
BATCH = 5000


def shape(scale):
    """How many rows of each kind a data set at ``scale`` has."""
    return {
        "teams": 100 * scale,
        "fixtures": 2000 * scale,
        "posts": 50 * scale,
        "categories": {1: 10, 10: 30, 100: 120}.get(scale, max(10, int(10 * scale ** 0.54))),
        "products": 1000 * scale,
        "accounts": 3 + 20 * scale,
    }


def pg_name(scale, prefix="touchline_bench"):
    return f"{prefix}_x{scale}"


# Databases --------------------------------------------------------------------------


def create_database(backend, scale, path=None, name=None):
    """A new, empty database; returns its SQLAlchemy URL (an existing one is replaced)."""
    if backend == "sqlite":
        path = os.path.abspath(path or os.path.join(tempfile.gettempdir(), f"touchline-bench-x{scale}.sqlite"))
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        return f"sqlite:///{path}"
    name = name or pg_name(scale)
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    return PG_URL.format(name=name)


def drop_database(url):
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(parsed.database + suffix):
                os.remove(parsed.database + suffix)
    else:
        _pg_admin(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


def _pg_admin(*statements):
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def server_version(url):
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                return "SQLite " + conn.execute(text("select sqlite_version()")).scalar()
            return conn.execute(text("show server_version")).scalar().split()[0]
    finally:
        engine.dispose()


# Generic, schema-tolerant inserts ------------------------------------------------------


@dataclass
class Loader:
    """Inserts generated rows into the tables the metadata describes."""

    conn: object
    notes: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)

    def table(self, name):
        from touchline.models import Base

        return Base.metadata.tables.get(name)

    def prepare(self, table, rows):
        """Fit generated rows to the table's current columns (see the module docstring)."""
        if not rows:
            return rows
        columns = table.c
        generated = set(rows[0])
        unknown = generated - set(columns.keys())
        if unknown:
            self.notes.append(f"{table.name}: no column {', '.join(sorted(unknown))} any more; not filled")
        missing = []
        for column in columns:
            if column.key in generated:
                continue
            if (column.nullable or column.default is not None or column.server_default is not None
                    or (column.primary_key and column.autoincrement in (True, "auto")
                        and len(table.primary_key.columns) == 1)):
                continue
            missing.append(column)
        if missing:
            self.notes.append(
                f"{table.name}: required column(s) {', '.join(c.key for c in missing)} unknown "
                "to the generator; filled with plain values"
            )
        out = []
        fill = {column.key: _plain_value(column) for column in missing}
        for row in rows:
            item = {key: value for key, value in row.items() if key not in unknown}
            item.update(fill)
            out.append(item)
        return out

    def insert(self, name, rows):
        table = self.table(name)
        if table is None:
            self.notes.append(f"{name}: no such table (add-on off or renamed); {len(rows)} rows skipped")
            return 0
        rows = self.prepare(table, rows)
        for start in range(0, len(rows), BATCH):
            self.conn.execute(table.insert(), rows[start:start + BATCH])
        self.counts[name] = self.counts.get(name, 0) + len(rows)
        return len(rows)


def _plain_value(column):
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return None
    now = datetime.datetime.now(datetime.timezone.utc)
    if python_type is bool:
        return False
    if python_type is int:
        return 0
    if python_type is decimal.Decimal:
        return decimal.Decimal("0")
    if python_type is datetime.datetime:
        return now
    if python_type is datetime.date:
        return now.date()
    if python_type is str:
        return "x"
    if python_type is dict:
        return {}
    if python_type is list:
        return []
    enums = getattr(column.type, "enum_class", None)
    if enums is not None:
        return next(iter(enums))
    return None


def orm_row(obj):
    """The column values an ORM object was given (constructor and attribute logic applied)."""
    from sqlalchemy import inspect

    mapper = inspect(type(obj))
    state = obj.__dict__
    return {prop.columns[0].key: state[prop.key] for prop in mapper.column_attrs if prop.key in state}


# Words --------------------------------------------------------------------------------

FIRST = ["Sam", "Alex", "Charlie", "Jamie", "Riley", "Jordan", "Taylor", "Morgan", "Ellis", "Rowan",
         "Ava", "Noah", "Isla", "Leo", "Mia", "Oscar", "Freya", "Arlo", "Ivy", "Finn", "Zoë",
         "Chloé", "Mateus", "Siân", "Björn", "Aoife", "Kenji", "Amara", "Dylan", "Léa"]
LAST = ["Thompson", "Okafor", "Nowak", "Patel", "Murphy", "Evans", "Kowalski", "Ahmed", "Byrne",
        "Clarke", "Da Silva", "Fraser", "Gallagher", "Hughes", "Jensen", "Khan", "Lindqvist",
        "McAllister", "Nakamura", "O'Brien", "Pereira", "Quinn", "Rossi", "Sato", "Turner",
        "Underwood", "Varga", "Whitfield", "Yılmaz", "Żeleński", "d'Arcy", "Müller"]
MASCOTS = ["Badgers", "Otters", "Falcons", "Tigers", "Lions", "Hawks", "Foxes", "Wolves",
           "Kestrels", "Rovers", "Owls", "Comets", "Giants", "Pilots", "Bears", "Swifts",
           "Robins", "Panthers", "Eagles", "Stags", "Jaguars", "Dolphins", "Vipers", "Ravens"]
TOWNS = ["Springfield", "Riverside", "Fairview", "Greenville", "Bristol", "Salem", "Ashford",
         "Bray", "Cork", "Penarth", "Ütersen", "São Paulo", "Zürich", "Łódź", "St. Ives"]
FLOURISH = [" & Friends", ' "Blues"', " <Reserves>", " O'Neill's", " Ünited", " (Girls)",
            " & Co", " <b>A</b>", " 'B'", " Élite"]
OPPONENTS = ["Rovers", "Athletic", "Wanderers", "Juniors", "Rangers", "Albion", "Harriers",
             "United", "Swifts", "Town", "Colts", "Corinthians", "St. Mary's", "Old Boys & Girls",
             "Rovers <Reserves>", 'FC "Les Bleus"', "Saint-Étienne Juniors", "Hillside"]
LEVEL_WEIGHTS = [2, 4, 6, 8, 10, 11, 11, 10, 9, 8, 7, 5, 4]  # U06 .. U18
#: Local kick-off times on a weekend morning (youngest first).
KICKOFFS = [datetime.time(9, 0), datetime.time(9, 30), datetime.time(10, 0), datetime.time(10, 30),
            datetime.time(11, 0), datetime.time(13, 30), datetime.time(14, 0)]

CATEGORY_BASES = ["Match kit", "Training wear", "Accessories", "Supporters", "Goalkeeping",
                  "Footwear", "Bags & bottles", "Coaching <equipment>", "Gifts", "Medical",
                  "Teamwear", "Sale"]
ITEMS = ["shirt", "Shirt", "shorts", "socks", "training top", "rain jacket", "bib", "water bottle",
         "kit bag", "shin pads", "scarf", "bobble hat", "gloves", "boots", "hoodie", "T-shirt",
         "tracksuit", "cap", "mug", "keyring", "ball", "cones", "first-aid kit", "polo SHIRT"]
ADJECTIVES = ["Home", "away", "Junior", "Senior", "GOALKEEPER", "training", "Retro", "club",
              "Pro", "kids'", "Ladies'", "Coach's", "Élite", "Ünited", "Limited-edition",
              "\"Classic\"", "<New>", "Red & White"]
SIZE_SETS = ["YXS YS YM YL S M L XL", "S M L", "J12-2 3-6 7-11", "Junior Senior", "", "", "3 4 5",
             "One-size", "XS S M L XL XXL"]
SENTENCES = [
    "Machine washable at 30°C.", "With the club crest on the chest.",
    "Back in stock before the spring fixtures.", "Breathable fabric & reinforced seams.",
    "Sizes run small: order one up.", "Packs into its own pocket.",
    "Printed with your initials on request (allow <2 weeks>).", "Made from recycled bottles.",
    "The kit sponsor's \"logo\" on the back.", "Dishwasher safe.", "Sold out until autumn.",
    "Ideal for the Under 7s' first season.", "Approved for league matches.",
]
POST_TITLES = [
    "{team} win {a}-{b} & reach the final", "Kit orders close on {day}",
    "Volunteers wanted for the {season} tournament", "Pitch closures this weekend",
    "Training moves to the <all-weather> pitch", "\"Player of the month\": {first} {last}",
    "{team}: end of season awards", "Welcome to the {season} season", "Coaching course for parents",
    "AGM minutes {season}", "Über-cool new kit for {team}", "Match report: {team} v {opp}",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _cap(text, length):
    return text if len(text) <= length else text[:length].rstrip()


def _mixed_case(rng, text):
    roll = rng.random()
    if roll < 0.05:
        return text.upper()
    if roll < 0.10:
        return text.lower()
    return text


def _weekend_kickoff(rng, now, tz, days_from, days_to, slot):
    """A weekend day between ``days_from`` and ``days_to`` days from now, at a local time."""
    day = (now.astimezone(tz) + datetime.timedelta(days=rng.randint(days_from, days_to))).date()
    weekend = day + datetime.timedelta(days=(5 - day.weekday()) % 7 + rng.choice((0, 0, 1)))
    moment = datetime.datetime.combine(weekend, KICKOFFS[slot], tzinfo=tz).astimezone(datetime.timezone.utc)
    # Moving to the weekend must not cross today: past stays past, future stays future.
    if days_to < 0 and moment >= now - datetime.timedelta(hours=3):
        moment = (datetime.datetime.combine(weekend - datetime.timedelta(days=7), KICKOFFS[slot], tzinfo=tz)
                  .astimezone(datetime.timezone.utc))
    elif days_from > 0 and moment <= now + datetime.timedelta(hours=3):
        moment = (datetime.datetime.combine(weekend + datetime.timedelta(days=7), KICKOFFS[slot], tzinfo=tz)
                  .astimezone(datetime.timezone.utc))
    return moment


def _markdown(rng, title):
    parts = [f"## {title}" if rng.random() < 0.3 else ""]
    for _ in range(rng.randint(2, 6)):
        kind = rng.random()
        if kind < 0.2:
            parts.append("\n".join(f"- {rng.choice(SENTENCES)}" for _ in range(rng.randint(2, 5))))
        elif kind < 0.3:
            parts.append("\n".join(f"{i}. {rng.choice(SENTENCES)}" for i in range(1, rng.randint(3, 5))))
        else:
            words = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(2, 6)))
            if rng.random() < 0.4:
                words += " See [the fixtures](https://club.example.org/fixtures) for details."
            if rng.random() < 0.4:
                words = "**Well done** to everyone! " + words + " *Thank you*, parents."
            parts.append(words)
    return "\n\n".join(p for p in parts if p)


# The data set ----------------------------------------------------------------------------


@dataclass
class Dataset:
    backend: str
    scale: int
    url: str
    seconds: float
    counts: dict
    notes: list
    version: str = ""


def build(backend, scale, path=None, name=None, seed=None, workdir=None, quiet=False):
    """Create, migrate and fill a data set; returns a :class:`Dataset`."""
    started = time.perf_counter()
    url = create_database(backend, scale, path=path, name=name)
    own_tmp = workdir is None
    workdir = workdir or tempfile.mkdtemp(prefix="touchline-bench-")
    app = stack.make_app(url, workdir, ratelimit="memory://")
    registry = app.registry
    try:
        stack.migrate(app)
        engine = registry["touchline.engine"]
        rng = random.Random(seed if seed is not None else 1000 + scale)
        with engine.begin() as conn:
            loader = Loader(conn)
            _fill(loader, registry, scale, rng)
        _fill_posts(engine, registry, scale, rng, loader)
        _finish(engine, loader)
        counts = _count(engine)
        version = server_version(url)
    finally:
        registry["touchline.engine"].dispose()
        if own_tmp:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
    dataset = Dataset(backend, scale, url, time.perf_counter() - started, counts, loader.notes, version)
    if not quiet:
        print(f"# built {backend} x{scale} in {dataset.seconds:.1f} s: {url}", file=sys.stderr)
        for note in dataset.notes:
            print(f"#   note: {note}", file=sys.stderr)
    return dataset


def _fill(loader, registry, scale, rng):
    from touchline.club import club_timezone
    from touchline.users import Role, User

    want = shape(scale)
    now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
    tz = club_timezone(registry)

    # Accounts: the demo three, then members, coaches and a few admins.
    # The site's own hasher (the IPasswords service), as a request finds it.
    from types import SimpleNamespace

    from pyramid_services import find_service_factory

    from touchline.users import IPasswords

    hasher = find_service_factory(SimpleNamespace(registry=registry), IPasswords)(None, None)
    probe = User("probe")
    hasher.set(probe, BENCH_PASSWORD)
    password_hash = probe.password_hash
    users, coaches, members = [], [], []
    demo = [("admin", "Alex Admin", Role.ADMIN), ("coach", "Casey Coach", Role.COACH),
            ("member", "Morgan Member", Role.MEMBER)]
    for index in range(want["accounts"]):
        if index < len(demo):
            username, display, role = demo[index]
            active = True
        else:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            username = f"{first}.{last}".encode("ascii", "ignore").decode().replace(" ", "").replace("'", "")
            username = f"{username.lower()}{index}"
            display = f"{first} {last}"
            roll = rng.random()
            role = Role.ADMIN if roll < 0.02 else Role.COACH if roll < 0.12 else Role.MEMBER
            active = rng.random() > 0.05
        created = now - datetime.timedelta(days=rng.randint(0, 2000), minutes=rng.randint(0, 1440))
        user = User(username, id=index + 1, display_name=display, email=f"{username}@example.org",
                    role=role, active=active, password_hash=password_hash, created_at=created)
        users.append(orm_row(user))
        if role is Role.COACH:
            coaches.append(index + 1)
        elif role is Role.MEMBER:
            members.append(index + 1)
    loader.insert("users", users)

    # Teams, youngest age groups first in the list; names mixed, some needing escaping.
    from touchline.teams.models import Level

    levels = list(Level)
    teams, team_levels = [], {}
    for team_id in range(1, want["teams"] + 1):
        level = rng.choices(levels, LEVEL_WEIGHTS)[0]
        roll = rng.random()
        if roll < 0.45:
            name = f"Under {level.age} {rng.choice(MASCOTS)}"
        elif roll < 0.7:
            name = f"{level.value} {rng.choice(TOWNS)} {rng.choice(MASCOTS)}"
        elif roll < 0.85:
            name = f"{rng.choice(TOWNS)} {rng.choice(MASCOTS)}"
        else:
            name = f"Minis {rng.choice(MASCOTS)}" if level.age <= 7 else f"{rng.choice(MASCOTS)} {level.value}"
        if rng.random() < 0.17:
            name += rng.choice(FLOURISH)
        name = _cap(_mixed_case(rng, name), 40)
        teams.append({"id": team_id, "name": name, "level": level})
        team_levels[team_id] = level
    loader.insert("teams", teams)

    coached = set()
    for coach in coaches:
        for _ in range(rng.randint(1, 3)):
            coached.add((rng.randint(1, want["teams"]), coach))
    coached |= {(1, 2), (2, 2)}  # the demo coach coaches two teams
    loader.insert("team_coaches", [{"team_id": t, "user_id": u} for t, u in sorted(coached)])

    # Players: 6 to 12 a team, shirt numbers unique within the team.
    from touchline.rosters.models import Position, season_year

    season = season_year(now.astimezone(tz).date(),
                         int(registry.get("touchline.rosters.season_start_month", 9)))
    players, player_id = [], 0
    positions = list(Position)
    for team_id in range(1, want["teams"] + 1):
        count = rng.randint(6, 12)
        shirts = rng.sample(range(1, 30), count)
        for index in range(count):
            player_id += 1
            players.append({
                "id": player_id, "team_id": team_id,
                "first_name": rng.choice(FIRST), "last_name": rng.choice(LAST),
                "birth_year": season - team_levels[team_id].age + rng.choice((1, 2)),
                "shirt_number": None if rng.random() < 0.1 else shirts[index],
                "position": positions[0] if index == 0 else (None if rng.random() < 0.15 else rng.choice(positions[1:])),
                "name_consent": rng.random() < 0.6, "photo_consent": rng.random() < 0.5,
            })
    loader.insert("players", players)
    guardians = set()
    for member in members:
        for _ in range(rng.randint(1, 2)):
            guardians.add((rng.randint(1, player_id), member))
    loader.insert("player_guardians", [{"player_id": p, "user_id": u} for p, u in sorted(guardians)])

    # Fixtures: exact shares of past and future, and of each status.
    from touchline.fixtures.models import FixtureStatus, HomeAway

    total = want["fixtures"]
    past = round(total * 0.84)
    statuses = []
    for count, shares in ((past, [(FixtureStatus.POSTPONED, 0.015), (FixtureStatus.CANCELLED, 0.03),
                                  (FixtureStatus.SCHEDULED, 0.02)]),
                          (total - past, [(FixtureStatus.POSTPONED, 0.02), (FixtureStatus.CANCELLED, 0.02)])):
        chosen = []
        for status, share in shares:
            chosen += [status] * round(count * share)
        default = FixtureStatus.PLAYED if count == past else FixtureStatus.SCHEDULED
        chosen += [default] * (count - len(chosen))
        rng.shuffle(chosen)
        statuses.append(chosen)
    fixtures = []
    for index in range(total):
        is_past = index < past
        status = statuses[0][index] if is_past else statuses[1][index - past]
        team_id = rng.randint(1, want["teams"])
        level = team_levels[team_id]
        slot = min(len(KICKOFFS) - 1, max(0, (level.age - 6) * len(KICKOFFS) // 13 + rng.choice((-1, 0, 0, 1))))
        if not is_past:
            kickoff = _weekend_kickoff(rng, now, tz, 1, 365, slot)
        elif status is FixtureStatus.POSTPONED:  # waiting for a new date: recent
            kickoff = _weekend_kickoff(rng, now, tz, -56, -2, slot)
        elif status is FixtureStatus.SCHEDULED:  # waiting for its score: last few weekends
            kickoff = _weekend_kickoff(rng, now, tz, -21, -2, slot)
        else:
            kickoff = _weekend_kickoff(rng, now, tz, -5 * 365, -2, slot)
        opponent = _cap(f"{rng.choice(OPPONENTS)} {level.label}", 80)
        side = HomeAway.HOME if rng.random() < 0.5 else HomeAway.AWAY
        venue = (f"Club ground, pitch {rng.randint(1, 4)}" if side is HomeAway.HOME
                 else _cap(f"{opponent} recreation ground", 120))
        played = status is FixtureStatus.PLAYED
        created = min(kickoff - datetime.timedelta(days=rng.randint(7, 120)), now)
        changed = rng.random() < 0.12 or played or status is not FixtureStatus.SCHEDULED
        updated = min(now, kickoff + datetime.timedelta(hours=2)) if played else (
            min(now, created + datetime.timedelta(days=rng.randint(1, 6))) if changed else created)
        fixtures.append({
            "id": index + 1, "team_id": team_id, "opponent": opponent, "home_away": side,
            "venue": venue, "kickoff": kickoff, "status": status,
            "goals_for": rng.choice((0, 0, 1, 1, 2, 2, 3, 4, 5, 7)) if played else None,
            "goals_against": rng.choice((0, 0, 1, 1, 2, 3, 4, 6)) if played else None,
            "sequence": (1 + (rng.random() < 0.2)) if changed else 0,
            "created_at": created, "updated_at": updated,
        })
    fixtures.sort(key=lambda row: (row["created_at"], row["id"]))
    for new_id, row in enumerate(fixtures, 1):  # ids in the order they were entered
        row["id"] = new_id
    loader.insert("fixtures", fixtures)

    # The shop: categories of very different sizes, products with exact prices.
    from slugify import slugify

    categories, slugs = [], set()
    for category_id in range(1, want["categories"] + 1):
        base = CATEGORY_BASES[(category_id - 1) % len(CATEGORY_BASES)]
        cycle = (category_id - 1) // len(CATEGORY_BASES)
        name = base if cycle == 0 else f"{base} {2012 + cycle}/{(13 + cycle) % 100:02d}"
        slug = slugify(name, max_length=60) or f"category-{category_id}"
        while slug in slugs:
            slug = f"{slug}-{category_id}"
        slugs.add(slug)
        categories.append({"id": category_id, "name": _cap(name, 60), "slug": slug})
    loader.insert("catalog_categories", categories)
    weights = [1 / (rank ** 0.8) for rank in range(1, want["categories"] + 1)]
    products = []
    for product_id in range(1, want["products"] + 1):
        name = f"{rng.choice(ADJECTIVES)} {rng.choice(ITEMS)}"
        if rng.random() < 0.3:
            name += f" {rng.choice(TOWNS)}"
        if rng.random() < 0.1:
            name += rng.choice(FLOURISH)
        description = "\n\n".join(
            "\n".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, 3)))
            for _ in range(rng.randint(1, 3)))
        price = decimal.Decimal(rng.randint(1, 149)) + rng.choice(
            (decimal.Decimal("0.00"), decimal.Decimal("0.50"), decimal.Decimal("0.99"), decimal.Decimal("0.95")))
        products.append({
            "id": product_id, "name": _cap(_mixed_case(rng, name), 80), "description": description,
            "category_id": rng.choices(range(1, want["categories"] + 1), weights)[0],
            "price": price, "sizes": rng.choice(SIZE_SETS), "in_stock": rng.random() < 0.85,
            "image": None,
        })
    loader.insert("catalog_products", products)


def _fill_posts(engine, registry, scale, rng, loader):
    """News posts through the ORM session, so the news add-on's own model logic runs."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    try:
        from touchline.news.models import Post, Status
        from touchline.news.slugs import base_slug
    except ImportError:
        loader.notes.append("news add-on not importable: no posts")
        return
    from touchline.users import Role, User

    want = shape(scale)["posts"]
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    with Session(engine) as session:
        writers = session.scalars(
            select(User.id).where(User.role.in_([Role.ADMIN, Role.COACH]), User.active.is_(True))
        ).all()
        taken = set()
        posts = []
        for index in range(want):
            title = rng.choice(POST_TITLES).format(
                team=f"Under {rng.randint(7, 18)} {rng.choice(MASCOTS)}", a=rng.randint(0, 6),
                b=rng.randint(0, 6), day=rng.choice(DAYS), season=f"{rng.randint(2020, 2027)}/{rng.randint(20, 28)}",
                first=rng.choice(FIRST), last=rng.choice(LAST), opp=rng.choice(OPPONENTS))
            title = _cap(_mixed_case(rng, title), 120)
            slug = base_slug(title)
            if slug in taken:
                number = 2
                while f"{slug[:72]}-{number}" in taken:
                    number += 1
                slug = f"{slug[:72].rstrip('-')}-{number}"
            taken.add(slug)
            draft = index % 10 == 9
            written = now - datetime.timedelta(days=rng.randint(1, 4 * 365), minutes=rng.randint(0, 1440))
            post = Post(title=title, body=_markdown(rng, title), slug=slug,
                        author_id=rng.choice(writers) if writers and rng.random() > 0.05 else None,
                        status=Status.DRAFT if draft else Status.PUBLISHED,
                        published_at=None if draft else written + datetime.timedelta(hours=1),
                        created_at=written, updated_at=written + datetime.timedelta(hours=1))
            posts.append(post)
        session.add_all(posts)
        session.commit()
        loader.counts["news_posts"] = len(posts)
        _derive_news(session, Post, loader)
        session.commit()


def _derive_news(session, Post, loader):
    """Columns the news add-on computes in Python (rendered HTML, excerpts), by its own functions."""
    from sqlalchemy import func, select, update

    from touchline.news import markdown

    derived = {}
    for column in Post.__table__.c:
        name = column.key.lower()
        if "html" in name and hasattr(markdown, "render"):
            derived[column.key] = lambda body: str(markdown.render(body))
        elif "excerpt" in name and hasattr(markdown, "excerpt"):
            derived[column.key] = markdown.excerpt
    for key, compute in derived.items():
        column = Post.__table__.c[key]
        empty = session.scalar(select(func.count()).where((column.is_(None)) | (column == "")))
        if not empty:
            continue
        loader.notes.append(f"news_posts.{key}: filled by touchline.news.markdown for {empty} posts")
        rows = session.execute(select(Post.__table__.c.id, Post.__table__.c.body)).all()
        for start in range(0, len(rows), BATCH):
            session.execute(
                update(Post.__table__),
                [{"id": row.id, key: compute(row.body)} for row in rows[start:start + BATCH]],
            )


def _finish(engine, loader):
    from sqlalchemy import text

    from touchline.models import Base

    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for table in Base.metadata.sorted_tables:
                pk = list(table.primary_key.columns)
                if len(pk) == 1 and pk[0].autoincrement in (True, "auto") and _is_int(pk[0]):
                    conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                        f"coalesce((SELECT max({pk[0].name}) FROM {table.name}), 0) + 1, false)"))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    touched = set(loader.counts)
    for table in Base.metadata.sorted_tables:
        if table.name not in touched and table.name not in _LEFT_EMPTY:
            loader.notes.append(f"{table.name}: not generated (left as the migrations made it)")


#: Tables a fresh site has empty: sessions, reset requests and tokens, deletions' feed stamps.
_LEFT_EMPTY = {"sessions", "password_reset_tokens", "password_reset_requests", "fixture_feed_changes"}


def _is_int(column):
    try:
        return column.type.python_type is int
    except NotImplementedError:
        return False


def _count(engine):
    from sqlalchemy import func, select

    from touchline.models import Base

    counts = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            try:
                counts[table.name] = conn.execute(select(func.count()).select_from(table)).scalar()
            except Exception:  # a model without its migration (an add-on switched off)
                conn.rollback()
    return counts


# Demo data for the peer comparison ------------------------------------------------------


def build_demo(path, teams=100, workdir=None):
    """The demo site (the add-ons' own populators), then teams up to ``teams`` for ``/teams``.

    The added teams are all Under 8 or older, so the home page (youngest age
    group: the two Minis teams; next fixtures; latest news) stays the demo's.
    Their names are like the peers' (every fifth needs escaping).
    """
    from pyramid.scripting import prepare
    from sqlalchemy import func, select

    from touchline.addons import populators
    from touchline.teams.models import Level, Team

    url = create_database("sqlite", 0, path=path)
    own_tmp = workdir is None
    workdir = workdir or tempfile.mkdtemp(prefix="touchline-bench-")
    app = stack.make_app(url, workdir, ratelimit="memory://")
    try:
        stack.migrate(app)
        env = prepare(registry=app.registry)
        try:
            request = env["request"]
            with request.tm:
                for populator in populators(app.registry):
                    populator.populate(request)
        finally:
            env["closer"]()
        engine = app.registry["touchline.engine"]
        cities = ["Springfield", "Riverside", "Fairview", "Greenville", "Bristol",
                  "Salem", "Madison", "Georgetown", "Arlington", "Ashland"]
        mascots = ["Owls", "Tigers", "Rovers", "Comets", "Giants", "Pilots", "Bears", "Hawks", "Foxes", "Wolves"]
        levels = [level for level in Level if level.age >= 8]
        with engine.begin() as conn:
            have = conn.execute(select(func.count()).select_from(Team.__table__)).scalar()
            rows = []
            for i in range(have + 1, teams + 1):
                name = f"{cities[i % len(cities)]} {mascots[(i * 7) % len(mascots)]}"
                if i % 5 == 0:
                    name += ' & "Friends" <Co>'
                rows.append({"name": name, "level": levels[i % len(levels)]})
            Loader(conn).insert("teams", rows)
    finally:
        app.registry["touchline.engine"].dispose()
        if own_tmp:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
    return url


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--backend", choices=BACKENDS, default="sqlite")
    parser.add_argument("--scale", type=int, default=1, help="1, 10 or 100 (any whole number works)")
    parser.add_argument("--path", help="SQLite file (default: <tmp>/touchline-bench-xN.sqlite)")
    parser.add_argument("--name", help="PostgreSQL database (default: touchline_bench_xN)")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--drop", action="store_true", help="drop the data set instead of building it")
    parser.add_argument("--demo", action="store_true",
                        help="the peer comparison's SQLite file: demo data, then teams up to 100")
    args = parser.parse_args()
    stack.clean_environ()
    if args.demo:
        print(build_demo(args.path or os.path.join(tempfile.gettempdir(), "touchline-bench-demo.sqlite")))
        return
    if args.drop:
        url = (f"sqlite:///{os.path.abspath(args.path or os.path.join(tempfile.gettempdir(), f'touchline-bench-x{args.scale}.sqlite'))}"
               if args.backend == "sqlite" else PG_URL.format(name=args.name or pg_name(args.scale)))
        drop_database(url)
        print(f"dropped {url}")
        return
    dataset = build(args.backend, args.scale, path=args.path, name=args.name, seed=args.seed)
    print(f"{dataset.url}  ({dataset.seconds:.1f} s, {dataset.version})")
    for table, count in dataset.counts.items():
        print(f"  {table:28} {count:>9,}")


if __name__ == "__main__":
    main()
