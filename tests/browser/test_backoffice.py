"""Staff in Chromium: an agent takes the next claim, asks for information, approves; a
supervisor reads the dashboard; axe finds nothing serious or critical on these pages."""

import re

import pytest

from claims.actors import Actor
from claims.models import Claim, ClaimStatus
from claims.services import claim_resume_after_info
from tests.browser.conftest import axe_violations, staff_login
from tests.factories import CustomerFactory, OrderLineFactory, claim_in

pytestmark = pytest.mark.django_db(transaction=True)


# A phone's header: the brand, the search box and the notifications count, no more than this
# tall, so that the queue, a claim or the search results start above the fold.
PHONE_HEADER_MAX_PX = 160


def _header_height(page) -> float:
    return page.evaluate(
        "document.querySelector('header.staff-header').getBoundingClientRect().height"
    )


def _focus_by_tab(page, selector: str) -> None:
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_agent_takes_next_requests_information_and_approves(page, agent):
    # given
    claim = claim_in(ClaimStatus.UNDER_REVIEW, amount_minor=42_000)
    staff_login(page, "agent")
    page.goto("/staff/")
    assert claim.reference in page.inner_text("table.queue")
    assert axe_violations(page) == []
    # when: take the next claim
    page.click("text=Take next claim")
    page.wait_for_url(re.compile(rf"/staff/claims/{claim.pk}/$"))
    assert "Held by agent" in page.inner_text(".holder")
    assert axe_violations(page) == []
    # and ask the customer for information, after reading what it will do
    page.click("text=Ask the customer for information…")
    assert "The customer is told by e-mail." in page.inner_text(".confirm")
    assert axe_violations(page) == []
    page.fill("textarea[name=reason]", "Please upload the receipt.")
    page.click("text=Confirm: Ask the customer for information")
    page.wait_for_url(re.compile(rf"/staff/claims/{claim.pk}/$"))
    assert "is now Needs information" in page.inner_text(".messages")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.NEEDS_INFO
    # the customer answers (their own pages do this)
    claim_resume_after_info(claim=claim, actor=Actor.customer(claim.customer))
    # then approve
    page.reload()
    page.click("text=Approve an amount…")
    assert "Marketplace concession" in page.inner_text(".confirm")
    assert page.input_value(f"input[name=loss_{claim.losses.get().pk}]") == "420.00"
    page.click("text=Confirm: Approve an amount")
    page.wait_for_url(re.compile(rf"/staff/claims/{claim.pk}/$"))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and claim.approved_total_minor == 42_000
    assert Claim.objects.get(pk=claim.pk).assignee == agent


def _queue_filters_open(page, username: str) -> None:
    """The queue, signed in, its filters open; ``window.sameDocument`` tells whether a later
    answer was swapped in place (htmx) rather than loaded as a new page."""
    staff_login(page, username)
    page.goto("/staff/")
    page.wait_for_function("window.htmx !== undefined")
    page.evaluate("window.sameDocument = true")
    page.click("summary")


def test_queue_filters_update_the_results_in_place(page, agent):
    claim_in(ClaimStatus.UNDER_REVIEW)
    held = claim_in(ClaimStatus.FRAUD_HOLD)
    _queue_filters_open(page, "agent")
    page.select_option("#id_status", "fraud_hold")
    page.click("#queue-filters button[type=submit]")
    page.wait_for_url(re.compile(r"status=fraud_hold"))
    page.wait_for_function("document.querySelectorAll('table.queue tbody tr').length === 1")
    rows = page.locator("table.queue tbody tr")
    assert held.reference in rows.first.inner_text()
    # htmx swapped the results in place: the page itself was not reloaded
    assert page.evaluate("window.sameDocument") is True


