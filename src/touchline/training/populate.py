"""Demo data: each demo team trains once or twice a week; loaded only into an empty table."""
import datetime

from sqlalchemy import exists, select

from touchline.teams.models import Team

from .models import TrainingCancellation, TrainingSession

PLACES = ("Club ground, pitch 2", "Riverside School sports hall", "Club ground, 3G pitch")


def populate_training(request):
    dbsession = request.dbsession
    if dbsession.scalar(select(exists().where(TrainingSession.id.is_not(None)))):
        return
    teams = dbsession.scalars(Team.ordered()).all()
    today = datetime.datetime.now(request.timezone).date()
    for number, team in enumerate(teams):
        weekday = 1 + number % 5
        start = datetime.time(17 + number % 3, 30 if number % 2 else 0)
        session = TrainingSession(team=team, weekday=weekday, start_time=start,
                                  end_time=(datetime.datetime.combine(today, start)
                                            + datetime.timedelta(minutes=75)).time(),
                                  place=PLACES[number % len(PLACES)],
                                  note="Bring shin pads and a water bottle." if number % 2 else "")
        dbsession.add(session)
        if number % 4 == 0:
            dbsession.add(TrainingSession(team=team, weekday=6, start_time=datetime.time(9, 30),
                                          end_time=datetime.time(10, 45), place=PLACES[0]))
        if number == 3:
            dbsession.flush()
            week = today + datetime.timedelta(days=7 + (weekday - today.isoweekday()) % 7)
            dbsession.add(TrainingCancellation(session_id=session.id, date=week, reason="Pitch closed"))
