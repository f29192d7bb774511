"""The accessibility crawl: follow the links a person can see, check every page with axe and
a few structural rules, and put each form into its error state to check that too.

Nothing here knows about particular pages: a new page is covered as soon as something links
to it from a header, navigation, footer or main content."""

from __future__ import annotations

import hashlib
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from core.readability import MAX_READING_AGE, reading_age
from tests.browser.support import BrowserProblems

# WCAG 2.2 AA as axe-core tags it; best-practice rules are left out on purpose. Only
# violations come back with their elements listed, which keeps each run quick.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}
AXE_WITHOUT_STYLESHEETS = {**AXE_OPTIONS, "preload": False}
# The Django admin's words are Django's, for the people who run the service: its reading age is
# not ours to set. Every other page's main text is measured (core.readability).
NOT_OUR_WORDS = ("/admin/",)
MAX_PAGES = 100
# A crawl that starts at the pages it is about (a match, a member's page) needs only the pages
# near them: it follows the links in their main content, not the header, navigation and
# footer, which lead to the rest of the site that the crawls by role cover
# (test_accessibility.py). See crawl_nearby().
NEARBY_PAGES = 25
# Pages that differ only by an id or a token share a template: a couple of each is enough.
MAX_PER_SHAPE = 2
# Forms that change something for good are never submitted, however empty their fields.
DESTRUCTIVE_WORDS = frozenset(
    {
        "delete",
        "logout",
        "withdraw",
        "end",
        "cancel",
        "revoke",
        "deactivate",
        "decline",
        "remove",
        "sign out",
    }
)
LINK_AREAS = ", ".join(
    f"{area} a[href]"
    for area in (
        "header",
        "nav",
        "footer",
        "main",
        "[role=banner]",
        "[role=navigation]",
        "[role=contentinfo]",
        "[role=main]",
    )
)
TEXT_BOXES = (
    "input:not([type]), input[type=text], input[type=email], input[type=password], "
    "input[type=number], input[type=tel], input[type=url], input[type=search], textarea"
)
SUBMIT_BUTTONS = "button:not([type]), button[type=submit], input[type=submit]"
MAIN_LINKS = "main a[href], [role=main] a[href]"

_AXE_SOURCE = Axe().axe_script
# Before its rules, axe fetches every stylesheet of the page again for the one rule that reads
# them (css-orientation-lock): a quarter of its time on each page. Every page of ours loads the
# same stylesheets, so axe fetches a set of them the first time it meets that set in this
# process (axe_findings), not on every page.
_STYLESHEETS_JS = """() => [...document.styleSheets].map(
    sheet => sheet.href || (sheet.ownerNode && sheet.ownerNode.textContent) || ""
)"""
_STYLESHEETS_READ: set[tuple[str, ...]] = set()
# What axe found on each page this process has checked, by the page's HTML (axe_findings).
_AXE_ANSWERS: dict[str, list[tuple[str, str]]] = {}
_DIFFERS_ON_EVERY_RESPONSE = re.compile(r'(name="csrfmiddlewaretoken" value=|nonce=)"[^"]*"')

_LINKS_JS = """(selector) => [...document.querySelectorAll(selector)].map(a => ({
    href: a.href, download: a.hasAttribute("download")
}))"""

_STRUCTURE_JS = """() => {
    const skipLinks = [...document.querySelectorAll('a[href^="#"]')].filter(
        a => /skip/i.test(a.textContent)
    );
    const skipTargetExists = skipLinks.some(a => {
        const id = decodeURIComponent(a.getAttribute("href").slice(1));
        return id && document.getElementById(id);
    });
    return {
        h1: document.querySelectorAll("h1").length,
        main: document.querySelectorAll("main, [role=main]").length,
        lang: document.documentElement.getAttribute("lang") || "",
        skipLink: skipLinks.length > 0,
        skipTargetExists: skipTargetExists,
    };
}"""

# Index among `main form` of the first form worth putting into its error state, or -1.
_FORM_TO_BREAK_JS = """([textBoxes, submitButtons, destructive]) => {
    const visible = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
    const words = text => (text || "").toLowerCase();
    const tokens = text => words(text).split(/[^a-z]+/).filter(Boolean);
    const isDestructive = form => {
        const action = new URL(form.action, document.baseURI);
        const actionTokens = tokens(action.pathname);
        const buttonText = [...form.querySelectorAll(submitButtons)]
            .map(b => words(b.textContent || b.value)).join(" ");
        return destructive.some(word => word.includes(" ")
            ? buttonText.includes(word)
            : actionTokens.includes(word) || tokens(buttonText).includes(word));
    };
    const forms = [...document.querySelectorAll("main form")];
    return forms.findIndex(form =>
        form.method === "post"
        && !form.closest("[data-crawl-skip]")
        && [...form.querySelectorAll(textBoxes + ", select")].some(visible)
        && [...form.querySelectorAll(submitButtons)].some(visible)
        && !isDestructive(form)
    );
}"""