def test_a_fraction_of_an_hour_in_due_within_is_said_beside_the_field_in_place(page, agent):
    # given: the queue's filters open
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    _queue_filters_open(page, "agent")
    # when: a fraction of an hour, applied (htmx swaps the results in place)
    page.fill("#id_due_within", "1.5")
    page.click("#queue-filters button[type=submit]")
    page.wait_for_url(re.compile(r"due_within=1.5"))
    # then: said above the results and beside the field, what was typed kept, no rows
    page.wait_for_selector("#id_due_within_error")
    assert page.inner_text("#id_due_within_error") == "Enter a whole number."
    assert "Due within (hours): Enter a whole number." in page.inner_text("#results")
    assert page.input_value("#id_due_within") == "1.5"
    assert claim.reference not in page.inner_text("table.queue")
    assert axe_violations(page) == []
    # when: corrected
    page.fill("#id_due_within", "48")
    page.click("#queue-filters button[type=submit]")
    page.wait_for_url(re.compile(r"due_within=48"))
    # then: the problem is gone from beside the field too; still the same document
    page.wait_for_selector("#id_due_within_error", state="detached")
    assert page.get_attribute("#id_due_within", "aria-invalid") is None
    assert page.evaluate("window.sameDocument") is True


def test_supervisor_reads_the_dashboard(page, supervisor):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.site.test_second_factor import totp_now

    claim_in(ClaimStatus.UNDER_REVIEW)
    claim_in(ClaimStatus.FRAUD_HOLD)
    device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    staff_login(page, "supervisor", code=totp_now(device))
    page.goto("/staff/dashboard/")
    assert page.locator("h1").inner_text() == "Supervisor dashboard"
    assert page.locator("figure.chart").count() == 3
    assert page.locator("section[aria-labelledby=h-status] table").is_visible()
    assert axe_violations(page) == []


def test_queue_and_safety_on_a_phone(phone_page, agent):
    claim_in(ClaimStatus.UNDER_REVIEW)
    staff_login(phone_page, "agent")
    for url in ("/staff/", "/staff/safety/"):
        phone_page.goto(url)
        overflow = phone_page.evaluate(
            "document.documentElement.scrollWidth > window.innerWidth + 1"
        )
        assert overflow is False, url
        assert axe_violations(phone_page) == [], url


def _workspace_form_refused(page, *, field_id: str, typed: str, button: str, action: str) -> str:
    """A claim's workspace, ``typed`` into ``field_id``, sent with ``button``: refused, the
    workspace comes back at the form's address with all of it kept, the problem beside the
    field and tied to it, the summary above, axe clean. Returns the field's problem."""
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    staff_login(page, "agent")
    page.goto(f"/staff/claims/{claim.pk}/")
    page.fill(f"#{field_id}", typed)
    page.click(f"button:has-text('{button}')")
    page.wait_for_url(re.compile(rf"/staff/claims/{claim.pk}/{action}/$"))
    assert page.get_attribute(f"#{field_id}", "aria-describedby") == f"{field_id}_error"
    assert page.input_value(f"#{field_id}") == typed
    assert "Nothing was recorded." in page.inner_text(".error-summary")
    assert axe_violations(page) == []
    return page.inner_text(f"#{field_id}_error")


def test_agent_typing_a_tag_too_long_is_refused_not_cut(page, agent):
    from backoffice.models import ClaimTag

    # when: 300 characters typed into "Add tag" (a maxlength would keep only the first 40)
    said = _workspace_form_refused(
        page, field_id="tag_name", typed="x" * 300, button="Add tag", action="tag"
    )
    # then
    assert said == "A tag needs a name of at most 40 characters."
    assert not ClaimTag.objects.exists()


def test_a_note_too_long_comes_back_whole_with_its_problem_beside_it(page, agent):
    from claims.models import ClaimEvent, EventKind

    # when: a note of 4,001 characters pasted (a maxlength would have cut it, and recorded it)
    said = _workspace_form_refused(
        page, field_id="note_text", typed="n" * 4001, button="Add internal note", action="note"
    )
    # then
    assert "at most 4000 characters" in said
    assert not ClaimEvent.objects.filter(kind=EventKind.NOTE).exists()


