"""touchline.history: every change recorded in its own transaction, and brought back on request."""
import datetime
import sqlite3
from decimal import Decimal
from types import SimpleNamespace

import pytest
import transaction
from pyramid.exceptions import ConfigurationConflictError, ConfigurationError
from sqlalchemy import func, select, text
from webtest import TestApp

from tests.conftest import run_script
from touchline.catalog.models import Category, Product
from touchline.database import get_tm_session
from touchline.fixtures.models import Fixture, FixtureStatus, HomeAway
from touchline.history import (
    KEEP_DAYS,
    Change,
    HistoryRegistration,
    RestoreRefused,
    change_diff,
    deleted_records_query,
    history_of,
    history_query,
    history_registration,
    keep_days,
    purge_history,
    recent_changes_query,
    registrations,
    restore,
)
from touchline.news.models import Post
from touchline.purge import run_purge_jobs
from touchline.rosters.models import Player, Position
from touchline.teams.models import Level, Team
from touchline.testing import HOST, assert_index_range, make_app, query_plan, service
from touchline.users import User, utcnow

UTC = datetime.timezone.utc
CLIENT = "203.0.113.7"


def changes(dbsession, kind):
    """The ``kind`` changes so far, oldest first."""
    return dbsession.scalars(select(Change).where(Change.kind == kind).order_by(Change.id)).all()


def last(dbsession, kind):
    return changes(dbsession, kind)[-1]


@pytest.fixture
def owls(make_team):
    return make_team("Under 9 Owls", Level.U09)


@pytest.fixture
def make_player(dbsession):
    def make(team, first_name="Sam", last_name="Taylor", shirt_number=7, guardians=()):
        player = Player(team=team, first_name=first_name, last_name=last_name, birth_year=2018,
                        shirt_number=shirt_number, position=Position.FORWARD,
                        guardians=list(guardians))
        dbsession.add(player)
        dbsession.flush()
        return player

    return make


@pytest.fixture
def make_fixture(dbsession):
    def make(team, opponent="Rovers", kickoff=datetime.datetime(2027, 3, 6, 10, 0, tzinfo=UTC)):
        fixture = Fixture(team=team, opponent=opponent, kickoff=kickoff, venue="Club ground")
        dbsession.add(fixture)
        dbsession.flush()
        return fixture

    return make


# What is recorded -----------------------------------------------------------------------------


def test_a_create_an_update_and_a_delete_are_each_recorded(dbsession, owls):
    team_id = owls.id
    (created,) = changes(dbsession, "teams")
    assert (created.kind, created.record_id, created.action, created.label) == \
        ("teams", team_id, "create", "Under 9 Owls")
    assert created.before is None
    assert created.after == {"name": "Under 9 Owls", "level": "U09", "coaches": []}
    assert (created.user_id, created.user_name, created.client_addr) == (None, None, None)
    assert created.at.tzinfo is not None and utcnow() - created.at < datetime.timedelta(minutes=1)

    owls.name = "Under 9 Hawks"
    dbsession.flush()
    updated = last(dbsession, "teams")
    assert (updated.action, updated.label) == ("update", "Under 9 Hawks")
    assert updated.before == {"name": "Under 9 Owls", "level": "U09", "coaches": []}
    assert updated.after == {"name": "Under 9 Hawks", "level": "U09", "coaches": []}
    assert change_diff(updated) == [("name", "Under 9 Owls", "Under 9 Hawks")]

    dbsession.delete(owls)
    dbsession.flush()
    deleted = last(dbsession, "teams")
    assert (deleted.action, deleted.record_id, deleted.label) == ("delete", team_id, "Under 9 Hawks")
    assert deleted.before == updated.after and deleted.after is None
    assert change_diff(deleted) == [("name", "Under 9 Hawks", None), ("level", "U09", None),
                                    ("coaches", [], None)]
    assert [c.action for c in history_of(dbsession, "teams", team_id)] == ["delete", "update", "create"]
    assert [c.action for c in history_of(dbsession, "teams", team_id, limit=1)] == ["delete"]


def test_setting_the_values_a_record_already_has_records_nothing(dbsession, owls):
    owls.name = "Under 9 Owls"
    owls.level = Level.U09
    dbsession.flush()
    assert len(changes(dbsession, "teams")) == 1


