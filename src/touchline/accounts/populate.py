"""Demo accounts, one per role; their passwords are listed in the README."""
from sqlalchemy import exists, select

from touchline.users import Role, User

DEMO_ACCOUNTS = [
    ("admin", "Alex Admin", Role.ADMIN, "touchline-admin"),
    ("coach", "Casey Coach", Role.COACH, "touchline-coach"),
    ("member", "Morgan Member", Role.MEMBER, "touchline-member"),
]


def populate_accounts(request):
    dbsession = request.dbsession
    if dbsession.scalar(select(exists().where(User.id.is_not(None)))):
        return
    for username, name, role, password in DEMO_ACCOUNTS:
        user = User(username, display_name=name, email=f"{username}@club.example.org", role=role)
        request.passwords.set(user, password)
        dbsession.add(user)
    dbsession.flush()