def test_agent_changes_language_from_the_staff_header_by_keyboard_on_a_small_phone(
    phone_page, agent
):
    # given: an agent on a claim's workspace on a 360 px wide phone
    page = phone_page
    page.set_viewport_size({"width": 360, "height": 740})
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    staff_login(page, "agent")
    here = f"/staff/claims/{claim.pk}/"
    page.goto(here)
    # when: by keyboard only: Tab to the header's menu button and open it
    _focus_by_tab(page, ".staff-menu-toggle")
    page.keyboard.press("Enter")
    # then: the header's language menu fits the screen, and axe finds nothing on the header
    menu = page.locator("header.staff-header form.language")
    box = menu.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []
    # when: Tab on to the language menu, type the language's first letter, Tab, Enter
    _focus_by_tab(page, "#language-select")
    page.keyboard.type("D")  # Deutsch
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    # then: the same page, in German
    page.wait_for_selector("html[lang=de]")
    assert page.url.endswith(here)
    page.click("header.staff-header .staff-menu-toggle")
    assert "Abmelden" in page.inner_text("header.staff-header")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []


@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
def test_staff_pages_fit_a_small_phone_in_every_language(page, supervisor, language):
    # German and French words are longer: the header's search button ("Rechercher") and the
    # queue's heading ("Warteschlange der Schadensmeldungen") must still fit 360 px. (A desktop
    # window made narrow: a mobile context zooms out to fit what overflows, and hides it.)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.site.test_second_factor import totp_now

    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    staff_login(page, "supervisor", code=totp_now(device))
    page.set_viewport_size({"width": 360, "height": 740})
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.url}])
    pages = ("/staff/", f"/staff/claims/{claim.pk}/", "/staff/decisions/", "/staff/money/")
    # the fraud queue's rule filter lists rules by name ("Wiederholte Schadensmeldungen auf ein
    # Auszahlungskonto"), and the watchlist has a column with no heading
    for url in (*pages, "/staff/fraud/", "/staff/fraud/watchlist/"):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language
        # with the header's menu closed, then open (its areas and account one per line)
        for menu in ("closed", "open"):
            if menu == "open":
                page.click("header.staff-header .staff-menu-toggle")
            wide = page.evaluate(
                """() => [...document.querySelectorAll('body *')]
                    .filter(e => e.checkVisibility())  // not what a closed <details> hides
                    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                    .slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' +
                                     (e.innerText || '').slice(0, 30))"""
            )
            assert wide == [], (url, menu, wide)
            fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            assert fits, (url, menu)