def test_a_record_changed_without_being_loaded_records_what_it_was(dbsession, owls):
    """After a commit (pshell's tm.commit()) the attributes are expired: the old values are read."""
    dbsession.expire(owls)
    owls.name = "Under 9 Kites"
    dbsession.flush()
    updated = last(dbsession, "teams")
    assert updated.before == {"name": "Under 9 Owls", "level": "U09", "coaches": []}
    assert updated.after == {"name": "Under 9 Kites", "level": "U09", "coaches": []}


def test_guardians_are_recorded_as_sorted_ids(dbsession, owls, make_user, make_player):
    gwen, hal = make_user("gwen"), make_user("hal")
    sam = make_player(owls, guardians=[hal])
    created = last(dbsession, "players")
    assert created.label == "Sam Taylor"
    assert created.after == {
        "team_id": owls.id, "first_name": "Sam", "last_name": "Taylor", "birth_year": 2018,
        "shirt_number": 7, "position": "forward", "name_consent": False, "photo_consent": False,
        "guardians": [hal.id],
    }
    sam.guardians.append(gwen)
    dbsession.flush()
    assert change_diff(last(dbsession, "players")) == [
        ("guardians", [hal.id], sorted([hal.id, gwen.id]))]
    dbsession.expire(sam)  # guardians not loaded: read from the link table
    sam.shirt_number = 9
    dbsession.flush()
    update = last(dbsession, "players")
    assert change_diff(update) == [("shirt_number", 7, 9)]
    assert update.after["guardians"] == sorted([hal.id, gwen.id])


def test_values_are_stored_as_json_and_typed_again_on_restore(dbsession, owls, make_fixture):
    fixture = make_fixture(owls)
    recorded = last(dbsession, "fixtures")
    assert recorded.label == "Under 9 Owls v Rovers, 2027-03-06"
    assert recorded.after["kickoff"] == "2027-03-06T10:00:00+00:00"
    assert (recorded.after["home_away"], recorded.after["status"]) == ("home", "scheduled")
    assert "sequence" not in recorded.after and "updated_at" not in recorded.after
    shirts = Category(name="Shirts", slug="shirts")
    dbsession.add(shirts)
    dbsession.flush()
    product = Product(name="Home shirt", category=shirts, price=Decimal("12.50"), sizes="S M")
    dbsession.add(product)
    dbsession.flush()
    assert last(dbsession, "products").after["price"] == "12.50"
    assert "sort_name" not in last(dbsession, "products").after  # computed by the database

    fixture.kickoff += datetime.timedelta(days=7)
    fixture.status, fixture.goals_for, fixture.goals_against = FixtureStatus.PLAYED, 3, 1
    fixture.home_away = HomeAway.AWAY
    product.price = Decimal("9.99")
    dbsession.flush()
    restore(dbsession, recorded, "after")
    restore(dbsession, changes(dbsession, "products")[0], "after")
    dbsession.expire_all()
    assert fixture.kickoff == datetime.datetime(2027, 3, 6, 10, 0, tzinfo=UTC)
    assert (fixture.status, fixture.goals_for, fixture.home_away) == \
        (FixtureStatus.SCHEDULED, None, HomeAway.HOME)
    assert product.price == Decimal("12.50")


def test_the_same_value_spelt_another_way_is_no_change(dbsession, owls, make_fixture):
    fixture = make_fixture(owls)
    shirts = Category(name="Shirts", slug="shirts")
    product = Product(name="Home shirt", category=shirts, price=Decimal("12.50"))
    dbsession.add(product)
    dbsession.flush()
    before = dbsession.scalar(select(func.count()).select_from(Change))
    product.price = Decimal("12.5")
    fixture.kickoff = fixture.kickoff.astimezone(datetime.timezone(datetime.timedelta(hours=-5)))
    fixture.home_away = "home"
    dbsession.flush()
    assert dbsession.scalar(select(func.count()).select_from(Change)) == before


def test_an_accounts_history_never_holds_its_password_hash(dbsession, make_user, app):
    casey = make_user("casey", "coach", display_name="Casey Coach")
    created = last(dbsession, "users")
    assert created.label == "casey"
    assert "password_hash" not in created.after
    assert created.after["role"] == "coach" and created.after["display_name"] == "Casey Coach"
    service(app, "touchline.users.IPasswords").set(casey, "another password entirely")
    dbsession.flush()
    assert len(changes(dbsession, "users")) == 1  # the only change was the hash


