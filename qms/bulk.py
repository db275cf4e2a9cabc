"""Bulk actions on a register: the same service, row by row (issue 18).

A register page carries a checkbox per row (`name="ids"`, value the row's
primary key) tied to one bulk form; the chosen action first shows a page that
lists every selected row with what will happen to it (and, for a signature,
the SHA-256 each signature will cover), then posts to the action's own URL.

The policy, the same for every register:

- The selection is checked as a whole before anything is done: an empty
  selection, more than MAX_IDS ids, an id that is no number, or an id that is
  not a row of *this* register *as this user sees it* (unknown, of another
  register, outside an external auditor's scope, tampered) refuses the whole
  request with a message (BulkInputError, 400) and changes nothing.
- Then each row goes through the single action's service, in its own
  transaction: a row the rules refuse is reported with the rule's message and
  the other rows go on (per-row results, `RowResult`).
- A signature is proved once, before the first row (qms.signatures.
  BulkSignatureForm): a wrong password or code signs nothing at all.

The core knows no app: apps pass their querysets, labels and services.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext

from qms.errors import DomainError

MAX_IDS = 500


class BulkInputError(DomainError):
    """The selection itself is wrong: nothing was done."""

    status_code = 400


@dataclass
class RowResult:
    """What happened to one selected row: done, or refused with the reason."""

    obj: object
    done: bool
    message: str = ""

    @property
    def label(self) -> str:
        return str(self.obj)


def parse_ids(values: Iterable[str]) -> list[int]:
    """The selected ids, in the order given, without repeats; BulkInputError when unusable."""
    ids: list[int] = []
    seen: set[int] = set()
    for raw in values:
        text = (raw or "").strip()
        if not text.isdigit() or len(text) > 18:
            raise BulkInputError(gettext("“%(text)s” is not a row of this register. Nothing was done.") % {"text": text[:40]})
        pk = int(text)
        if pk not in seen:
            seen.add(pk)
            ids.append(pk)
    if not ids:
        raise BulkInputError(gettext("Select at least one row first. Nothing was done."))
    if len(ids) > MAX_IDS:
        raise BulkInputError(gettext("At most %(max)s rows at a time (%(count)s were selected). Nothing was done.")
                             % {"max": MAX_IDS, "count": len(ids)})
    return ids


def select(qs: QuerySet, values: Iterable[str], *, refusal: str | None = None) -> list:
    """The rows of `qs` (a register as the user may see it) named by `values`, in that order.

    One query, whatever the number of ids. Any id outside `qs` refuses the
    whole selection: the register never says which ids exist elsewhere.
    `refusal` is that sentence for this register, translated, with the
    placeholders %(missing)s and %(count)s."""
    ids = parse_ids(values)
    found = {obj.pk: obj for obj in qs.filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        refusal = refusal or gettext("%(missing)s of the %(count)s selected ids are not rows you can act on here "
                                     "(unknown, of another register, or outside what you may see). Nothing was done.")
        raise BulkInputError(refusal % {"missing": len(missing), "count": len(ids)})
    return [found[pk] for pk in ids]


def run(objs: Sequence, action: Callable[[object], object]) -> list[RowResult]:
    """Call `action(obj)` (one service call, its own transaction) for each row;
    a DomainError refuses that row only, with its message."""
    results = []
    for obj in objs:
        try:
            action(obj)
        except DomainError as exc:
            results.append(RowResult(obj, False, exc.message))
        else:
            results.append(RowResult(obj, True))
    return results


def preview(objs: Sequence, check: Callable[[object], str | None]) -> list[RowResult]:
    """What would happen: `check(obj)` returns the refusal (None: it would be done)."""
    out = []
    for obj in objs:
        refusal = check(obj)
        out.append(RowResult(obj, refusal is None, refusal or ""))
    return out


def summary(results: Sequence[RowResult], *, done_word: str) -> str:
    done = sum(r.done for r in results)
    refused = len(results) - done
    text = f"{done} of {len(results)} {done_word}"
    return text + (f"; {refused} refused (see the reasons below)." if refused else ".")


def signed_post(request, form, *, select: Callable, refused: Callable, page: Callable, sign: Callable,
                done: Callable, repeated_message: str, repeated_url: str):
    """The POST of a bulk signing page, the same for every register: the signed
    stamp names the rows (a damaged one is refused), `select(ids)` checks them
    as the user sees them, a failed proof of identity re-shows the page with
    nothing signed, and `sign(rows)` runs under the form's one-time token
    (a second post of the same page signs nothing more)."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from qms.signatures import SignatureRepeated

    if not form.is_valid() and "shown" in form.errors:
        return refused(BulkInputError(" ".join(form.errors["shown"])))
    try:
        rows = select(list(form.shown_items()))
    except DomainError as exc:
        return refused(exc)
    if not form.is_valid():
        return page(rows, status=400,
                    error="Nothing was signed: " + " ".join(e for errs in form.errors.values() for e in errs))
    try:
        with form.signing():
            results = sign(rows)
    except SignatureRepeated:
        messages.info(request, repeated_message)
        return redirect(repeated_url)
    except DomainError as exc:  # the signer was not proved: nothing was signed
        return page(rows, error=exc.message, status=exc.status_code)
    return done(results)


def refused_page(request, exc: DomainError):
    """The answer to a selection refused as a whole (BulkInputError, or a rule): nothing was done."""
    from django.shortcuts import render

    return render(request, "error.html", {"title": gettext("Nothing was done"), "message": exc.message},
                  status=exc.status_code)


def form_post(request, form, *, select: Callable, page: Callable, run: Callable, done: Callable, error: str):
    """The POST of a bulk form page (a new owner, a legal hold), the same for every
    register: `select(ids)` checks the posted rows as the user sees them (a bad
    selection is refused whole), an invalid form re-shows the page with `error`
    and nothing changed, and `run(rows, cleaned_data)` goes row by row."""
    try:
        rows = select(request.POST.getlist("ids"))
    except DomainError as exc:
        return refused_page(request, exc)
    if not form.is_valid():
        return page(rows, form=form, status=400, error=error)
    return done(run(rows, form.cleaned_data))
