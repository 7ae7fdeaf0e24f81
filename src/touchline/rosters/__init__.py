"""The rosters add-on (being written)."""


def includeme(config):
    pass