def test_deleting_a_team_records_the_fixtures_and_players_the_database_deletes(
    dbsession, owls, make_fixture, make_player, make_user
):
    gwen = make_user("gwen")
    fixture, sam = make_fixture(owls), make_player(owls, guardians=[gwen])
    fixture_id, sam_id, team_id = fixture.id, sam.id, owls.id
    dbsession.expire_all()  # the team's players and fixtures are not loaded: ON DELETE CASCADE
    dbsession.delete(dbsession.get(Team, team_id))
    dbsession.flush()
    gone_fixture, gone_player = last(dbsession, "fixtures"), last(dbsession, "players")
    assert (gone_fixture.action, gone_fixture.record_id) == ("delete", fixture_id)
    assert gone_fixture.label == "Under 9 Owls v Rovers, 2027-03-06"
    assert gone_fixture.before["opponent"] == "Rovers"
    assert (gone_player.action, gone_player.record_id, gone_player.label) == ("delete", sam_id, "Sam Taylor")
    assert gone_player.before["guardians"] == [gwen.id]
    assert dbsession.get(Fixture, fixture_id) is None and dbsession.get(Player, sam_id) is None

    with pytest.raises(RestoreRefused) as refused:
        restore(dbsession, gone_fixture, "before")
    assert refused.value.message == \
        "The team this fixture belonged to no longer exists, so it cannot be brought back."
    # The team first, then what belonged to it.
    restore(dbsession, last(dbsession, "teams"), "before")
    assert restore(dbsession, gone_fixture, "before").id == fixture_id
    sam = restore(dbsession, gone_player, "before")
    assert (sam.id, [user.id for user in sam.guardians]) == (sam_id, [gwen.id])


def test_a_player_deleted_with_their_team_and_guardian_is_recorded_once(
    dbsession, owls, make_user, make_player
):
    gwen = make_user("gwen")
    make_player(owls, guardians=[gwen])
    team_id, gwen_id = owls.id, gwen.id
    dbsession.expire_all()
    gwen, owls = dbsession.get(User, gwen_id), dbsession.get(Team, team_id)
    dbsession.delete(gwen)
    dbsession.delete(owls)
    dbsession.flush()  # both in one flush
    assert [c.action for c in changes(dbsession, "players")] == ["create", "delete"]
    assert [c.action for c in changes(dbsession, "teams")] == ["create", "delete"]


def test_deleting_an_account_records_what_loses_it(dbsession, owls, make_user, make_player):
    gwen = make_user("gwen", "coach")
    owls.coaches = [gwen]
    post = Post(slug="hello", title="Hello", body="Hi", author=gwen)
    dbsession.add(post)
    make_player(owls, guardians=[gwen])
    dbsession.flush()
    gwen_id = gwen.id
    dbsession.expire_all()
    dbsession.delete(dbsession.get(User, gwen_id))
    dbsession.flush()
    assert change_diff(last(dbsession, "posts")) == [("author_id", gwen_id, None)]
    assert change_diff(last(dbsession, "players")) == [("guardians", [gwen_id], [])]
    assert change_diff(last(dbsession, "teams")) == [("coaches", [gwen_id], [])]
    assert last(dbsession, "users").action == "delete"
    assert post.author_id is None  # the session sees what the database did
    # Bringing the post's old version back: its author is gone, so it comes back without one.
    post.title = "Hello again"
    dbsession.flush()
    restored = restore(dbsession, changes(dbsession, "posts")[0], "after")
    assert (restored.title, restored.author_id, restored.html) == ("Hello", None, "<p>Hi</p>\n")


# Restoring ----------------------------------------------------------------------------------


