"""The news add-on (being written)."""


def includeme(config):
    pass