@dataclass
class Finding:
    page: str
    kind: str
    detail: str


@dataclass
class CrawlReport:
    role: str
    origin: str
    visited: list[str] = field(default_factory=list)
    error_states: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # The UK reading age of each page's main text, where it is long enough to measure.
    reading_ages: dict[str, float] = field(default_factory=dict)

    def add(self, page: str, kind: str, detail: str) -> None:
        self.findings.append(Finding(page, kind, detail))

    def summary(self) -> str:
        pages = sorted({finding.page for finding in self.findings})
        lines = [
            f"The accessibility crawl as {self.role} found {len(self.findings)} problem(s) on "
            f"{len(pages)} of {len(self.visited)} pages:"
        ]
        for page in pages:
            lines.append(f"\n{page}")
            for finding in self.findings:
                if finding.page == page:
                    lines.append(f"  [{finding.kind}] {finding.detail}")
        lines.append(f"\nPages visited: {', '.join(self.visited)}")
        return "\n".join(lines)


def relative(url: str, origin: str) -> str:
    if not url.startswith(origin):
        return url
    return url[len(origin) :] or "/"


def shape_of(url: str) -> str:
    """The URL with ids and tokens blanked out, and only the names of its query parameters."""
    parts = urlsplit(url)
    segments = [
        "<id>" if segment.isdigit() else "<token>" if len(segment) >= 20 else segment
        for segment in parts.path.split("/")
    ]
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return "/".join(segments) + ("?" + "&".join(keys) if keys else "")


def normalise(url: str) -> str:
    url, _fragment = urldefrag(url)
    parts = urlsplit(url)
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return parts._replace(query=query).geturl()


def worth_following(url: str, origin: str) -> bool:
    if not url.startswith(origin + "/"):
        return False
    path = urlsplit(url).path
    if path.startswith("/admin/") and path != "/admin/":
        return False
    return not path.startswith("/account/logout/")


def axe_findings(page: Page) -> list[tuple[str, str]]:
    """What axe finds on the page, as (kind, detail) pairs. axe is most of a crawl's time,
    and the crawls meet the same pages from different starts: a page whose HTML is the same
    as one already checked in this process, but for what differs on every response (the
    CSRF token, a script nonce), gets the same answer without running axe again."""
    # A page whose stylesheet is still on its way lays out without it: axe would see every
    # link too small to tap.
    page.wait_for_load_state("load")
    html = _DIFFERS_ON_EVERY_RESPONSE.sub(r"\1", page.content())
    key = hashlib.sha256(html.encode()).hexdigest()
    if key in _AXE_ANSWERS:
        return _AXE_ANSWERS[key]
    # axe goes in through the DevTools protocol, so the page's Content Security Policy does
    # not apply to it: the strict CSP stays on (bypass_csp is not needed), and anything it
    # blocks shows as a console error.
    page.evaluate(_AXE_SOURCE)
    stylesheets = tuple(sorted(page.evaluate(_STYLESHEETS_JS)))
    options = AXE_OPTIONS if stylesheets not in _STYLESHEETS_READ else AXE_WITHOUT_STYLESHEETS
    results = page.evaluate("options => axe.run(document, options)", options)
    _STYLESHEETS_READ.add(stylesheets)
    findings = []
    for violation in results["violations"]:
        targets = "; ".join(
            " ".join(str(part) for part in node["target"]) for node in violation["nodes"]
        )
        findings.append(
            (
                f"axe {violation['id']}",
                f"({violation.get('impact')}) {violation['help']}: {targets}",
            )
        )
    _AXE_ANSWERS[key] = findings
    return findings


def check_page(page: Page, report: CrawlReport, where: str) -> None:
    """axe plus the structure every page needs: one h1, a main landmark, a language and a
    skip link that leads somewhere."""
    for kind, detail in axe_findings(page):
        report.add(where, kind, detail)
    structure = page.evaluate(_STRUCTURE_JS)
    if structure["h1"] != 1:
        report.add(where, "structure", f"{structure['h1']} h1 elements, not exactly one")
    if structure["main"] != 1:
        report.add(where, "structure", f"{structure['main']} main landmarks, not exactly one")
    if not structure["lang"]:
        report.add(where, "structure", "the html element has no lang attribute")
    if not structure["skipLink"]:
        report.add(where, "structure", "no skip link (a link to #id whose text says 'skip')")
    elif not structure["skipTargetExists"]:
        report.add(where, "structure", "the skip link points at an id that is not on the page")
    if structure["main"] == 1 and not where.startswith(NOT_OUR_WORDS):
        age = reading_age(page.get_by_role("main").inner_text())
        if age is not None:
            report.reading_ages[where] = age
        if age is not None and age > MAX_READING_AGE:
            report.add(
                where,
                "reading age",
                f"its main text has a reading age of {age}, over {MAX_READING_AGE}: use shorter "
                "sentences and shorter words",
            )


