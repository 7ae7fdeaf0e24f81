#!/usr/bin/env python3
"""Touchline beside raw WSGI, bare Pyramid, Flask and Django: ``../shared/bench`` with Touchline added.

1. Builds an SQLite file with the demo data (the add-ons' own populators,
   as ``initialize_touchline_db`` loads it) and then teams up to 100, all
   Under 8 or older so that the home page stays the demo's (``datasets.py
   --demo``).
2. Writes an ini file that is production.ini plus the benchmark's
   overrides (``stack.py``) and ``touchline.page_size = 100``, for
   ``touchline.wsgi:application`` (``TOUCHLINE_INI``).
3. Runs ``../shared/bench/run_peers.py`` (read only; it makes its own venv
   for the peers from its requirements.txt, and needs ``wrk``) on
   gunicorn/flask, gunicorn/django, gunicorn/pyramid_bare,
   gunicorn/plainwsgi and Touchline, all ``gunicorn --workers 2
   --worker-class sync``, endpoints ``fortunes`` (Touchline: ``/``, the demo
   home page, 10 rows in three panels) and ``teams`` (Touchline: ``/teams``,
   100 teams on one page), as an anonymous visitor.
4. Runs its short RSS pass (1 round of 3 s per URL) on Touchline alone
   while it serves the whole public site (every page, feed and format), and
   takes the largest worker's resident set.
5. Prints run_peers' tables and the ratios: Touchline's server CPU µs per
   request over the better of Flask and Django, for ``fortunes`` and ``teams``.

    .venv/bin/python bench/peers.py                  # 3 rounds, ~11 min (+1-2 min the first time: venv)
    .venv/bin/python bench/peers.py --rounds 2       # ~9 min
    .venv/bin/python bench/peers.py --summarize <main>/raw.jsonl rss:<rss pass>/raw.jsonl
"""
import argparse
import datetime
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import stack  # noqa: E402

SHARED = os.path.normpath(os.environ.get("TOUCHLINE_BENCH_SHARED") or os.path.join(stack.ROOT, "..", "shared", "bench"))
PEER_TARGETS = "gunicorn/flask,gunicorn/django,gunicorn/pyramid_bare,gunicorn/plainwsgi"
NAME = "gunicorn/touchline"
FRAMEWORKS = ("gunicorn/flask", "gunicorn/django")


def gunicorn():
    candidate = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    return candidate if os.path.exists(candidate) else (shutil.which("gunicorn") or "gunicorn")


def server_cmd():
    # The peers' exact gunicorn settings (run_peers.SERVERS["gunicorn"]).
    return (f"{gunicorn()} --workers 2 --worker-class sync --bind 127.0.0.1:{{port}} "
            f"--log-level warning touchline.wsgi:application")


