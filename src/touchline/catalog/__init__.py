"""The catalog add-on (being written)."""


def includeme(config):
    pass