def record_problems(problems: BrowserProblems, report: CrawlReport, where: str) -> None:
    for problem in problems.take():
        report.add(where, "browser", problem)


def try_error_state(page: Page, problems: BrowserProblems, report: CrawlReport, where: str) -> bool:
    """Empty the text boxes of the page's first ordinary form, send it, and check the error
    page that comes back. Forms that would delete, sign out or end something are left alone.
    Returns whether it sent a form."""
    index = page.evaluate(
        _FORM_TO_BREAK_JS, [TEXT_BOXES, SUBMIT_BUTTONS, sorted(DESTRUCTIVE_WORDS)]
    )
    if index < 0:
        return False
    form = page.locator("main form").nth(index)
    for box in form.locator(TEXT_BOXES).all():
        if box.is_visible() and box.is_editable():
            box.fill("")
    submit = form.locator(SUBMIT_BUTTONS).first
    with page.expect_navigation() as navigation:
        submit.click()
    response = navigation.value
    if response is None or response.status != 200 or not page.locator(".error-summary").count():
        # The form accepted empty boxes, or went somewhere else: nothing to check here.
        record_problems(problems, report, where)
        return True
    state = f"{where} (form sent with empty boxes)"
    report.error_states.append(where)
    check_page(page, report, state)
    summary_focused = page.evaluate(
        "() => !!(document.activeElement && document.activeElement.closest('.error-summary'))"
    )
    if not summary_focused:
        report.add(state, "focus", "the error summary does not have focus after a failed send")
    record_problems(problems, report, state)
    return True


def crawl(
    page: Page,
    *,
    problems: BrowserProblems,
    role: str,
    origin: str,
    start: list[str],
    max_pages: int = MAX_PAGES,
    links_in: str = LINK_AREAS,
    avoid: tuple[str, ...] = (),
) -> CrawlReport:
    """Breadth-first over every same-origin page reachable from `start` by following the
    links in `links_in` (every part of the page a person reads, unless told otherwise), up to
    `max_pages` of them. Links to paths starting with one of `avoid` are not followed."""
    report = CrawlReport(role=role, origin=origin)
    queue = deque((normalise(origin + path), "the start") for path in start)
    queued = {url for url, _ in queue}
    checked: set[str] = set()
    shapes: Counter[str] = Counter()
    sent_empty: set[str] = set()
    while queue and len(report.visited) < max_pages:
        url, linked_from = queue.popleft()
        if shapes[shape_of(url)] >= MAX_PER_SHAPE:
            continue
        shapes[shape_of(url)] += 1
        problems.take()
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            detail = f"linked from {linked_from}: could not open it: {error}"
            if "Download is starting" in str(error):
                detail = (
                    f"linked from {linked_from}: it downloads a file, so its link needs the "
                    "`download` attribute"
                )
            report.add(relative(url, origin), "link", detail)
            continue
        landed = normalise(page.url)
        where = relative(landed, origin)
        if response is not None and response.status >= 400:
            report.add(
                where,
                "link",
                f"the link from {linked_from} to {relative(url, origin)} answered "
                f"{response.status}",
            )
        # After a redirect, the page it led to counts against its own shape as well.
        redirected_to_more_of_the_same = landed != url and shapes[shape_of(landed)] >= MAX_PER_SHAPE
        if landed in checked or redirected_to_more_of_the_same:
            record_problems(problems, report, where)
            continue
        if landed != url:
            shapes[shape_of(landed)] += 1
        checked.add(landed)
        report.visited.append(where)
        check_page(page, report, where)
        record_problems(problems, report, where)
        links = page.evaluate(_LINKS_JS, links_in)
        # One page of a shape is sent empty: the second has the same form.
        if shape_of(landed) not in sent_empty and try_error_state(page, problems, report, where):
            sent_empty.add(shape_of(landed))
        for link in links:
            target = normalise(link["href"])
            if link["download"] or target in queued or not worth_following(target, origin):
                continue
            if avoid and urlsplit(target).path.startswith(avoid):
                continue
            queued.add(target)
            queue.append((target, where))
    return report


def crawl_after_sign_in(page: Page, *, problems: BrowserProblems, **crawl_args) -> CrawlReport:
    """The crawl, started straight after signing in: what went wrong while signing in is
    reported with the rest."""
    signing_in = problems.take()
    report = crawl(page, problems=problems, **crawl_args)
    for problem in signing_in:
        report.add("while signing in", "browser", problem)
    return report


def crawl_nearby(page: Page, *, problems: BrowserProblems, **crawl_args) -> CrawlReport:
    """The crawl after signing in, over the pages near `start`: those its main content links
    to, and theirs, up to NEARBY_PAGES."""
    return crawl_after_sign_in(
        page, problems=problems, max_pages=NEARBY_PAGES, links_in=MAIN_LINKS, **crawl_args
    )
