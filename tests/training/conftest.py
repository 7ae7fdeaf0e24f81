"""Fixtures for the training add-on's tests: two teams and sessions."""
import datetime

import pytest

from touchline.teams.models import Level
from touchline.training.models import TrainingCancellation, TrainingSession

JSON = {"Accept": "application/json"}


@pytest.fixture
def otters(make_team, dbsession, other_coach):
    """A team coached by ``other_coach``, not by ``coach``."""
    team = make_team("Under 8 Otters", Level.U08)
    team.coaches = [other_coach]
    dbsession.flush()
    return team


@pytest.fixture
def make_session(dbsession):
    """``make_session(team, weekday=2, start="18:00", end="19:30")``: a weekly session."""

    def make(team, weekday=2, start="18:00", end="19:30", place="Club ground", note="", starts_on=None,
             ends_on=None, cancelled=()):
        session = TrainingSession(team=team, weekday=weekday, start_time=datetime.time.fromisoformat(start),
                                  end_time=datetime.time.fromisoformat(end), place=place, note=note,
                                  starts_on=starts_on, ends_on=ends_on)
        dbsession.add(session)
        dbsession.flush()
        for day, reason in cancelled:
            dbsession.add(TrainingCancellation(session_id=session.id, date=day, reason=reason))
        dbsession.flush()
        return session

    return make