@pytest.mark.parametrize("language", ["en", "es", "fr", "de"])
def test_staff_header_on_a_small_phone_folds_the_areas_behind_one_menu(page, supervisor, language):
    # given: a supervisor (every area, the admin, an unread notification) on a 360 px screen
    # (a narrow desktop window: a mobile context zooms out and hides what overflows)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from backoffice.notifications import notify_assigned
    from tests.factories import CustomerFactory, OrderLineFactory
    from tests.site.test_second_factor import totp_now

    customer = CustomerFactory(name="Tomasz Wielgosz")
    claim, other = (
        claim_in(ClaimStatus.UNDER_REVIEW, order_line=OrderLineFactory(order__customer=customer))
        for _ in range(2)
    )
    notify_assigned(claim=other, assignee_id=supervisor.pk, actor_id=None)
    device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    staff_login(page, "supervisor", code=totp_now(device))
    page.set_viewport_size({"width": 360, "height": 740})
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.url}])
    toggle = page.locator("header.staff-header .staff-menu-toggle")
    links = page.locator("header.staff-header nav .staff-nav a")
    sign_out = page.locator("form.staff-user button[type=submit]")
    for url in ("/staff/", f"/staff/claims/{claim.pk}/", "/staff/search/?q=wielgosz"):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language
        # then: closed, the header is short and keeps the brand, the search box and the count
        assert _header_height(page) < PHONE_HEADER_MAX_PX, (url, _header_height(page))
        for always in (".brand", "#staff-search-q", ".staff-notifications .count"):
            assert page.locator(always).is_visible(), (url, always)
        assert toggle.is_visible()
        assert toggle.get_attribute("aria-expanded") == "false"
        assert links.count() >= 9 and not any(link.is_visible() for link in links.all())
        assert not sign_out.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
        assert axe_violations(page) == [], url
        # when: by keyboard, Tab to the menu button (its focus shown) and press Enter
        _focus_by_tab(page, ".staff-menu-toggle")
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
        page.keyboard.press("Enter")
        # then: every area, the language menu, the admin and "Sign out" are shown, the page's
        # area still marked, and the page still fits
        assert toggle.get_attribute("aria-expanded") == "true"
        assert all(link.is_visible() for link in links.all()), url
        assert page.locator("#language-select").is_visible()
        assert sign_out.is_visible() and page.locator(".staff-user a[href='/admin/']").is_visible()
        current = page.locator("header.staff-header nav [aria-current=page]")
        assert current.count() == 1 and current.get_attribute("href") == "/staff/"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
        assert axe_violations(page) == [], url
        # and Tab goes on into the menu; Escape closes it and gives the focus back
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('nav') !== null")
        page.keyboard.press("Escape")
        assert toggle.get_attribute("aria-expanded") == "false"
        assert page.evaluate("document.activeElement.classList.contains('staff-menu-toggle')")
        assert not sign_out.is_visible()
        # and Space opens it again
        page.keyboard.press(" ")
        assert sign_out.is_visible()
    # and in another area, the open menu marks that one
    page.goto("/staff/money/")
    toggle.click()
    current = page.locator("header.staff-header nav [aria-current=page]")
    assert current.count() == 1 and current.get_attribute("href") == "/staff/money/"
    assert current.is_visible()
    # the toggle is named in the page's language
    name = toggle.inner_text().strip()
    assert name == {"en": "Menu", "es": "Menú", "fr": "Menu", "de": "Menü"}[language]


def test_staff_header_on_a_desktop_shows_everything_with_no_menu_button(page, supervisor):
    # given: a supervisor on a 1280 px screen
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.site.test_second_factor import totp_now

    device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    staff_login(page, "supervisor", code=totp_now(device))
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/staff/")
    # then: no menu button; every area, the language menu and "Sign out" in view, in two rows
    # (the brand and the areas; the search box, the notifications, the language and the user)
    assert not page.locator(".staff-menu-toggle").is_visible()
    links = page.locator("header.staff-header nav .staff-nav a")
    assert links.count() >= 9 and all(link.is_visible() for link in links.all())
    assert page.locator("form.staff-user button[type=submit]").is_visible()
    brand = page.locator(".brand").bounding_box()
    first = links.first.bounding_box()
    assert abs(brand["y"] - first["y"]) < 8, "the areas sit beside the brand"
    assert _header_height(page) <= 100
    assert page.locator("header.staff-header nav [aria-current=page]").inner_text() == "Claims"
    assert axe_violations(page) == []


