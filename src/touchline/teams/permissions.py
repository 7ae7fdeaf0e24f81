"""The teams add-on's own permissions (the common ones are touchline.security's)."""

#: Choose which accounts coach a team (admins, through ALL_PERMISSIONS).
MANAGE_COACHES = "manage-coaches"
