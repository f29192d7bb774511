"""When something fails, through the real pages: signing in while Redis is down gives the
plain "please try again" page, and a round that stopped before it finished says so and
starts again from the keyboard. Both pages pass axe."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from background.services import sweep
from matching.models import MatchingRound
from matching.selectors import round_instance
from tests.browser.crawler import CrawlReport, check_page
from tests.browser.support import EMAIL_LABEL, sign_in
from tests.factories import round_with_data
from tests.outages_support import redis_at_closed_port


def accessibility_problems(page: Page, role: str, where: str, origin: str) -> str:
    report = CrawlReport(role=role, origin=origin)
    check_page(page, report, where)
    return report.summary() if report.findings else ""


def test_signing_in_while_redis_is_down_asks_people_to_try_again(
    demo, page, problems, settings, live_server
):
    page.goto("/account/login/")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_at_closed_port(),
        }
    }
    main = page.get_by_role("main")
    main.get_by_label(EMAIL_LABEL).fill(demo.mentor)
    main.get_by_label("Password", exact=True).fill("alongside-demo-2026")
    main.get_by_role("button", name="Sign in", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sorry, the service is not available right now"
    )
    expect(main).to_contain_text("Please try again in a few minutes.")
    # The 503 itself, as the browser's log and the response: nothing else went wrong.
    assert sorted(problems.take()) == [
        f"503 from {live_server.url}/account/login/",
        f"console error on {live_server.url}/account/login/: Failed to load resource: the "
        "server responded with a status of 503 (Service Unavailable)",
    ]
    assert not accessibility_problems(page, "anonymous", "the 503 page", live_server.url)


def test_a_coordinator_starts_again_after_a_round_stopped_before_it_finished(
    demo, page, problems, codes, live_server
):
    started = timezone.now() - timedelta(hours=2)
    stopped = round_with_data(
        demo.north_star,
        snapshot=round_instance(demo.north_star),
        status=MatchingRound.Status.RUNNING,
        started_at=started,
    )
    sweep()
    sign_in(page, demo.coordinator, codes=codes)
    page.goto("/coordinate/north-star/matching/")

    main = page.get_by_role("main")
    expect(main).to_contain_text(f"Round {stopped.pk} could not be solved: It stopped before")
    assert not accessibility_problems(page, "coordinator", "matching", live_server.url)
    main.get_by_role("link", name=f"See round {stopped.pk}").click()
    expect(main).to_contain_text("This round could not be solved: It stopped before")
    assert not accessibility_problems(page, "coordinator", "stopped round", live_server.url)

    start_again = main.get_by_role("button", name="Start again")
    start_again.focus()
    page.keyboard.press("Enter")

    expect(page).not_to_have_url(re.compile(rf"/matching/{stopped.pk}/$"))
    expect(page.get_by_role("heading", level=1)).not_to_have_text(f"Matching round {stopped.pk}")
    assert MatchingRound.objects.filter(pk__gt=stopped.pk).exists()
    assert not problems.take()