def test_restoring_a_version_and_undoing_a_change_are_recorded_as_changes(dbsession, owls):
    owls.name = "Under 9 Hawks"
    dbsession.flush()
    owls.name = "Under 9 Kites"
    dbsession.flush()
    created, first, second = changes(dbsession, "teams")

    team = restore(dbsession, first, "after")  # the version after the first change
    assert team is owls and owls.name == "Under 9 Hawks"
    redo = last(dbsession, "teams")
    assert (redo.action, redo.restored_from_id) == ("update", first.id)
    assert change_diff(redo) == [("name", "Under 9 Kites", "Under 9 Hawks")]

    restore(dbsession, first, "before")  # undo the first change
    undo = last(dbsession, "teams")
    assert owls.name == "Under 9 Owls" and undo.restored_from_id == first.id
    with pytest.raises(RestoreRefused, match="already as it was in this version"):
        restore(dbsession, created, "after")
    with pytest.raises(RestoreRefused, match="delete the team"):
        restore(dbsession, created, "before")
    owls.name = "Under 9 Wrens"
    dbsession.flush()
    assert last(dbsession, "teams").restored_from_id is None  # only the restore is marked


def test_a_deleted_record_comes_back_with_its_id_and_leaves_the_deleted_list(
    dbsession, owls, make_user, make_player
):
    gwen = make_user("gwen")
    sam = make_player(owls, guardians=[gwen])
    sam_id = sam.id
    dbsession.delete(sam)
    dbsession.flush()
    gone = last(dbsession, "players")
    assert dbsession.scalars(deleted_records_query("players")).all() == [gone]
    assert dbsession.scalars(deleted_records_query("players", model=Player)).all() == [gone]
    with pytest.raises(RestoreRefused, match="delete the player"):
        restore(dbsession, gone, "after")

    back = restore(dbsession, gone, "before")
    assert back.id == sam_id and back.full_name == "Sam Taylor" and back.guardians == [gwen]
    again = last(dbsession, "players")
    assert (again.action, again.restored_from_id, again.after) == ("create", gone.id, gone.before)
    assert dbsession.scalars(deleted_records_query("players")).all() == []
    dbsession.expire_all()
    assert dbsession.get(Player, sam_id).shirt_number == 7


def test_restoring_a_fixture_whose_team_was_deleted_is_refused(dbsession, owls, make_fixture):
    fixture = make_fixture(owls)
    dbsession.delete(fixture)
    dbsession.flush()
    gone = last(dbsession, "fixtures")
    dbsession.delete(owls)
    dbsession.flush()
    with pytest.raises(RestoreRefused) as refused:
        restore(dbsession, gone, "before")
    assert refused.value.message == \
        "The team this fixture belonged to no longer exists, so it cannot be brought back."
    assert dbsession.scalar(select(Fixture.id)) is None  # nothing written, the session still usable


def test_restoring_a_deleted_player_whose_shirt_number_is_taken_is_refused(
    dbsession, owls, make_player
):
    sam = make_player(owls, "Sam", shirt_number=7)
    ava = make_player(owls, "Ava", "Okafor", shirt_number=3)
    dbsession.delete(sam)
    dbsession.flush()
    gone = last(dbsession, "players")
    ava.shirt_number = 7
    dbsession.flush()
    with pytest.raises(RestoreRefused) as refused:
        restore(dbsession, gone, "before")
    assert refused.value.message == \
        "Another player already has this team and shirt number, so it cannot be brought back."
    assert [p.first_name for p in dbsession.scalars(select(Player))] == ["Ava"]


def test_a_deleted_records_id_taken_by_a_new_record_is_not_restored_onto_it(dbsession, owls):
    """SQLite gives the highest id again once its row is deleted."""
    team_id = owls.id
    dbsession.delete(owls)
    dbsession.flush()
    gone = last(dbsession, "teams")
    dbsession.add(Team(id=team_id, name="Under 12 Pumas", level=Level.U12))
    dbsession.flush()
    with pytest.raises(RestoreRefused, match="id was given to a new team"):
        restore(dbsession, gone, "before")
    assert dbsession.scalars(deleted_records_query("teams")).all() == []


# Where the changes come from: requests and pshell ---------------------------------------------


@pytest.fixture
def alex(make_committed_user):
    return make_committed_user("alex", "admin", display_name="Alex Admin")


def committed(app, work):
    """Run ``work(session)`` in a transaction that commits; returns what it returns."""
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        session = get_tm_session(app.registry["touchline.dbsession_factory"], manager)
        result = work(session)
        session.flush()
        return result


