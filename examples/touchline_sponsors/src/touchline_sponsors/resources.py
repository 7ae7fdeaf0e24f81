"""Resource factories for the sponsors routes."""
from touchline.resources import get_or_404

from .models import Sponsor


def sponsor_factory(request):
    """The sponsor named by ``/sponsors/{id}``: the context of its views (404 if none)."""
    return get_or_404(request, Sponsor)
