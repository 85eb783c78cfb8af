"""Row numbers that come from outside (a path, a form field, a button's payload): whole
positive numbers that fit the database's integer columns, or nothing."""

# PostgreSQL's ``integer``; SQLite stores more, but a larger number names no row either way.
MAX_ID = 2**31 - 1


def parse_id(raw: object) -> int | None:
    """``raw`` as a row number: decimal ASCII digits, or an int, from 1 to ``MAX_ID``; None for
    anything else ("1e20", "²", "-3", 10**20, True, None)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        number = raw
    elif isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
        number = int(raw.strip())
    else:
        return None
    return number if 1 <= number <= MAX_ID else None