def recorded(app, kind=None):
    stmt = select(Change.kind, Change.action, Change.label, Change.user_id, Change.user_name,
                  Change.client_addr, Change.before, Change.after).order_by(Change.id)
    if kind is not None:
        stmt = stmt.where(Change.kind == kind)
    with app.registry["touchline.engine"].connect() as connection:
        return connection.execute(stmt).all()


def test_a_change_through_a_request_records_the_user_and_address(
    app, committing_testapp, alex, login, count_queries
):
    team_id = committed(app, lambda session: _add_team(session, "Under 9 Owls"))
    login(committing_testapp, "alex")
    token = committing_testapp.get("/account.json").json["account"]["csrf_token"]
    headers = {"Accept": "application/json", "X-CSRF-Token": token}
    with count_queries() as queries:
        committing_testapp.put_json(f"/teams/{team_id}.json", {"name": "Under 9 Hawks"},
                                    headers=headers, extra_environ={"REMOTE_ADDR": CLIENT})
    (kind, action, label, user_id, user_name, client_addr, before, after), = \
        recorded(app, "teams")[1:]
    assert (kind, action, label) == ("teams", "update", "Under 9 Hawks")
    assert (user_id, user_name, client_addr) == (alex, "Alex Admin", CLIENT)
    assert (before["name"], after["name"]) == ("Under 9 Owls", "Under 9 Hawks")
    # One INSERT records it; nothing else in the request reads or writes the history.
    about_changes = [sql for sql in queries.statements if "changes" in sql]
    assert len(about_changes) == 1 and about_changes[0].startswith("INSERT INTO changes")
    # The same values again: nothing to record, and not a statement more for it.
    with count_queries() as queries:
        committing_testapp.put_json(f"/teams/{team_id}.json", {"name": "Under 9 Hawks"},
                                    headers=headers, extra_environ={"REMOTE_ADDR": CLIENT})
    assert not [sql for sql in queries.statements if "changes" in sql]
    assert len(recorded(app, "teams")) == 2


def _add_team(session, name):
    team = Team(name=name, level=Level.U09)
    session.add(team)
    session.flush()
    return team.id


def test_a_form_post_records_the_user(app, committing_testapp, alex, login):
    from touchline.testing import post_form

    login(committing_testapp, "alex")
    post_form(committing_testapp, "/teams/new", {"name": "Under 9 Owls", "level": "U09"}, status=303,
              extra_environ={"REMOTE_ADDR": CLIENT})
    assert recorded(app, "teams") == [
        ("teams", "create", "Under 9 Owls", alex, "Alex Admin", CLIENT, None,
         {"name": "Under 9 Owls", "level": "U09", "coaches": []}),
    ]


@pytest.fixture
def writer(app_settings, database_url, committing_testapp):
    """The site plus tests.support.writer, whose pages write a team, then end in a given way."""
    application = make_app(app_settings, **{
        "sqlalchemy.url": database_url,
        "touchline.addons": "touchline.teams tests.support.writer",
    })
    yield TestApp(application, extra_environ={"HTTP_HOST": HOST, "REMOTE_ADDR": CLIENT})
    application.registry["touchline.engine"].dispose()


@pytest.mark.parametrize("case, status", [("raise-error", 500), ("return-4xx", 422),
                                          ("raise-4xx", 400), ("conflict", 409)])
def test_a_request_that_fails_records_nothing(app, writer, case, status):
    writer.post(f"/_writer/{case}", status=status)
    assert recorded(app) == []


def test_a_request_that_succeeds_records_its_change_without_a_user(app, writer):
    writer.post("/_writer/ok", status=200)
    assert [row[:6] for row in recorded(app)] == [("teams", "create", "ok", None, None, CLIENT)]


def test_a_change_made_before_the_request_asks_who_is_logged_in_names_them(
    app, app_settings, database_url, committing_testapp, make_committed_user, login
):
    """The writer's pages have no permission to check, so nothing loads the session first."""
    casey = make_committed_user("casey", "coach", display_name="Casey Coach")
    application = make_app(app_settings, **{
        "sqlalchemy.url": database_url,
        "touchline.addons": "touchline.accounts touchline.teams tests.support.writer",
    })
    try:
        client = TestApp(application, extra_environ={"HTTP_HOST": HOST, "REMOTE_ADDR": CLIENT})
        login(client, "casey")
        client.post("/_writer/ok", status=200)
    finally:
        application.registry["touchline.engine"].dispose()
    assert [row[:6] for row in recorded(app, "teams")] == \
        [("teams", "create", "ok", casey, "Casey Coach", CLIENT)]


