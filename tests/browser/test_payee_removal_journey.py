"""A coordinator starts a pay day and, by keyboard, takes one payment out of it before
finance pays: every page on the way passes axe, the error page too. Then the mentor, asked to
confirm it is them after a while, changes their bank details without losing what they
typed."""

import re

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import Page, expect

from accounts.models import User
from demo.people import DEMO_PASSWORD
from payments.models import PaymentRun, RunPayee
from payments.selectors import preference_current
from tests.browser.crawler import CrawlReport, check_page, record_problems
from tests.browser.support import sign_in
from tests.browser.test_session_journey import heading, sign_out, status


def main(page: Page):
    return page.get_by_role("main")


def test_a_coordinator_takes_a_payment_out_of_a_run_not_yet_paid(
    demo, page, problems, codes, live_server
):
    report = CrawlReport(role="coordinator", origin=live_server.url)
    sign_in(page, demo.coordinator, codes=codes)
    page.goto("/coordinate/north-star/pay/")
    main(page).get_by_role("button", name="Prepare a pay day").click()
    expect(heading(page)).to_have_text(re.compile(r"^Pay day NORTH-STAR-\d{4}$"))
    check_page(page, report, "the new run")
    run = PaymentRun.objects.filter(programme=demo.north_star).order_by("-number").first()
    payee = RunPayee.objects.filter(run=run).select_related("mentor").first()

    link = main(page).get_by_role(
        "link", name=re.compile(rf"^Take\s+the payment to {payee.mentor}\s+out of this run$")
    )
    link.focus()
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text("Take a payment out of this run")
    check_page(page, report, "take a payment out")

    button = main(page).get_by_role("button", name="Take this payment out of the run")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".error-summary")).to_be_focused()
    check_page(page, report, "take a payment out, with no reason")

    main(page).get_by_label("Why are you taking this payment out?").fill("Asked us to hold it")
    button.focus()
    page.keyboard.press("Enter")
    expect(status(page)).to_contain_text("is no longer in this run")
    expect(main(page).get_by_role("row").filter(has_text=str(payee.mentor))).to_contain_text(
        "Taken out of this run: Asked us to hold it"
    )
    check_page(page, report, "the run, after")
    payee.refresh_from_db()
    assert payee.status == RunPayee.Status.REMOVED
    record_problems(problems, report, "the journey")
    assert not report.findings, report.summary()


def test_a_mentor_confirms_it_is_them_and_keeps_what_they_typed(demo, page, problems, live_server):
    report = CrawlReport(role="mentor", origin=live_server.url)
    sign_in(page, demo.mentor)
    page.goto("/pay/how/")
    expect(heading(page)).to_have_text("How you are paid")
    # Half an hour passes while the page is open.
    key = next(c for c in page.context.cookies() if c["name"] == "sessionid")["value"]
    session = SessionStore(session_key=key)
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {**record, "at": record["at"] - 1800}
        for record in session[AUTHENTICATION_METHODS_SESSION_KEY]
    ]
    session.save()
    main(page).get_by_role("radio", name="Bank transfer", exact=True).check()
    main(page).get_by_label("Name on the bank account").fill("S Okafor")
    main(page).get_by_label("Sort code").fill("40-11-62")
    main(page).get_by_label("Account number").fill("87654321")
    main(page).get_by_role("button", name="Save how I am paid").click()

    expect(heading(page)).to_have_text("Confirm it is you")
    check_page(page, report, "confirm it is you")
    main(page).get_by_label("Your password").fill(DEMO_PASSWORD)
    main(page).get_by_label("Your password").press("Enter")
    expect(status(page)).to_contain_text("We will pay you this way")
    preference = preference_current(User.objects.get(email=demo.mentor))
    assert (preference.sort_code, preference.account_number) == ("401162", "87654321")
    sign_out(page)
    record_problems(problems, report, "the journey")
    assert not report.findings, report.summary()
