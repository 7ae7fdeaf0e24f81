"""What the spreadsheet imports of the add-ons built on teams share: the column naming the team."""
from touchline.spreadsheets import ImportColumn

#: Each row of a roster or fixture list names its team, as the site shows it.
TEAM_COLUMN = ImportColumn(
    "team", True, "The team's name, exactly as on the site (upper or lower case does not matter).",
    "Under 9 Badgers",
)
