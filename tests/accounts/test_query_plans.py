"""The accounts list reads an index range in its order, whatever the number of accounts."""
from sqlalchemy import select

from touchline.accounts.views import USER_ORDER
from touchline.users import User
from touchline.testing import assert_index_range


def test_the_accounts_list_reads_the_username_index_in_order(dbsession, make_user):
    user = make_user("casey")
    assert_index_range(dbsession, USER_ORDER.ordered(select(User)).limit(21))
    for backwards in (False, True):
        assert_index_range(
            dbsession,
            USER_ORDER.beyond(select(User), [user.username_key], backwards=backwards).limit(21),
        )