def test_only_the_attempt_that_commits_is_recorded(app, writer):
    writer.post("/_writer/transient-once", status=200)
    assert [row.label for row in recorded(app)] == ["attempt 1"]


def test_a_commit_that_fails_records_nothing(app, app_settings, database_url, committing_testapp,
                                              make_committed_user, login):
    make_committed_user("casey", "coach")
    application = make_app(app_settings, **{
        "sqlalchemy.url": database_url,
        "touchline.addons": "touchline.accounts touchline.teams tests.support.faults",
    })
    try:
        client = TestApp(application, extra_environ={"HTTP_HOST": HOST})
        login(client, "casey")
        client.post("/_faults/commit-fails", status=500)
    finally:
        application.registry["touchline.engine"].dispose()
    assert recorded(app, "teams") == []


def test_a_change_committed_in_pshell_is_recorded_without_a_user(make_ini):
    ini = make_ini()
    assert run_script("initialize_touchline_db", ini, "--no-demo-data").returncode == 0
    not_kept = "dbsession.add(Team(name='Not kept'))\ndbsession.flush()\n"
    assert run_script("pshell", "-p", "python", ini, input=not_kept).returncode == 0
    session = (
        "team = Team(name='Kept')\n"
        "dbsession.add(team)\n"
        "dbsession.flush()\n"
        "print('HISTORY', [c.action for c in dbsession.query(Change)])\n"
        "tm.commit()\n"
    )
    result = run_script("pshell", "-p", "python", ini, input=session)
    assert result.returncode == 0, result.stderr
    assert "HISTORY ['create']" in result.stdout
    assert "\n  Change " in result.stdout
    with sqlite3.connect(ini + ".sqlite") as connection:
        rows = connection.execute(
            "SELECT kind, action, label, user_id, user_name, client_addr FROM changes").fetchall()
    assert rows == [("teams", "create", "Kept", None, None, None)]


# Lists, and their indexes ---------------------------------------------------------------------


def test_the_lists_read_index_ranges(dbsession, make_user):
    admin = make_user("alex", "admin")
    for statement, index in (
        (history_query("teams", 1), "ix_changes_kind_record_id_id"),
        (deleted_records_query("teams"), "ix_changes_kind_action_id"),
        (deleted_records_query("teams", model=Team), "ix_changes_kind_action_id"),
        (recent_changes_query(user_id=admin.id), "ix_changes_user_id_id"),
    ):
        plan = assert_index_range(dbsession, statement.limit(21))
        assert index in "\n".join(plan)
    # Every change, newest first: the primary key backwards (SQLite's rowid order), never a sort.
    plan = "\n".join(query_plan(dbsession, recent_changes_query().limit(21)))
    if dbsession.get_bind().dialect.name == "sqlite":
        assert plan == "SCAN changes", plan
    else:
        assert "Index Scan Backward using pk_changes" in plan and "Sort" not in plan, plan


def test_recent_changes_are_newest_first_and_by_user(dbsession, owls, make_user):
    alex = make_user("alex", "admin")
    dbsession.add(Change(at=utcnow(), kind="teams", record_id=owls.id, action="update",
                         label="x", user_id=alex.id, user_name="Alex"))
    dbsession.flush()
    everything = dbsession.scalars(recent_changes_query()).all()
    assert [c.id for c in everything] == sorted((c.id for c in everything), reverse=True)
    assert [c.user_name for c in dbsession.scalars(recent_changes_query(user_id=alex.id))] == ["Alex"]


