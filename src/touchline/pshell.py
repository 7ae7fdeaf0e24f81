"""``pshell development.ini``: the site's data at hand, inside a transaction.

The shell opens with a transaction begun on ``tm`` and offers
``dbsession``, ``tm``, ``models`` and every enabled add-on's variables.
Nothing is written unless you call ``tm.commit()``: leaving the shell
aborts whatever is still pending.
"""
import types

from transaction.interfaces import NoTransaction

from touchline.addons import pshell_variables
from touchline.models import Base


def models_namespace():
    """Every model class of the enabled add-ons, by class name."""
    namespace = types.SimpleNamespace(
        **{mapper.class_.__name__: mapper.class_ for mapper in Base.registry.mappers}
    )
    return namespace


def _with_doc(value, doc):
    """Show ``doc`` in pshell's listing where the object can carry it."""
    if not isinstance(value, type):
        try:
            value.__doc__ = doc
        except (AttributeError, TypeError):
            pass
    return value


CORE_VARIABLES = (
    ("dbsession", "The database session, joined to tm."),
    ("tm", "The transaction: tm.commit() to save, tm.abort() to undo."),
    ("models", "Every model of the enabled add-ons: models.Team, ..."),
)


def setup(env):
    request = env["request"]
    tm = request.tm
    tm.begin()
    values = {"dbsession": request.dbsession, "tm": tm, "models": models_namespace()}
    docs = list(CORE_VARIABLES)
    for variable in pshell_variables(request.registry):
        values[variable.name] = variable.value
        docs.append((variable.name, variable.doc))
    for name, doc in docs:
        env[name] = _with_doc(values[name], doc)
    print("Touchline (a transaction is open; leaving aborts it unless you tm.commit()):")
    for name, doc in docs:
        print(f"  {name:<12} {doc}")
    try:
        yield
    finally:
        # After tm.commit() no transaction is open; otherwise drop what is pending.
        try:
            tm.get()
        except NoTransaction:
            pass
        else:
            tm.abort()
