"""``touchline_user INI``: create accounts and reset passwords from a shell.

    touchline_user development.ini add --role admin NAME   # asks for the password
    touchline_user development.ini passwd NAME
    touchline_user development.ini list

``--password-stdin`` reads the password from standard input instead of
asking (for scripts); it is never taken from the command line, where other
users of the machine could see it.
"""
import argparse
import getpass
import sys

from pyramid.paster import bootstrap, setup_logging
from sqlalchemy import select

from touchline.accounts.passwords import change_password
from touchline.accounts.schemas import (
    PASSWORD_MIN_LENGTH,
    normalize_email,
    valid_username,
)
from touchline.users import Role, User


def _password(args):
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            raise SystemExit("The passwords differ; nothing was changed.")
    if len(password) < PASSWORD_MIN_LENGTH:
        raise SystemExit(f"Use at least {PASSWORD_MIN_LENGTH} characters; nothing was changed.")
    return password


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="touchline_user", description=__doc__.splitlines()[0])
    parser.add_argument("config_uri", help="the ini file, e.g. development.ini")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", choices=[role.value for role in Role], default=Role.MEMBER.value)
    add.add_argument("--email", default="")
    add.add_argument("--display-name", default="")
    add.add_argument("--password-stdin", action="store_true")
    passwd = commands.add_parser("passwd", help="set an account's password")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    commands.add_parser("list", help="list the accounts")
    return parser.parse_args(argv[1:])


def main(argv=sys.argv):
    args = parse_args(argv)
    setup_logging(args.config_uri)
    with bootstrap(args.config_uri) as env:
        request = env["request"]
        with request.tm:
            dbsession = request.dbsession
            if args.command == "list":
                for user in dbsession.scalars(select(User).order_by(User.username_key)):
                    state = "" if user.active else " (inactive)"
                    print(f"{user.username:<20} {user.role.value:<7} {user.email}{state}")
                return
            user = dbsession.scalar(User.by_username(args.username))
            if args.command == "add":
                try:
                    valid_username(args.username)
                    email = normalize_email(args.email) if args.email else ""
                except ValueError as error:
                    raise SystemExit(f"{args.username!r}: {error}.") from None
                if user is not None:
                    raise SystemExit(f"The username {args.username!r} is taken.")
                user = User(args.username, role=Role(args.role), email=email,
                            display_name=args.display_name)
                dbsession.add(user)
            elif user is None:
                raise SystemExit(f"There is no account {args.username!r}.")
            if args.command == "passwd":
                change_password(request, user, _password(args))
            else:
                request.passwords.set(user, _password(args))
        print(f"{'Created' if args.command == 'add' else 'Updated'} {args.username}.")
