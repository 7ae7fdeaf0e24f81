#!/usr/bin/env python3
"""How Touchline's public pages grow with the data: x1, x10, x100, SQLite and PostgreSQL.

For each backend and scale it builds the data set (``datasets.py``), builds
the application from production.ini's settings (the whole stack: hardening,
security policy, session lookup, pyramid_tm, pyramid_retry; see
``stack.py``), and calls the WSGI application in process (no server, no
socket) for every public page and feed, as an anonymous visitor, and the
home page also as a logged-in member (logged in through ``POST /login``).

Each page: two warm-up calls, then ``--rounds`` rounds of at least
``--min-time`` seconds (one call at least); the figure is the median of the
rounds' microseconds per request.  The SQL statements of one request are
counted on the engine's ``before_cursor_execute`` (savepoints left out, like
``touchline.testing.QueryCounter``).  A response with another status than
expected is reported, not timed.

Deep pages are reached the way a visitor reaches them: by following each
page's own ``next`` link (its ``page`` object in JSON), once per data set
and untimed; when the links carry nothing but the page number the walk
jumps straight to it.  The same depth asked for with a bare ``?page=N``
(a bookmark) is timed separately.  Depths scale with the data: teams page
400, results page 7,955 and catalog page 4,000 at x100 are pages 4, 80 and
40 at x1.

    .venv/bin/python bench/pages.py                        # everything, ~10 min
    .venv/bin/python bench/pages.py --backends sqlite --scales 1,10 --rounds 3
    .venv/bin/python bench/pages.py --pages home,teams,results-deep --scales 100
    .venv/bin/python bench/pages.py --output bench/results/pages.md --json bench/results/pages.json
    .venv/bin/python bench/pages.py --list                 # the page names
"""
import argparse
import datetime
import gc
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from urllib.parse import parse_qsl, urlencode, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import datasets  # noqa: E402
import stack  # noqa: E402

HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # a browser's
JSON = "application/json"
ANY = "*/*"
#: Depths at x100 (pages of 20); smaller scales go proportionally deep.
DEPTH_X100 = {"teams": 400, "results": 7955, "catalog": 4000}
COMMON_WORD = "shirt"

#: name -> (label, what it needs); the order of the tables.
PAGES = {
    "home": "home `/`",
    "home-member": "home `/`, logged-in member",
    "teams": "teams `/teams`",
    "teams-deep": "teams, page {teams} (by `next` links)",
    "teams-deep-bare": "teams `?page={teams}` (bare)",
    "team": "team `/teams/{{id}}`",
    "team-fixtures": "team fixtures `/teams/{{id}}/fixtures`",
    "team-ics": "team calendar `/teams/{{id}}/fixtures.ics` (200)",
    "team-ics-304": "team calendar, If-None-Match (304)",
    "fixtures": "fixtures `/fixtures`",
    "results": "results `/fixtures/results`",
    "results-deep": "results, page {results} (by `next` links)",
    "results-deep-bare": "results `?page={results}` (bare)",
    "news": "news `/news`",
    "post": "post `/news/{{slug}}`",
    "feed": "feed `/news/feed.atom` (200)",
    "feed-304": "feed, If-None-Match (304)",
    "catalog": "catalog `/catalogs/`",
    "catalog-deep": "catalog, page {catalog} (by `next` links)",
    "catalog-deep-bare": "catalog `?page={catalog}` (bare)",
    "catalog-q-none": "catalog `?q=zzz` (no match)",
    "catalog-q-common": f"catalog `?q={COMMON_WORD}`",
    "category": "category `?category=` (largest)",
    "category-small": "category `?category=` (smallest)",
    "categories": "categories `/catalogs/categories`",
    "product": "product `/catalogs/products/{{id}}`",
    "healthz": "`/healthz`",
}
DEEP = {"teams-deep": "teams", "teams-deep-bare": "teams", "results-deep": "results",
        "results-deep-bare": "results", "catalog-deep": "catalog", "catalog-deep-bare": "catalog"}
START = {"teams": "/teams", "results": "/fixtures/results", "catalog": "/catalogs/"}


def depth(kind, scale):
    return max(2, round(DEPTH_X100[kind] * scale / 100))


# Getting there -------------------------------------------------------------------------


