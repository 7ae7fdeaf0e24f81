"""touchline_user: the first admin, password resets from a shell."""
from tests.conftest import run_script


def test_add_list_and_passwd(make_ini):
    ini = make_ini()
    assert run_script("initialize_touchline_db", ini).returncode == 0
    added = run_script("touchline_user", ini, "add", "--role", "admin", "--email", "a@example.org",
                       "first-admin", "--password-stdin", input="a long password\n")
    assert added.returncode == 0, added.stderr
    listed = run_script("touchline_user", ini, "list")
    assert "first-admin" in listed.stdout and "admin" in listed.stdout
    again = run_script("touchline_user", ini, "add", "FIRST-ADMIN", "--password-stdin", input="a long password\n")
    assert again.returncode != 0 and "taken" in again.stderr
    short = run_script("touchline_user", ini, "passwd", "first-admin", "--password-stdin", input="short\n")
    assert short.returncode != 0
    changed = run_script("touchline_user", ini, "passwd", "first-admin", "--password-stdin", input="another long one\n")
    assert changed.returncode == 0, changed.stderr
    missing = run_script("touchline_user", ini, "passwd", "nobody", "--password-stdin", input="another long one\n")
    assert missing.returncode != 0 and "no account" in missing.stderr


def test_demo_data_has_one_account_per_role(make_ini):
    import sqlite3

    ini = make_ini(**{"touchline.demo_data": "true"})
    assert run_script("initialize_touchline_db", ini).returncode == 0
    with sqlite3.connect(ini + ".sqlite") as connection:
        roles = dict(connection.execute("SELECT username, role FROM users"))
        coached = [row[0] for row in connection.execute(
            "SELECT teams.name FROM teams JOIN team_coaches ON teams.id = team_coaches.team_id "
            "JOIN users ON users.id = team_coaches.user_id WHERE users.username = 'coach'")]
        teams = connection.execute("SELECT count(*) FROM teams").fetchone()[0]
    assert roles == {"admin": "admin", "coach": "coach", "member": "member"}
    assert 1 <= len(coached) <= 2 < teams
