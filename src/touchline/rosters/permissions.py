"""The rosters add-on's own permission (the common ones are touchline.security's).

Creating, editing and deleting players use the core's CREATE, EDIT and
DELETE, granted on the roster and player resources to the team's coaches.
"""

#: See what only those who run a roster need: photo consent flags and guardians.
MANAGE_ROSTER = "manage-roster"
