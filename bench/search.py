#!/usr/bin/env python3
"""The site's search (``/search?q=``) at x1 and x100: about 1,000 and 100,000 records a type.

Builds the data sets with ``datasets.py`` (x1: 100 teams, 2,000 fixtures, 50
posts, 1,000 products, ~900 players; x100: 10,000 teams, 200,000 fixtures,
5,000 posts, 100,000 products, ~90,000 players), on SQLite and PostgreSQL,
builds the application from production.ini's settings (``stack.py``) and
calls it in process, as ``pages.py`` does: two warm-up calls, one call
counting the SQL statements, then ``--rounds`` rounds of at least
``--min-time`` seconds; the figure is the median µs per request.

Searches: a word nothing has (``zzz``), a word in a sixth of the products
(``shirt``), a word of team names and opponents (``wolves``), two letters
that begin thousands of words (``un``), two words (``under wolves``), and
``shirt`` again as a logged-in member (players are searched too).

    .venv/bin/python bench/search.py                       # both backends, x1 and x100
    .venv/bin/python bench/search.py --backends sqlite --scales 1 --rounds 3
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import datasets  # noqa: E402
import pages  # noqa: E402
import stack  # noqa: E402

SEARCHES = {
    "no match `zzz`": ("/search?q=zzz", False),
    "common `shirt`": ("/search?q=shirt", False),
    "teams and opponents `wolves`": ("/search?q=wolves", False),
    "two letters `un`": ("/search?q=un", False),
    "two words `under wolves`": ("/search?q=under+wolves", False),
    "`shirt`, logged-in member": ("/search?q=shirt", True),
}


def time_url(app, url, headers, rounds, min_time):
    stack.call(app, url, pages.HTML, headers)
    stack.call(app, url, pages.HTML, headers)
    with pages.Counter(app.registry["touchline.engine"]) as counter:
        response = stack.call(app, url, pages.HTML, headers)
    if response.code != 200:
        raise RuntimeError(f"{url} answered {response.status}")
    figures = []
    for _ in range(rounds):
        count, started = 0, time.perf_counter()
        while True:
            stack.call(app, url, pages.HTML, headers)
            count += 1
            elapsed = time.perf_counter() - started
            if elapsed >= min_time:
                break
        figures.append(elapsed / count * 1e6)
    return statistics.median(figures), len(counter.statements)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--scales", default="1,100")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--min-time", type=float, default=0.3)
    args = parser.parse_args()
    backends, scales = args.backends.split(","), [int(s) for s in args.scales.split(",")]
    workdir = tempfile.mkdtemp(prefix="touchline-bench-search-")
    results = {}
    built = []
    print(f"load average before: {stack.loadavg()}", file=sys.stderr)
    try:
        for backend in backends:
            for scale in scales:
                path = os.path.join(workdir, f"x{scale}.sqlite") if backend == "sqlite" else None
                name = datasets.pg_name(scale, prefix=f"touchline_bench_search_{os.getpid()}")
                dataset = datasets.build(backend, scale, path=path, name=name, workdir=workdir)
                built.append(dataset)
                app = stack.make_app(dataset.url, workdir)
                member = {"Cookie": pages.login(app)}
                try:
                    for label, (url, logged_in) in SEARCHES.items():
                        results[backend, scale, label] = time_url(
                            app, url, member if logged_in else {}, args.rounds, args.min_time)
                finally:
                    app.registry["touchline.engine"].dispose()
    finally:
        for dataset in built:
            if dataset.backend == "postgresql":
                datasets.drop_database(dataset.url)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"load average after: {stack.loadavg()}", file=sys.stderr)
    for backend in backends:
        print(f"\n#### {backend}\n")
        print("| search | " + " | ".join(f"x{s} µs" for s in scales) + " | queries |")
        print("|---|" + "---:|" * len(scales) + "---|")
        for label in SEARCHES:
            cells = [f"{results[backend, s, label][0]:,.0f}" for s in scales]
            queries = "/".join(str(results[backend, s, label][1]) for s in scales)
            print(f"| {label} | " + " | ".join(cells) + f" | {queries} |")


if __name__ == "__main__":
    main()
