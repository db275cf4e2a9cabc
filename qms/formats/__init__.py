"""Date and number formats per language (issue 20), over Django's own (FORMAT_MODULE_PATH).

Two rules for every language:
- A browser's date and time pickers (`<input type="date">`, `datetime-local`)
  read and send ISO 8601 only, and Django's DateInput renders a value in the
  first of DATE_INPUT_FORMATS. So ISO comes first here in every language (a
  German "03.12.2026" in a date picker shows an empty field, and an edit page
  saved as shown would lose the date); the language's own typed forms follow.
- Pages show dates in the language's short form (SHORT_DATE_FORMAT, used by
  `|date:"SHORT_DATE_FORMAT"`); British English keeps the ISO dates the QMS has
  always shown, as do exports and the API.
"""

ISO_DATE_INPUTS = ["%Y-%m-%d"]
ISO_DATETIME_INPUTS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]


def inputs(own_dates: list[str], own_datetimes: list[str]) -> tuple[list[str], list[str]]:
    """ISO first, then the language's own forms (without repeats)."""
    return (list(dict.fromkeys(ISO_DATE_INPUTS + own_dates)),
            list(dict.fromkeys(ISO_DATETIME_INPUTS + own_datetimes)))
