"""The console scripts: initialize_touchline_db, alembic, pshell, proutes."""
import os
import re
import sqlite3

from tests.conftest import run_script


def count_teams(ini):
    path = ini + ".sqlite"
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM teams").fetchone()[0]


def test_initialize_migrates_and_loads_demo_data_once(make_ini):
    ini = make_ini(**{"touchline.demo_data": "true"})
    first = run_script("initialize_touchline_db", ini)
    assert first.returncode == 0, first.stderr
    teams = count_teams(ini)
    assert teams >= 12
    second = run_script("initialize_touchline_db", ini)
    assert second.returncode == 0, second.stderr
    assert count_teams(ini) == teams


def test_initialize_without_demo_data_only_migrates(make_ini):
    ini = make_ini(**{"touchline.demo_data": "true"})
    result = run_script("initialize_touchline_db", ini, "--no-demo-data")
    assert result.returncode == 0, result.stderr
    assert count_teams(ini) == 0


def folder_heads(ini, prefix):
    """The heads on disk of every branch whose revisions start with ``prefix``, for the site
    built from ``ini`` (read as the Alembic environment does; ``alembic heads`` on the command
    line sees only the ini's own folders)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from pyramid.paster import get_appsettings

    from touchline import main
    from touchline.addons import migration_folders

    registry = main({"__file__": ini}, **get_appsettings(ini)).registry
    alembic_config = Config(ini)
    alembic_config.set_main_option("version_locations", os.pathsep.join(migration_folders(registry)))
    alembic_config.set_main_option("path_separator", "os")
    return sorted(revision for revision in ScriptDirectory.from_config(alembic_config).get_heads()
                  if revision.startswith(prefix + "_"))


def head_of(ini, branch):
    """The newest revision of ``branch`` on disk, so that a new migration needs no edit here:
    "teams_0004", not the teams' search index's own branch ("teams_search_0001")."""
    (head,) = [revision for revision in folder_heads(ini, branch) if re.fullmatch(rf"{branch}_\d+", revision)]
    return head


def test_alembic_upgrade_heads_adds_an_addon_enabled_later(make_ini):
    bare = make_ini("site.ini", **{"touchline.addons": ""})
    result = run_script("alembic", "-c", bare, "upgrade", "heads")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(bare + ".sqlite") as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert "teams" not in tables
    # The same database, now with the teams add-on named in the ini.
    with_teams = make_ini("site.ini", **{"touchline.addons": "touchline.teams"})
    result = run_script("alembic", "-c", with_teams, "upgrade", "heads")
    assert result.returncode == 0, result.stderr
    assert count_teams(with_teams) == 0
    current = run_script("alembic", "-c", with_teams, "current")
    assert f"{head_of(with_teams, 'teams')} (head)" in current.stdout


def test_pshell_offers_the_variables_and_aborts_on_exit(make_ini):
    ini = make_ini()
    assert run_script("initialize_touchline_db", ini).returncode == 0
    session = (
        "print('TEAM', models.Team is Team, Level.U09.label)\n"
        "dbsession.add(Team(name='Not kept'))\n"
        "dbsession.flush()\n"
        "print('COUNT', dbsession.query(Team).count())\n"
    )
    result = run_script("pshell", "-p", "python", ini, input=session)
    assert result.returncode == 0, result.stderr
    out = result.stdout + result.stderr
    for name in ("dbsession", "tm", "models", "Team", "Level"):
        assert f"\n  {name} " in out, out
    assert "The transaction: tm.commit() to save" in out
    assert "The age groups, U06 to U18" in out
    assert "TEAM True Under 9s" in out
    assert "COUNT 1" in out
    assert count_teams(ini) == 0


def test_pshell_keeps_what_was_committed(make_ini):
    ini = make_ini()
    assert run_script("initialize_touchline_db", ini).returncode == 0
    session = "dbsession.add(Team(name='Kept'))\ntm.commit()\n"
    result = run_script("pshell", "-p", "python", ini, input=session)
    assert result.returncode == 0, result.stderr
    assert count_teams(ini) == 1


def test_proutes_lists_the_routes(make_ini):
    result = run_script("proutes", make_ini())
    assert result.returncode == 0, result.stderr
    for name in ("home", "teams.list", "teams.show", "healthz", "readyz", "__static/"):
        assert name in result.stdout


def test_pviews_finds_the_team_view(make_ini):
    ini = make_ini(**{"touchline.demo_data": "true"})
    assert run_script("initialize_touchline_db", ini).returncode == 0
    result = run_script("pviews", ini, "/teams/1")
    assert result.returncode == 0, result.stderr
    assert "touchline.teams.views.team_show" in result.stdout


def test_switching_an_addon_off_and_on_again_keeps_migrating(make_ini):
    with_teams = make_ini("site.ini", **{"touchline.addons": "touchline.teams"})
    # The teams add-on's heads (its own branch and its search index's) and the core's.
    heads = sorted([*folder_heads(with_teams, "teams"), head_of(with_teams, "touchline")])
    assert run_script("alembic", "-c", with_teams, "upgrade", "heads").returncode == 0
    without = make_ini("site.ini", **{"touchline.addons": ""})  # the same file, rewritten
    result = run_script("initialize_touchline_db", without)
    assert result.returncode == 0, result.stderr
    result = run_script("alembic", "-c", without, "upgrade", "heads")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(without + ".sqlite") as connection:
        versions = [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]
    # teams kept for when it comes back
    assert sorted(versions) == heads
    with_teams = make_ini("site.ini", **{"touchline.addons": "touchline.teams"})
    result = run_script("alembic", "-c", with_teams, "upgrade", "heads")
    assert result.returncode == 0, result.stderr
    assert heads[0] in run_script("alembic", "-c", with_teams, "current").stdout
