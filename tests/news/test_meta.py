"""The line under a post's title reads "26 November 2026 · Alex Admin": a space either side of the dot."""
import re


def test_the_date_and_the_author_are_spaced(testapp, make_post, admin):
    post = make_post("Season opens", author=admin)
    listed = " ".join(testapp.get("/news").html.select_one(".post-list .meta").text.split())
    assert re.fullmatch(r"\d{1,2} \w+ \d{4} · Alex Admin", listed), listed
    shown = " ".join(testapp.get(f"/news/{post.slug}").html.select_one(".meta").text.split())
    assert re.fullmatch(r"Published .+ \d{2}:\d{2} · by Alex Admin", shown), shown
