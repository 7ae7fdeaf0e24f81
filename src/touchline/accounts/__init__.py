"""The accounts add-on: logging in and out, one's own account, password
resets by mail, and the admins' page for managing accounts.

The accounts themselves (``touchline.users``), the sessions and the
security policy are the core's; this add-on gives people the pages to use
them.  Switched off, nobody can log in and the site is read-only.
"""
from touchline.users import Role, User


def includeme(config):
    config.include(".routes")
    config.add_migrations("touchline.accounts:migrations/versions")
    config.set_account_routes(
        login="accounts.login", logout="accounts.logout", account="accounts.account"
    )
    config.add_navigation_entry(
        "users", "Accounts", "accounts.users", order=90, permission="manage-users"
    )
    config.add_pshell_variable("User", User, "The User model: an account (admin, coach or member).")
    config.add_pshell_variable("Role", Role, "The roles an account can have.")
    # Never the password hash in the history.
    config.add_history(User, "users", label=lambda user: user.username, exclude=("password_hash",))
    config.add_demo_populator("accounts", "touchline.accounts.populate.populate_accounts", order=5)
    config.add_robots_disallow("/users", "/account", "/login", "/logout", "/password-reset")
    config.add_purge_job("password-reset-tokens", "touchline.accounts.models.purge_expired_tokens")
    config.add_mail_job("password-reset-links", "touchline.accounts.resets.answer_reset_requests")
    config.scan(".views")
    # Its models in the admin (shown when the touchline.admin add-on is on).
    config.include(".admin")
    config.add_editor("touchline.accounts.views.UserEditor")
