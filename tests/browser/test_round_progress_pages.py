"""A coordinator watches a round run: the round's page says which stage it is at, in a polite
live region that keeps itself up to date, and once it has finished, offers the round. Without
JavaScript, "Check again" opens the small progress page. Both pages pass axe, and the crawl
reaches the progress page from a running round."""

from django.utils import timezone
from playwright.sync_api import Page, expect

from matching.models import MatchingRound
from tests.browser.crawler import CrawlReport, check_page, crawl, shape_of
from tests.browser.support import sign_in
from tests.factories import round_with_data

Stage = MatchingRound.Stage


def accessibility_problems(page: Page, where: str, origin: str) -> str:
    report = CrawlReport(role="coordinator", origin=origin)
    check_page(page, report, where)
    return report.summary() if report.findings else ""


def a_running_round(demo) -> MatchingRound:
    return round_with_data(
        demo.north_star,
        snapshot={"mentors": [], "mentees": []},
        status=MatchingRound.Status.RUNNING,
        started_at=timezone.now(),
        stage=Stage.READING,
        stats={},
    )


def move(matching_round, **fields) -> None:
    MatchingRound.objects.filter(pk=matching_round.pk).update(**fields)


def test_a_coordinator_sees_a_round_move_through_its_stages_and_opens_it(
    demo, page, problems, codes, live_server
):
    running = a_running_round(demo)
    sign_in(page, demo.coordinator, codes=codes)
    page.goto(f"/coordinate/north-star/matching/{running.pk}/")

    status = page.get_by_role("status")
    expect(status).to_have_text("Step 1 of 4: reading the profiles of everyone taking part.")
    assert not accessibility_problems(page, "running round", live_server.url)

    move(running, stage=Stage.PAIRING, stage_done=10, stage_total=40)
    expect(status).to_have_text(
        "Step 2 of 4: finding pairs that fit. 10 of 40 mentees looked at so far.", timeout=10_000
    )
    move(
        running,
        status=MatchingRound.Status.FINISHED,
        stage="",
        stats={"mentors": 5, "mentees": 40, "matched": 12},
    )
    expect(status).to_have_text("Finished. 12 pairs suggested.", timeout=10_000)
    show = page.get_by_role("link", name=f"Show round {running.pk}")
    expect(show).to_be_visible()
    expect(page.get_by_role("link", name="Check again")).to_be_hidden()

    show.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Matching round {running.pk}")
    expect(page.get_by_role("status")).to_have_count(0)
    assert not problems.take()


def test_without_javascript_check_again_opens_the_progress_page(demo, browser, codes, live_server):
    running = a_running_round(demo)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, demo.coordinator, codes=codes)
        page.goto(f"/coordinate/north-star/matching/{running.pk}/")
        move(running, stage=Stage.SOLVING, stats={"mentors": 5, "mentees": 40})

        page.get_by_role("link", name="Check again").click()

        expect(page).to_have_url(
            f"{live_server.url}/coordinate/north-star/matching/{running.pk}/progress/"
        )
        expect(page.get_by_role("status")).to_have_text(
            "Step 3 of 4: choosing the best pairs for 40 mentees."
        )
    finally:
        context.close()


def test_the_crawl_reaches_the_progress_page_of_a_running_round(
    demo, page, problems, codes, live_server
):
    running = a_running_round(demo)
    sign_in(page, demo.coordinator, codes=codes)
    problems.take()

    report = crawl(
        page,
        problems=problems,
        role="coordinator",
        origin=live_server.url,
        start=[f"/coordinate/north-star/matching/{running.pk}/"],
        # The progress page is a link from the round's page: the rest of the coordinator's
        # pages are the coordinator's own crawl (test_accessibility.py).
        max_pages=30,
    )

    assert not report.findings, report.summary()
    visited = {shape_of(path) for path in report.visited}
    assert "/coordinate/north-star/matching/<id>/progress/" in visited, report.summary()