def _query(url):
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def walk(app, start, target):
    """Follow ``next`` links (JSON) from ``start`` to page ``target``.

    Returns (url, page reached, requests made, seconds, how).  When a page's
    ``next`` link differs from the page's own URL only by the page number,
    the links hold no position and the walk jumps to ``page=target``.
    """
    started = time.perf_counter()
    url, number, requests = start, 1, 0
    while True:
        response = stack.call(app, url, JSON)
        requests += 1
        if response.code != 200:
            raise RuntimeError(f"walking to page {target}: {url} answered {response.status}")
        page = json.loads(response.body).get("page") or {}
        number = page.get("number", number)
        if number >= target:
            return url, number, requests, time.perf_counter() - started, "links"
        following = page.get("next")
        if not following:
            return url, number, requests, time.perf_counter() - started, "links (list ended)"
        following = stack.local(following)
        mine, theirs = _query(url), _query(following)
        mine.pop("page", None)
        theirs.pop("page", None)
        if mine == theirs:  # no cursor in the links: the page number is all there is
            query = dict(_query(following), page=str(target))
            jump = urlsplit(following).path + "?" + urlencode(query)
            response = stack.call(app, jump, JSON)
            requests += 1
            if response.code == 200:
                return jump, target, requests, time.perf_counter() - started, "page number (links carry no cursor)"
        url = following