def site_urls(app):
    """Every public page of the demo site, and the formats: the RSS pass's load."""
    news = json.loads(stack.call(app, "/news.json", "application/json").body)
    post = stack.local(news["posts"][0]["url"]) if news.get("posts") else "/news"
    teams = json.loads(stack.call(app, "/teams.json", "application/json").body)["teams"]
    team = teams[len(teams) // 2]["id"]
    catalog = json.loads(stack.call(app, "/catalogs/products.json", "application/json").body)
    product = catalog["products"][0]["id"] if catalog.get("products") else 1
    category = catalog["products"][0]["category"]["slug"] if catalog.get("products") else ""
    return {
        "fortunes": "/", "teams": "/teams", "home_json": "/.json", "teams_json": "/teams.json",
        "teams_xml": "/teams.xml", "team": f"/teams/{team}", "team_fixtures": f"/teams/{team}/fixtures",
        "team_ics": f"/teams/{team}/fixtures.ics", "fixtures": "/fixtures",
        "results": "/fixtures/results", "news": "/news", "post": post, "feed": "/news/feed.atom",
        "catalog": "/catalogs/", "catalog_q": "/catalogs/?q=shirt",
        "category": f"/catalogs/?category={category}", "categories": "/catalogs/categories",
        "product": f"/catalogs/products/{product}", "login": "/login", "healthz": "/healthz",
        "readyz": "/readyz",
    }


def prepare(workdir):
    import datasets

    path = os.path.join(workdir, "touchline-demo.sqlite")
    url = datasets.build_demo(path, teams=100, workdir=workdir)
    ini = stack.write_ini(os.path.join(workdir, "touchline-bench.ini"), url, workdir, page_size=100)
    app = stack.make_app(url, workdir, page_size=100)
    try:
        home = json.loads(stack.call(app, "/.json", "application/json").body)
        rows = sum(len(value) for panel in home["panels"] for value in (panel["data"] or {}).values()
                   if isinstance(value, list))
        teams = json.loads(stack.call(app, "/teams.json", "application/json").body)
        for path_ in ("/", "/teams"):
            response = stack.call(app, path_, "text/html")
            if response.code != 200:
                sys.exit(f"{path_} answers {response.status} in process; not benchmarking it")
        urls = site_urls(app)
        for name, path_ in urls.items():
            response = stack.call(app, path_, "*/*")
            if response.code != 200:
                print(f"# note: {path_} answers {response.status}; left out of the RSS pass", flush=True)
                urls.pop(name)
    finally:
        app.registry["touchline.engine"].dispose()
    return url, ini, rows, len(teams["teams"]), urls


def run_peers(args, ini, urls, *, targets, rounds, duration, warmup, pause, retries, label):
    cmd = [shutil.which("python3") or sys.executable, os.path.join(SHARED, "run_peers.py"),
           "--workdir", args.workdir, "--targets", targets, "--endpoints", "fortunes,teams",
           "--rounds", str(rounds), "--duration", str(duration), "--warmup", str(warmup),
           "--pause", str(pause), "--retries", str(retries),
           "--extra-name", NAME, "--extra-server", "gunicorn", "--extra-cwd", args.workdir,
           "--extra-cmd", server_cmd(), "--extra-env", f"TOUCHLINE_INI={ini}"]
    for name, path in urls.items():
        cmd += ["--extra-url", f"{name}={path}"]
    print(f"# {label}: {shlex.join(cmd)}", flush=True)
    out_dir = None
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        for line in proc.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            found = re.search(r"results in (\S+)", line)
            if found:
                out_dir = found.group(1)
    if proc.returncode != 0 or out_dir is None:
        sys.exit(f"run_peers.py failed ({proc.returncode})")
    return os.path.join(out_dir, "raw.jsonl")


def load(paths):
    return [json.loads(line) for path in paths for line in open(path) if line.strip()]


def summarize(main_raw, rss_raw=None, max_other=10):
    sys.path.insert(0, SHARED)
    import run_peers

    rows = load(main_raw)
    med = run_peers.summarize(rows, "pyramid_bare", "gunicorn/pyramid_bare", max_other)
    targets = list(dict.fromkeys(r["target"] for r in rows))
    lines = [run_peers.render_tables(med, targets, ["fortunes", "teams"]), ""]
    lines += ["| endpoint | Touchline CPU µs/req | best of Flask, Django | Touchline ÷ best (CPU) "
              "| Touchline req/s ÷ best | Touchline ÷ bare Pyramid (CPU) | Touchline ÷ raw WSGI (CPU) |",
              "|---|---:|---|---:|---:|---:|---:|"]
    ratios = {}
    for ep in ("fortunes", "teams"):
        mine = med.get((NAME, ep))
        peers = [(t, med[(t, ep)]) for t in FRAMEWORKS if (t, ep) in med]
        if not mine or not peers:
            continue
        best_name, best = min(peers, key=lambda item: item[1]["cpu_us_per_req"])
        fastest = max(m["rps"] for _, m in peers)
        bare = med.get(("gunicorn/pyramid_bare", ep))
        raw = med.get(("gunicorn/plainwsgi", ep))
        ratio = mine["cpu_us_per_req"] / best["cpu_us_per_req"]
        ratios[ep] = ratio
        vs_bare = f"{mine['cpu_us_per_req'] / bare['cpu_us_per_req']:.2f}" if bare else "-"
        vs_raw = f"{mine['cpu_us_per_req'] / raw['cpu_us_per_req']:.2f}" if raw else "-"
        lines.append(
            f"| {ep} (Touchline `{'/' if ep == 'fortunes' else '/teams'}`) | {mine['cpu_us_per_req']:.0f} "
            f"| {best_name.split('/')[1]} {best['cpu_us_per_req']:.0f} | **{ratio:.2f}** "
            f"| {mine['rps'] / fastest:.2f} | {vs_bare} | {vs_raw} |")
    if rss_raw:
        rss_rows = load(rss_raw)
        mine = [r for r in rss_rows if r["target"] == NAME]
        if mine:
            peak = max(r.get("rss_mb") or 0 for r in mine)
            errors = sum(r["errors"] for r in mine)
            lines += ["", f"Touchline serving the whole public site ({len(mine)} URLs, 3 s each, one "
                      f"gunicorn run, {errors} errors): largest worker RSS **{peak} MB**."]
    peers_rss = {t: max((r.get("rss_mb") or 0) for r in rows if r["target"] == t) for t in targets}
    lines += ["", "Largest worker RSS after the fortunes/teams runs, MB: "
              + ", ".join(f"{t.split('/')[1]} {v}" for t, v in peers_rss.items()) + "."]
    return "\n".join(lines), ratios


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "touchline-bench", "peers"),
                        help="the peers' venv, the SQLite files, logs and results (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--retries", type=int, default=1,
                        help="re-runs of a run disturbed by other CPU load (run_peers' --retries; default 1)")
    parser.add_argument("--targets", default=PEER_TARGETS, help="the peers (default: %(default)s)")
    parser.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                        help="before starting, wait up to SECONDS for the CPU to be mostly idle")
    parser.add_argument("--no-rss", action="store_true", help="skip the whole-site RSS pass")
    parser.add_argument("--summarize", nargs="+", metavar="RAW_JSONL",
                        help="print the tables and ratios of earlier runs (main pass, then optionally "
                        "the RSS pass's raw.jsonl as the last file, marked with rss:)")
    parser.add_argument("--output", help="also write the markdown here")
    args = parser.parse_args()
    if args.summarize:
        main_raw = [p for p in args.summarize if not p.startswith("rss:")]
        rss_raw = [p[4:] for p in args.summarize if p.startswith("rss:")]
        print(summarize(main_raw, rss_raw)[0])
        return
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install -y wrk")
    stack.clean_environ()
    args.workdir = os.path.abspath(args.workdir)
    os.makedirs(args.workdir, exist_ok=True)
    run_dir = tempfile.mkdtemp(prefix=f"run-{os.getpid()}-", dir=args.workdir)
    url, ini, home_rows, team_rows, urls = prepare(run_dir)
    if args.wait_quiet:
        stack.wait_for_quiet(args.wait_quiet)
    started = datetime.datetime.now().astimezone()
    load_before = stack.loadavg()
    print(f"# Touchline: {url}, {ini}; home page {home_rows} rows, /teams {team_rows} rows", flush=True)
    main_raw = run_peers(args, ini, {"fortunes": "/", "teams": "/teams"}, targets=args.targets,
                         rounds=args.rounds, duration=args.duration, warmup=2, pause=5,
                         retries=args.retries, label="main pass")
    rss_raw = None
    if not args.no_rss:
        rss_raw = run_peers(args, ini, urls, targets="none", rounds=1, duration=3, warmup=1, pause=1,
                            retries=0, label="RSS pass (whole site)")
    finished = datetime.datetime.now().astimezone()
    vers = stack.versions()
    header = "\n".join([
        f"Peer comparison, `bench/peers.py --rounds {args.rounds}` (../shared/bench/run_peers.py, "
        f"wrk -t2 -c16 -d{args.duration}s, gunicorn 2 sync workers each, SQLite, anonymous):",
        "",
        f"- date: {started:%Y-%m-%d %H:%M} to {finished:%H:%M %Z} ({(finished - started).total_seconds() / 60:.0f} min)",
        f"- machine: {stack.machine()}",
        f"- load average (1, 5, 15 min): before {load_before}, after {stack.loadavg()}",
        f"- Python {vers['Python']}, gunicorn {vers.get('gunicorn', '?')}, code: {stack.git_state()}",
        f"- Touchline: production.ini stack, `touchline.page_size = 100`; `fortunes` = `/` (demo data, "
        f"{home_rows} rows in three panels), `teams` = `/teams` ({team_rows} teams); raw runs: "
        f"{main_raw}" + (f", {rss_raw}" if rss_raw else ""),
    ])
    body, ratios = summarize([main_raw], [rss_raw] if rss_raw else None)
    report = header + "\n\n" + body
    print("\n" + report)
    if args.output:
        with open(args.output, "w") as f:
            f.write(report + "\n")
    for ep, ratio in ratios.items():
        print(f"RATIO {ep}: Touchline CPU/req ÷ best of Flask, Django = {ratio:.2f}")


if __name__ == "__main__":
    main()
