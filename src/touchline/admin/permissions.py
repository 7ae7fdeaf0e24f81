"""The admin's own permission (the common ones are touchline.security's).

Admins have every permission; coaches are granted USE_ADMIN on the
dashboard and on the models registered with ``coaches = True``, and change
only the records whose own ACL lets them.  Members and visitors have none.
"""

#: Open the admin: the dashboard, and the lists of the models one may manage.
USE_ADMIN = "use-admin"

#: Bring back a deleted record from its history: admins only (they hold every permission).
RESTORE = "restore"