def bare(url, number):
    """``url`` without its position, asking for page ``number`` only."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k == "page" or not (k.endswith("after") or k.endswith("before"))]
    query = [(k, v) for k, v in query if k != "page"] + [("page", str(number))]
    return parts.path + "?" + urlencode(query)


def login(app, username="member", password=datasets.BENCH_PASSWORD):
    """The Cookie header of a session logged in through the login form."""
    response = stack.call(app, "/login.json", JSON)
    if response.code != 200:
        raise RuntimeError(f"/login.json answered {response.status}")
    token = json.loads(response.body)["login"]["csrf_token"]
    cookies = response.cookies()
    body = urlencode({"username": username, "password": password, "csrf_token": token,
                      "next": "/"}).encode()
    response = stack.call(
        app, "/login", HTML, method="POST", body=body,
        content_type="application/x-www-form-urlencoded",
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                 "Origin": stack.BASE_URL, "Referer": stack.BASE_URL + "/login"},
    )
    session = {k: v for k, v in response.cookies().items() if "session" in k and v}
    if response.code not in (302, 303) or not session:
        raise RuntimeError(f"logging in as {username}: {response.status}, cookies {list(response.cookies())}")
    return "; ".join(f"{k}={v}" for k, v in session.items())


def context(app, dataset, wanted):
    """The URLs to time on this data set, and notes on how they were chosen."""
    from sqlalchemy import func, select

    from touchline.catalog.models import Category, Product
    from touchline.fixtures.models import Fixture
    from touchline.news.models import Post, Status

    engine = app.registry["touchline.engine"]
    notes, urls = [], {}
    with engine.connect() as conn:
        # The team whose number of fixtures is nearest the mean (the same load at every scale).
        per_team = select(Fixture.team_id, func.count().label("n")).group_by(Fixture.team_id).subquery()
        mean = conn.execute(select(func.avg(per_team.c.n))).scalar() or 0
        team_id, fixture_count = conn.execute(
            select(per_team.c.team_id, per_team.c.n)
            .order_by(func.abs(per_team.c.n - mean), per_team.c.team_id).limit(1)).first()
        notes.append(f"team {team_id}: {fixture_count} fixtures (mean {float(mean):.1f})")
        slug = conn.execute(select(Post.slug).where(Post.status == Status.PUBLISHED)
                            .order_by(Post.published_at.desc(), Post.id.desc()).limit(1)).scalar()
        product_id = conn.execute(select(Product.id).order_by(Product.id)
                                  .offset(conn.execute(select(func.count(Product.id))).scalar() // 2)
                                  .limit(1)).scalar()
        sizes = select(Product.category_id, func.count().label("n")).group_by(Product.category_id).subquery()
        largest = conn.execute(select(Category.slug, sizes.c.n).join(sizes, sizes.c.category_id == Category.id)
                               .order_by(sizes.c.n.desc(), Category.id).limit(1)).first()
        smallest = conn.execute(select(Category.slug, sizes.c.n).join(sizes, sizes.c.category_id == Category.id)
                                .order_by(sizes.c.n, Category.id).limit(1)).first()
        common = conn.execute(select(func.count()).select_from(Product).where(
            Product.name.ilike(f"%{COMMON_WORD}%") | Product.description.ilike(f"%{COMMON_WORD}%"))).scalar()
        notes.append(f"categories: largest `{largest.slug}` ({largest.n} products), "
                     f"smallest `{smallest.slug}` ({smallest.n}); `{COMMON_WORD}` matches {common} products")
    urls.update({
        "home": "/", "home-member": "/", "teams": "/teams", "team": f"/teams/{team_id}",
        "team-fixtures": f"/teams/{team_id}/fixtures", "team-ics": f"/teams/{team_id}/fixtures.ics",
        "team-ics-304": f"/teams/{team_id}/fixtures.ics", "fixtures": "/fixtures",
        "results": "/fixtures/results", "news": "/news", "post": f"/news/{slug}",
        "feed": "/news/feed.atom", "feed-304": "/news/feed.atom", "catalog": "/catalogs/",
        "catalog-q-none": "/catalogs/?q=zzz", "catalog-q-common": f"/catalogs/?q={COMMON_WORD}",
        "category": f"/catalogs/?category={largest.slug}",
        "category-small": f"/catalogs/?category={smallest.slug}",
        "categories": "/catalogs/categories", "product": f"/catalogs/products/{product_id}",
        "healthz": "/healthz",
    })
    for kind in {DEEP[name] for name in wanted if name in DEEP}:
        target = depth(kind, dataset.scale)
        try:
            url, reached, requests, seconds, how = walk(app, START[kind], target)
        except Exception as error:  # noqa: BLE001 - a page that fails on the way is a finding
            notes.append(f"{kind}: could not walk to page {target}: {error}")
            continue
        if reached < target:
            notes.append(f"{kind}: the list ends at page {reached}, before page {target}")
        notes.append(f"{kind} page {reached}: reached by {how}, {requests} requests in {seconds:.1f} s "
                     f"(not timed): `{url}`")
        urls[f"{kind}-deep"] = url
        urls[f"{kind}-deep-bare"] = bare(url, reached)
    return urls, notes


# Timing ----------------------------------------------------------------------------------


class Counter:
    def __init__(self, engine):
        from sqlalchemy import event

        self.engine, self.statements, self.event = engine, [], event

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            self.statements.append(statement)

    def __enter__(self):
        self.event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        self.event.remove(self.engine, "before_cursor_execute", self._record)


class Setup:
    """One data set with its application, the URLs to time on it and the headers to send."""

    def __init__(self, dataset, workdir, wanted):
        self.dataset = dataset
        self.backend, self.scale = dataset.backend, dataset.scale
        self.app = stack.make_app(dataset.url, workdir)
        self.urls, self.notes = context(self.app, dataset, wanted)
        self.headers = {name: {} for name in wanted}
        if "home-member" in wanted:
            try:
                self.headers["home-member"] = {"Cookie": login(self.app)}
            except Exception as error:  # noqa: BLE001 - reported in the table
                self.notes.append(f"home-member: could not log in: {error}")
                self.headers["home-member"] = None
        for name in ("team-ics-304", "feed-304"):
            if name in wanted:
                response = stack.call(self.app, self.urls[name], ANY)
                etag = response.header("ETag")
                self.headers[name] = {"If-None-Match": etag} if etag else None
                if not etag:
                    self.notes.append(f"{name}: {self.urls[name]} sends no ETag ({response.status})")
        self.rows = {}

    def close(self):
        self.app.registry["touchline.engine"].dispose()


def accept_for(name):
    return ANY if name in ("team-ics", "team-ics-304", "feed", "feed-304", "healthz") else HTML


def check(setup, name):
    """Warm the page up and count its queries; an error message if it does not answer as expected."""
    url, headers = setup.urls.get(name), setup.headers.get(name)
    if url is None or headers is None:
        return "not measured"
    accept, expect = accept_for(name), 304 if name.endswith("-304") else 200
    started = time.perf_counter()
    response = stack.call(setup.app, url, accept, headers)
    first = time.perf_counter() - started
    if response.code != expect:
        detail = response.body[:300].decode("utf-8", "replace").replace("\n", " ")
        return f"{response.status} (expected {expect}) after {first * 1000:.0f} ms: {detail}"
    stack.call(setup.app, url, accept, headers)
    with Counter(setup.app.registry["touchline.engine"]) as counter:
        stack.call(setup.app, url, accept, headers)
    setup.rows[name] = {"url": url, "queries": len(counter.statements), "rounds": [], "error": None,
                        "first_ms": first * 1000}
    return None


def one_round(setup, name, min_time):
    """Microseconds per request over one round of at least ``min_time`` seconds."""
    app, url, headers, accept = setup.app, setup.urls[name], setup.headers[name], accept_for(name)
    count, started = 0, time.perf_counter()
    while True:
        stack.call(app, url, accept, headers)
        count += 1
        elapsed = time.perf_counter() - started
        if elapsed >= min_time:
            return elapsed / count * 1e6


def time_pages(setups, wanted, rounds, min_time, log):
    """Every page on every data set, the rounds interleaved.

    Round r visits the data sets in an order rotated by r (reversed every
    other round), so outside load that comes and goes falls on every scale
    and backend alike and the ratios between them stay meaningful.
    """
    for name in wanted:
        live = []
        for setup in setups:
            error = check(setup, name)
            if error:
                setup.rows[name] = {"url": setup.urls.get(name), "queries": None, "rounds": [],
                                    "error": error, "us": None}
                if error != "not measured":
                    setup.notes.append(f"{name}: `{setup.urls.get(name)}` answered {error[:300]}")
                log(f"  {name:18} {setup.backend:10} x{setup.scale:<3} FAILED {error[:200]}")
            else:
                live.append(setup)
        for index in range(rounds):
            k = index % len(live) if live else 0
            order = live[k:] + live[:k]
            for setup in (order if index % 2 == 0 else order[::-1]):
                gc.collect()
                setup.rows[name]["rounds"].append(one_round(setup, name, min_time))
        for setup in live:
            row = setup.rows[name]
            row["us"] = statistics.median(row["rounds"])
        log(f"  {name:18} " + "  ".join(
            f"{s.backend[:6]} x{s.scale}: " + (f"{s.rows[name]['us']:,.0f} us/{s.rows[name]['queries']}q"
                                              if s.rows[name].get("us") is not None else "FAILED")
            for s in setups))


# The report ------------------------------------------------------------------------------


def fmt_us(value):
    return "-" if value is None else f"{value:,.0f}"


def render(results, header, wanted, scales, backends):
    lines = [header, ""]
    for backend in backends:
        runs = {scale: results.get((backend, scale)) for scale in scales}
        if not any(runs.values()):
            continue
        version = next((r["dataset"]["version"] for r in runs.values() if r), "")
        lines.append(f"### {backend} ({version})")
        lines.append("")
        cols = [f"x{s} µs" for s in scales]
        ratio = len(scales) > 1
        lines.append("| page | " + " | ".join(cols) + (f" | x{scales[-1]}/x{scales[0]} " if ratio else " ")
                     + "| queries |")
        lines.append("|---|" + "---:|" * len(scales) + ("---:|" if ratio else "") + "---|")
        for name in wanted:
            label = PAGES[name].format(**{k: "N" if len(scales) > 1 else depth(k, scales[0]) for k in DEPTH_X100})
            if name in DEEP and len(scales) > 1:
                label = PAGES[name].format(**{k: "/".join(str(depth(k, s)) for s in scales) for k in DEPTH_X100})
            cells, counts = [], []
            for scale in scales:
                run = runs[scale]
                row = run["pages"].get(name) if run else None
                if row is None:
                    cells.append("-")
                    counts.append("-")
                elif row["error"]:
                    cells.append("**" + row["error"].split(" ", 1)[0] + "**")
                    counts.append("-")
                else:
                    cells.append(fmt_us(row["us"]))
                    counts.append(str(row["queries"]))
            first, last = (runs[scales[0]] or {}).get("pages", {}).get(name), (runs[scales[-1]] or {}).get("pages", {}).get(name)
            growth = (f"{last['us'] / first['us']:.2f}" if first and last and first["us"] and last["us"] else "-")
            queries = counts[0] if len(set(counts)) == 1 else " / ".join(counts)
            lines.append(f"| {label} | " + " | ".join(cells) + (f" | {growth}" if ratio else "") + f" | {queries} |")
        lines.append("")
        for scale in scales:
            run = runs[scale]
            if not run:
                continue
            d = run["dataset"]
            c = d["counts"]
            lines.append(
                f"- x{scale}: built in {d['seconds']:.0f} s ({c.get('teams', 0):,} teams, "
                f"{c.get('fixtures', 0):,} fixtures, {c.get('news_posts', 0):,} posts, "
                f"{c.get('catalog_products', 0):,} products in {c.get('catalog_categories', 0):,} categories, "
                f"{c.get('users', 0):,} accounts, {c.get('players', 0):,} players); "
                + "; ".join(run["notes"]))
        lines.append("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma list (--list shows them)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--min-time", type=float, default=0.3, help="seconds per round (default 0.3)")
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "touchline-bench"),
                        help="SQLite files, mail queue and uploads (default: %(default)s)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the data sets (SQLite files in --workdir/run-*, PostgreSQL "
                        "databases touchline_bench_<pid>_xN) instead of dropping them")
    parser.add_argument("--output", help="also write the markdown here")
    parser.add_argument("--json", help="also write the raw results here")
    parser.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                        help="before timing, wait up to SECONDS for the CPU to be mostly idle "
                        "(other processes under 25 %%)")
    parser.add_argument("--list", action="store_true", help="list the page names and exit")
    args = parser.parse_args()
    if args.list:
        for name, label in PAGES.items():
            print(f"{name:18} {label.format(teams='N', results='N', catalog='N')}")
        return
    stack.clean_environ()
    backends = [b for b in args.backends.split(",") if b]
    scales = [int(s) for s in args.scales.split(",") if s]
    wanted = [p for p in args.pages.split(",") if p]
    unknown = [p for p in wanted + backends if p not in PAGES and p not in datasets.BACKENDS]
    if unknown:
        sys.exit(f"unknown page or backend: {', '.join(unknown)} (see --list)")
    os.makedirs(args.workdir, exist_ok=True)
    # Names of this run only: several runs (or other users of datasets.py) may share the machine.
    run_dir = tempfile.mkdtemp(prefix=f"run-{os.getpid()}-", dir=args.workdir)
    run_tag = f"{os.getpid()}"

    def log(message):
        print(message, file=sys.stderr, flush=True)

    setups, pg_version = [], None
    try:
        for backend in backends:
            for scale in scales:
                path = os.path.join(run_dir, f"x{scale}.sqlite")
                name = datasets.pg_name(scale, f"touchline_bench_{run_tag}")
                dataset = datasets.build(backend, scale, path=path, name=name, workdir=run_dir, quiet=True)
                log(f"# {backend} x{scale}: built in {dataset.seconds:.1f} s ({dataset.version})"
                    + "".join(f"\n#   note: {n}" for n in dataset.notes))
                if backend == "postgresql":
                    pg_version = dataset.version
                setup = Setup(dataset, run_dir, wanted)
                setups.append(setup)
                for note in setup.notes:
                    log(f"#   {note}")
        if args.wait_quiet:
            stack.wait_for_quiet(args.wait_quiet, log=log)
        started = datetime.datetime.now().astimezone()
        load_before = stack.loadavg()
        time_pages(setups, wanted, args.rounds, args.min_time, log)
    finally:
        for setup in setups:
            setup.close()
            if not args.keep:
                datasets.drop_database(setup.dataset.url)
        if args.keep:
            log("# kept: " + ", ".join(setup.dataset.url for setup in setups))
        else:
            shutil.rmtree(run_dir, ignore_errors=True)
    results = {}
    for setup in setups:
        d = setup.dataset
        results[(setup.backend, setup.scale)] = {
            "dataset": {"url": d.url, "seconds": d.seconds, "counts": d.counts,
                        "version": d.version, "notes": d.notes},
            "pages": setup.rows, "notes": d.notes + setup.notes,
        }
    finished = datetime.datetime.now().astimezone()
    vers = stack.versions()
    header = "\n".join([
        f"In-process page costs, `bench/pages.py --rounds {args.rounds}`: median µs per request "
        f"(rounds of ≥ {args.min_time} s, every data set's rounds interleaved), SQL statements per request.",
        "",
        f"- date: {started:%Y-%m-%d %H:%M} to {finished:%H:%M %Z} ({(finished - started).total_seconds() / 60:.0f} min "
        f"of timing, after building the data sets)",
        f"- machine: {stack.machine()}",
        f"- load average (1, 5, 15 min): before {load_before}, after {stack.loadavg()}",
        f"- Python {vers['Python']}, SQLite {vers['SQLite']}, PostgreSQL {pg_version or '-'}, "
        f"SQLAlchemy {vers.get('SQLAlchemy', '?')}, pyramid {vers.get('pyramid', '?')}, psycopg {vers.get('psycopg', '?')}",
        f"- code: {stack.git_state()}",
        "- stack: production.ini (all six add-ons, pyramid_tm, pyramid_retry, hardening, sessions), "
        "anonymous visitor unless stated; page size 20",
    ])
    report = render(results, header, wanted, scales, backends)
    print(report)
    if args.output:
        with open(args.output, "w") as f:
            f.write(report + "\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"header": header, "results": {f"{b}/x{s}": r for (b, s), r in results.items()}},
                      f, indent=1, default=str)


if __name__ == "__main__":
    main()
