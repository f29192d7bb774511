"""A coordinator pays North Star every two weeks and records that Sam is paid through
payroll; Sam then reads both on his pay page, in plain words. Every page on the way passes
axe, the error pages too."""

from datetime import timedelta

from playwright.sync_api import Page, expect

from accounts.models import User
from payments.models import EmploymentDecision, PaymentSchedule
from payments.selectors import employment_status_current, programme_today
from tests.browser.crawler import CrawlReport, check_page, record_problems
from tests.browser.support import sign_in
from tests.browser.test_session_journey import heading, sign_out, status


def main(page: Page):
    return page.get_by_role("main")


def test_a_coordinator_schedules_runs_and_records_how_a_mentor_is_paid(
    demo, page, problems, codes, live_server
):
    report = CrawlReport(role="coordinator", origin=live_server.url)
    sam = User.objects.get(email=demo.mentor)
    first = programme_today(demo.north_star) + timedelta(days=3)
    sign_in(page, demo.coordinator, codes=codes)

    page.goto("/coordinate/north-star/pay/")
    main(page).get_by_role("link", name="Change when mentors are paid").click()
    expect(heading(page)).to_have_text("When mentors in North Star are paid")
    check_page(page, report, "the schedule")
    main(page).get_by_label("Every two weeks").check()
    main(page).get_by_label("Day of the first run").fill("")
    main(page).get_by_role("button", name="Save the schedule").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(main(page)).to_contain_text("Enter the date of the first pay day.")
    check_page(page, report, "the schedule, with no day")
    main(page).get_by_label("Day of the first run").fill(first.isoformat())
    main(page).get_by_role("button", name="Save the schedule").click()
    expect(status(page)).to_contain_text(
        f"The next pay day will be prepared on {first:%A %-d %B %Y}"
    )
    schedule = PaymentSchedule.objects.get(programme=demo.north_star)
    assert (schedule.frequency, schedule.first_run_on) == ("fortnightly", first)

    page.goto(f"/coordinate/north-star/pay/mentors/{sam.pk}/")
    # The demo decided Sam is self-employed; the organisation now takes him on as a worker.
    main(page).get_by_role("link", name=f"See or change the decision on how {sam} is paid").click()
    organisation = demo.north_star.organisation.name
    expect(heading(page)).to_have_text(f"How {organisation} pays {sam}")
    check_page(page, report, "how a mentor is paid")
    main(page).get_by_label("Worker: fees paid through payroll").check()
    main(page).get_by_role("button", name="Record the decision").click()
    expect(page.locator(".error-summary")).to_be_focused()
    check_page(page, report, "how a mentor is paid, with no date")
    decided = programme_today(demo.north_star) - timedelta(days=2)
    main(page).get_by_label("Date of the decision").fill(decided.isoformat())
    main(page).get_by_role("button", name="Record the decision").click()
    expect(status(page)).to_contain_text(f"applies from the next pay day, and {sam} has")
    organisation = demo.north_star.organisation
    assert employment_status_current(sam, organisation).status == "payroll"
    assert EmploymentDecision.objects.filter(mentor=sam).count() == 2
    sign_out(page)

    sign_in(page, demo.mentor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your pay").click()
    expect(main(page)).to_contain_text(f"The next pay day is on {first:%A %-d %B %Y}.")
    expect(main(page)).to_contain_text("pays your fees through its payroll, as a worker")
    check_page(page, report, "the mentor's pay")
    record_problems(problems, report, "the journey")
    assert not report.findings, report.summary()
