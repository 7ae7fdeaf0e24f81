"""No script survives a post: the page, the JSON, the home panel and the feed.

A post's Markdown is rendered and sanitised by ``touchline.news.markdown.render``
only.  These tests put the classic payloads in a post and look at the parsed
DOM wherever the post appears: no ``<script>`` (or other active element), no
attribute whose name starts with "on", no ``style``, and no ``href``/``src``
whose scheme, after stripping whitespace and control characters and
lowering its case, is ``javascript``, ``data`` or ``vbscript``.  Ordinary
Markdown still renders.  A hypothesis test then throws random Markdown with
payloads mixed in at ``render`` itself.
"""
import re
import xml.etree.ElementTree as ET

from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from touchline.news.markdown import render

ATOM = "{http://www.w3.org/2005/Atom}"
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    "<iframe src=https://evil.example></iframe>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    "![pixel](data:image/png;base64,iVBORw0KGgo=)",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[vb](vbscript:msgbox(1))",
    "[spaced]( \tjavascript:alert(1))",
    "[entity](&#106;avascript:alert(1))",
    "<svg onload=alert(1)>",
    "<object data=x></object><embed src=x><form action=x><input onfocus=alert(1) autofocus>",
]
GOOD = (
    "# Match report\n\n"
    "We played *really* well and **won**.\n\n"
    "- first goal\n- second goal\n\n"
    "Photos on [the club site](https://club.example.org/photos).\n\n"
)
MARKDOWN = GOOD + "\n\n".join(PAYLOADS) + "\n\ninline " + " ".join(PAYLOADS)

ACTIVE = {"script", "iframe", "object", "embed", "form", "input", "svg", "style", "link", "meta",
          "base", "frame", "frameset", "math", "button", "textarea", "select"}
BAD_SCHEMES = ("javascript", "data", "vbscript")
_STRIP = re.compile(r"[\x00-\x20\x7f]+")


def assert_harmless(fragment, active=ACTIVE):
    """Fail if the HTML ``fragment`` holds anything that could run a script."""
    soup = BeautifulSoup(fragment, "html.parser")
    for tag in soup.find_all(True):
        assert tag.name not in active, tag
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), tag
            assert name.lower() != "style", tag
            if name.lower() in ("href", "src", "action", "formaction", "xlink:href", "data"):
                value = _STRIP.sub("", value if isinstance(value, str) else " ".join(value)).lower()
                scheme = value.split(":", 1)[0] if ":" in value else ""
                assert scheme not in BAD_SCHEMES, tag
    return soup


def assert_good_markdown_rendered(soup):
    assert soup.find("h1").text == "Match report"
    assert soup.find("em").text == "really"
    assert soup.find("strong").text == "won"
    assert [li.text for li in soup.find("ul").find_all("li")] == ["first goal", "second goal"]
    link = soup.find("a", string="the club site")
    assert link["href"] == "https://club.example.org/photos"
    assert link["rel"] == ["noopener", "noreferrer", "nofollow"]


def test_payloads_do_not_survive_anywhere(testapp, make_post, login, admin):
    make_post("Report", body=MARKDOWN, slug="report")
    page = testapp.get("/news/report")
    body = page.html.select_one(".post-body")
    assert_good_markdown_rendered(assert_harmless(str(body)))
    # The whole page: the only scripts would be ours, and there are none.
    assert_harmless(str(page.html.main))

    data = testapp.get("/news/report.json").json["post"]
    assert_good_markdown_rendered(assert_harmless(data["html"]))
    root = ET.fromstring(testapp.get("/news/report.xml").body)
    assert_harmless(root.findtext("html"))

    listed = testapp.get("/news").html.main
    assert_harmless(str(listed))
    panel = testapp.get("/").html.find("section", attrs={"aria-labelledby": "panel-latest_news"})
    assert_harmless(str(panel))
    excerpt = panel.select_one(".excerpt").text
    assert excerpt.startswith("Match report We played really well and won. first goal")
    assert "**" not in excerpt and "#" not in excerpt

    feed = ET.fromstring(testapp.get("/news/feed.atom").body)
    content = feed.find(f"{ATOM}entry/{ATOM}content")
    assert content.get("type") == "html"
    assert_good_markdown_rendered(assert_harmless(content.text))

    # An editor sees the source as text in the form, never as markup.
    login(testapp, "alex")
    form = testapp.get("/news/report/edit").html.main
    # The page's own form and fields are expected; nothing else is.
    assert_harmless(str(form), active=ACTIVE - {"form", "input", "textarea", "button"})
    # (An admin's form also has the publication date and time.)
    assert len(form.find_all("form")) == 1 and [field["name"] for field in form.find_all("input")] == [
        "csrf_token", "title", "slug", "publish_date", "publish_time"]
    assert form.find("textarea").text == MARKDOWN.strip()


def test_each_payload_alone():
    for payload in PAYLOADS:
        assert_harmless(str(render(payload)))
        assert_harmless(str(render(f"*{payload}*")))
        assert_harmless(str(render(f"> {payload}\n\n- {payload}")))


def test_render_keeps_safe_links_and_images():
    soup = BeautifulSoup(str(render(
        "[mail](mailto:sec@club.example.org) [rel](/teams) ![photo](https://club.example.org/a.png)"
    )), "html.parser")
    assert soup.find("a", string="mail")["href"] == "mailto:sec@club.example.org"
    assert soup.find("a", string="rel")["href"] == "/teams"
    assert soup.find("img")["src"] == "https://club.example.org/a.png"
    assert soup.find("img")["alt"] == "photo"


def test_a_data_image_loses_its_source():
    img = BeautifulSoup(str(render(PAYLOADS[6])), "html.parser").find("img")
    assert img is not None and "src" not in img.attrs


# Hypothesis: random Markdown with payloads mixed in ------------------------------------

MARKDOWN_BITS = st.sampled_from([
    "*", "**", "_", "`", "```\n", "#", "## ", "> ", "- ", "1. ", "\n", "\n\n", "[", "]", "(", ")",
    "!", "<", ">", "\"", "'", "=", "&", "&#", ";", ":", "/", "javascript:", "JaVaScRiPt:",
    "java\tscript:", "data:", "vbscript:", "on", "onerror=", "onload=", "href=", "src=", "style=",
    "<a ", "</a>", "<img ", "<script>", "</script>", "<iframe>", "<svg/onload=alert(1)>",
    "<!--", "-->", "<![CDATA[", "&lt;", "&#x6A;", "%6A", "\\", "|", "---", "http://", "https://",
])
PAYLOAD = st.sampled_from(PAYLOADS)
SOURCE = st.lists(st.one_of(st.text(max_size=12), MARKDOWN_BITS, PAYLOAD), max_size=40).map("".join)


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(SOURCE)
def test_render_never_lets_a_script_through(source):
    html = str(render(source))
    assert_harmless(html)
    for tag in BeautifulSoup(html, "html.parser").find_all("a"):
        assert tag.get("rel") == ["noopener", "noreferrer", "nofollow"]
