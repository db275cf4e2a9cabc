"""Choosing in a searchable select (qms/widgets.py, static/js/picker.js) from a browser test.

The label of an enhanced select names the Tom Select box, not the hidden select,
so tests pick through the box: `choose(page, "#id_lead", "Dana")` types into it
and clicks the option offered; `choose(page, "#id_clauses", value=["12", "14"])`
picks by option value (for choices whose text the test does not know)."""

from __future__ import annotations


def choose(page, select: str, text: str | None = None, *, value=None, option: str | None = None) -> None:
    box = page.locator(f"{select} + .ts-wrapper")
    if value is not None:
        values = [str(v) for v in (value if isinstance(value, list | tuple) else [value])]
        page.locator(select).evaluate("(el, vs) => vs.forEach(v => el.tomselect.addItem(v))", values)
        return
    box.locator(".ts-control input").fill(text)
    box.locator(".ts-dropdown .option", has_text=option or text).first.click()
    page.keyboard.press("Escape")