def test_changes_page_through_with_the_keyset(testapp, dbsession, owls):
    from pyramid.request import Request

    from touchline.history import CHANGE_ORDER
    from touchline.pagination import paginate

    for number in range(5):
        owls.name = f"Name {number}"
        dbsession.flush()
    request = Request.blank("/?page=1")
    request.registry = testapp.app.registry
    request.dbsession = dbsession
    page = paginate(request, recent_changes_query(ordered=False), size=4, keyset=CHANGE_ORDER)
    assert [c.label for c in page.items] == ["Name 4", "Name 3", "Name 2", "Name 1"]
    request = Request.blank(page.next_url)
    request.registry = testapp.app.registry
    request.dbsession = dbsession
    page = paginate(request, recent_changes_query(ordered=False), size=4, keyset=CHANGE_ORDER)
    assert page.items[0].label == "Name 0"
    dbsession.delete(owls)
    dbsession.flush()
    request = Request.blank("/")
    request.registry = testapp.app.registry
    request.dbsession = dbsession
    page = paginate(request, deleted_records_query("teams", ordered=False), keyset=CHANGE_ORDER)
    assert [(c.action, c.label) for c in page.items] == [("delete", "Name 4")]


# The purge and the setting ----------------------------------------------------------------------


def test_the_purge_deletes_changes_older_than_the_setting(dbsession, app):
    for days in (400, 40, 1):
        dbsession.add(Change(at=utcnow() - datetime.timedelta(days=days), kind="teams", record_id=days,
                             action="create", label=f"{days} days"))
    dbsession.flush()
    request = SimpleNamespace(registry={KEEP_DAYS: 30}, dbsession=dbsession)
    assert purge_history(request) == 2
    assert [c.label for c in dbsession.scalars(select(Change))] == ["1 days"]


def test_the_purge_job_keeps_a_year_by_default(dbsession, app):
    from pyramid.request import Request

    for days in (366, 364):
        dbsession.add(Change(at=utcnow() - datetime.timedelta(days=days), kind="teams", record_id=days,
                             action="create", label=f"{days} days"))
    dbsession.flush()
    request = Request.blank("/")
    request.registry = app.registry
    request.dbsession = dbsession
    assert run_purge_jobs(request)["history"] == 1
    assert [c.label for c in dbsession.scalars(select(Change))] == ["364 days"]


def test_the_purge_reads_an_index_range(dbsession):
    statement = "DELETE FROM changes WHERE at < :now"
    if dbsession.get_bind().dialect.name == "sqlite":
        plan = " ".join(str(row) for row in dbsession.execute(text("EXPLAIN QUERY PLAN " + statement),
                                                               {"now": utcnow()}))
    else:
        dbsession.execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(row[0] for row in dbsession.execute(text("EXPLAIN " + statement),
                                                             {"now": utcnow()}))
    assert "ix_changes_at" in plan, plan


def test_keep_days_is_a_positive_number_of_days():
    assert keep_days({}) == 365
    assert keep_days({KEEP_DAYS: ""}) == 365
    assert keep_days({KEEP_DAYS: " 30 "}) == 30
    for bad in ("0", "-1", "thirty", "1.5", "99999999"):
        with pytest.raises(ConfigurationError, match=KEEP_DAYS):
            keep_days({KEEP_DAYS: bad})


def test_a_bad_keep_days_stops_the_site_at_start_up(app_settings):
    with pytest.raises(ConfigurationError, match="is not a number of days"):
        make_app(app_settings, **{KEEP_DAYS: "0"})


# Registrations --------------------------------------------------------------------------------


def test_the_addons_register_their_models(app):
    kinds = {registration.kind: registration for registration in registrations(app.registry)}
    assert {"teams", "players", "fixtures", "posts", "products", "categories", "users"} <= set(kinds)
    assert history_registration(app.registry, "players").collections == ("guardians",)
    assert history_registration(app.registry, "nothing") is None
    users = kinds["users"]
    assert users.model is User and "password_hash" not in users.fields
    assert {"username", "email", "role", "active"} <= set(users.fields)
    assert "body_html" not in kinds["posts"].fields and "body" in kinds["posts"].fields


def test_a_registration_names_real_attributes():
    with pytest.raises(ConfigurationError, match="no attribute 'secret'"):
        HistoryRegistration(User, "users", exclude=("secret",))
    with pytest.raises(ConfigurationError, match="not a many-to-many"):
        HistoryRegistration(Player, "players", collections=("team",))
    with pytest.raises(ConfigurationError, match="not a mapped model"):
        HistoryRegistration(object, "things")


def test_one_model_registered_twice_stops_start_up(app_settings):
    with pytest.raises(ConfigurationConflictError):
        make_app(app_settings, **{"touchline.addons": "touchline.teams tests.support.history_twice"})
