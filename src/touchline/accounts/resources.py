from touchline.resources import get_or_404
from touchline.users import User


def user_factory(request):
    """The account named by ``/users/{id}``; the root ACL (admins only) applies."""
    return get_or_404(request, User)