def test_staff_header_without_the_script_on_a_phone_folds_nothing(browser, live_server, agent):
    # given: a phone whose browser runs no script (static/js/staff.js works the menu button)
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    staff_login(page, "agent")
    # then: no menu button that could not open; every area and "Sign out" in view, and it fits
    assert not page.locator(".staff-menu-toggle").is_visible()
    links = page.locator("header.staff-header nav .staff-nav a")
    assert links.count() >= 3 and all(link.is_visible() for link in links.all())
    assert page.locator("form.staff-user button[type=submit]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()


def test_staff_header_on_a_small_phone_every_control_is_big_enough_to_tap(page, agent):
    # Found trying the demo on a phone: the open menu's areas were 40 px tall, the brand 24 px,
    # the search box 42 and the language menu 39, beside a 44 px Menu button and Sign out.
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    staff_login(page, "agent")
    page.set_viewport_size({"width": 360, "height": 740})
    for url in ("/staff/", f"/staff/claims/{claim.pk}/"):
        page.goto(url)
        for menu in ("closed", "open"):
            if menu == "open":
                page.click("header.staff-header .staff-menu-toggle")
            small = page.evaluate(
                """() => [...document.querySelectorAll(
                        'header.staff-header :is(a[href], button, input, select)')]
                    .filter(e => e.type !== 'hidden' && e.checkVisibility())
                    .filter(e => e.getBoundingClientRect().height < 44)
                    .map(e => (e.innerText || e.name || e.id).trim() + ' ' +
                              Math.round(e.getBoundingClientRect().height))"""
            )
            assert small == [], (url, menu, small)


def test_queue_on_a_small_phone_each_claims_checkbox_is_big_enough_to_tap(page, agent):
    # Found trying the demo on a phone: the bulk action's checkbox on each claim was 13 px
    # square, with no label to tap instead (it is named by aria-label).
    claim_in(ClaimStatus.UNDER_REVIEW)
    staff_login(page, "agent")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/staff/")
    boxes = page.locator("table.data input[type=checkbox][name=claims]")
    assert boxes.count() >= 1
    for box in boxes.all():
        size = box.bounding_box()
        assert size["width"] >= 44 and size["height"] >= 44, size
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_staff_lists_on_a_small_phone_the_filters_toggle_is_big_enough_to_tap(page, agent):
    # Found trying the demo on a phone: "Filters and sorting" (a <summary>) was 24 px tall.
    staff_login(page, "agent")
    page.set_viewport_size({"width": 360, "height": 740})
    for url in ("/staff/", "/staff/money/", "/staff/sellers/"):
        page.goto(url)
        toggles = page.locator("main summary")
        assert toggles.count() >= 1, url
        for toggle in toggles.all():
            assert toggle.bounding_box()["height"] >= 44, (url, toggle.inner_text())


def test_a_bulk_action_refused_keeps_what_was_typed_and_ticked(page, agent):
    # given: the queue, one claim ticked, a tag too long typed
    from backoffice.models import ClaimTag

    claim, other = claim_in(ClaimStatus.UNDER_REVIEW), claim_in(ClaimStatus.UNDER_REVIEW)
    staff_login(page, "agent")
    page.goto("/staff/?status=under_review")
    page.check(f"input[name=claims][value='{claim.pk}']")
    page.select_option("#bulk-action", "tag")
    page.fill("#bulk-tag", "x" * 41)
    # when
    page.click("#bulk button[type=submit]")
    page.wait_for_load_state()
    # then: the queue again, the problem beside the tag, the claim still ticked, nothing done
    assert page.inner_text("#bulk-tag_error") == "A tag needs a name of at most 40 characters."
    assert page.input_value("#bulk-tag") == "x" * 41
    assert page.input_value("#bulk-action") == "tag"
    assert page.is_checked(f"input[name=claims][value='{claim.pk}']")
    assert not page.is_checked(f"input[name=claims][value='{other.pk}']")
    assert "Nothing was recorded." in page.inner_text("#bulk .error-summary")
    assert axe_violations(page) == []
    assert not ClaimTag.objects.exists()
    # when: corrected and sent again, the page's filters kept
    page.fill("#bulk-tag", "recall")
    page.click("#bulk button[type=submit]")
    page.wait_for_url(re.compile(r"/staff/\?status=under_review$"))
    assert list(ClaimTag.objects.values_list("claim_id", flat=True)) == [claim.pk]


def _focused_summary(page) -> bool:
    return page.evaluate("document.activeElement.matches('.error-summary')")


def _request_information_empty(page, claim) -> None:
    """An agent asks the customer for information with no message: refused."""
    staff_login(page, "agent")
    page.goto(f"/staff/claims/{claim.pk}/")
    page.click("text=Ask the customer for information…")
    # a page with no refusal leaves the focus alone
    assert page.evaluate("document.activeElement === document.body")
    page.click("text=Confirm: Ask the customer for information")
    page.wait_for_selector(".error-summary")


def test_a_refused_staff_form_takes_the_focus_to_its_error_summary(page, agent):
    # Found trying the staff pages: after a refused form the focus stayed on the page, and a
    # keyboard or screen-reader user had to hunt for what was wrong.
    # given: an agent on a 360 px phone
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    page.set_viewport_size({"width": 360, "height": 740})
    # when: asking the customer for information with no message
    _request_information_empty(page, claim)
    # then: the focus is on the one summary, which is in view
    page.wait_for_selector(".error-summary:focus")
    assert page.locator(".error-summary").count() == 1
    box = page.locator(".error-summary").bounding_box()
    assert box["y"] >= 0 and box["y"] < 740
    assert axe_violations(page) == []
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW


def test_the_error_summary_never_takes_the_focus_from_what_the_user_focused(page, agent):
    # given: a refused form
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    _request_information_empty(page, claim)
    # when: refused again, the user already in the search box before the page is ready
    page.add_init_script(
        "document.addEventListener('readystatechange', () => {"
        " if (document.readyState === 'interactive') {"
        "  document.getElementById('staff-search-q').focus(); } }, {capture: true});"
    )
    page.click("text=Confirm: Ask the customer for information")
    page.wait_for_selector(".error-summary")
    # then: the focus stays where the user put it
    assert page.evaluate("document.activeElement.id") == "staff-search-q"


def test_a_refused_queue_filter_swapped_in_takes_the_focus_to_its_summary(page, agent):
    # given: the queue's filters open (htmx swaps the results in place)
    claim_in(ClaimStatus.UNDER_REVIEW)
    _queue_filters_open(page, "agent")
    # when: a fraction of an hour, applied
    page.fill("#id_due_within", "1.5")
    page.click("#queue-filters button[type=submit]")
    page.wait_for_url(re.compile(r"due_within=1.5"))
    # then: the focus is on the summary of the problem, in the same document
    page.wait_for_selector("#results .error-summary:focus")
    assert "Due within (hours): Enter a whole number." in page.inner_text(".error-summary")
    assert page.evaluate("window.sameDocument") is True
    # when: corrected, the focus goes to the results' count as before
    page.fill("#id_due_within", "48")
    page.click("#queue-filters button[type=submit]")
    page.wait_for_url(re.compile(r"due_within=48"))
    page.wait_for_selector("#results .page-info:focus")
    assert not _focused_summary(page)


def test_search_results_on_a_small_phone_start_with_the_filters_folded(page, agent):
    # Found trying the staff pages: the search's filters opened expanded, pushing the results
    # below the first screen of a phone.
    # given: two claims of one customer (two results: the results page, not a claim)
    customer = CustomerFactory(name="Tomasz Wielgosz")
    for _ in range(2):
        claim_in(ClaimStatus.UNDER_REVIEW, order_line=OrderLineFactory(order__customer=customer))
    staff_login(page, "agent")
    page.set_viewport_size({"width": 360, "height": 740})
    # when
    page.goto("/staff/search/?q=wielgosz")
    # then: the filters folded; the results (their count, then the first claim right below
    # it) start within the first screen (the bulk action's form still comes before them)
    assert page.get_attribute("details.filters", "open") is None
    count = page.locator(".page-info").bounding_box()
    first = page.locator("table.queue tbody tr").first.bounding_box()
    assert count["y"] < 740, count
    assert 0 <= first["y"] - (count["y"] + count["height"]) < 60, (count, first)
    # but a filter set besides the search opens them, as on the other staff lists
    page.goto("/staff/search/?q=wielgosz&status=under_review")
    assert page.get_attribute("details.filters", "open") is not None
    page.goto("/staff/search/?q=wielgosz&due_within=1.5")
    assert page.get_attribute("details.filters", "open") is not None
