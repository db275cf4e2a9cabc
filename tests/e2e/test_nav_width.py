"""Browser: the navigation bar fits a desktop window (issue 18). With every menu a
quality manager has, in English and in German (longer words), at 1200 to
1920 px the bar is no wider than the window and the search box keeps a usable
width; below Bootstrap's xl breakpoint the menus fold behind the toggler."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEASURE = """() => {
  const nav = document.querySelector('nav.navbar');
  const search = document.getElementById('nav-search');
  return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
          nav: Math.ceil(nav.scrollWidth), search: Math.round(search.getBoundingClientRect().width),
          searchVisible: search.offsetParent !== null,
          toggler: getComputedStyle(document.querySelector('.navbar-toggler')).display !== 'none'};
}"""


def _measure(browser, live_server, user, password, width):
    """Log in at this window width and measure the bar on the home page."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(password)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return context, page.evaluate(MEASURE)


@pytest.mark.parametrize("language", ["en-gb", "de"])
def test_the_quality_managers_navigation_fits_desktop_widths(browser, live_server, quality_manager, password,
                                                               language):
    quality_manager.language = language
    quality_manager.save()
    problems = []
    for width in (1920, 1440, 1350, 1280, 1200):
        context, m = _measure(browser, live_server, quality_manager, password, width)
        if m["toggler"]:
            problems.append(f"{width} px: the menus are folded")
        if m["scroll"] > m["inner"] or m["nav"] > m["inner"]:
            problems.append(f"{width} px: the bar is {m['nav']} px wide")
        if not m["searchVisible"] or m["search"] < 140:
            problems.append(f"{width} px: the search box is {m['search']} px wide")
        context.close()
    # Narrower than xl: folded behind the toggler, and the page still fits.
    context, m = _measure(browser, live_server, quality_manager, password, 1100)
    context.close()
    assert m["toggler"] and m["scroll"] <= m["inner"], m
    assert problems == [], problems
