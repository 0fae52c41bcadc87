"""Error signatures: the demo's bad-deploy flood falls into its few templates with the right
counts, lines shaped like other software's group by template, and the table stays bounded."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

from tests.helpers.log_samples import T0, bad_deploy_flood, samples
from warroom.signatures import SignatureTable, distinctive, group_lines, mask


def what_it_is(line: str) -> str:
    """The flood's five kinds, read off a line independently of the masking."""
    if "unhandled exception" in line:
        return "unhandled"
    method, path = re.search(r"\] (GET|POST) (\S+) ", line).groups()  # type: ignore[union-attr]
    return f"{method} {re.sub(r'/[0-9]+$', '/ID', path)}"


def test_bad_deploy_flood_groups_into_its_five_signatures_with_their_counts() -> None:
    flood = bad_deploy_flood(600)
    table = SignatureTable()
    for at, message in flood:
        table.add(message, at, "/prod/backend")

    assert len(table) == 5  # 600 lines, five errors
    expected = Counter(what_it_is(message) for _, message in flood)
    got = {}
    for sig in table:
        kinds = {what_it_is(sig.example)}
        got[kinds.pop()] = sig.count
    assert got == dict(expected)
    assert sum(expected.values()) == 600
    top = table.rows()[0]
    assert top.first_seen == T0 or top.first_seen > T0
    assert top.last_seen <= flood[-1][0]
    assert top.groups == {"/prod/backend": top.count}
    # What a row shows first: the exception and its message, not the request prefix.
    assert top.distinctive.startswith(
        "sqlalchemy.exc.ProgrammingError: (psycopg.errors.UndefinedColumn) column "
        "orders.tenant_ref does not exist · "
    )


def test_lines_of_one_template_group_together_and_different_templates_apart() -> None:
    rows = samples(60)
    by_signature: dict[str, set[str]] = {}
    by_template: dict[str, set[str]] = {}
    for template, line in rows:
        key = mask(line)
        by_signature.setdefault(key, set()).add(template)
        by_template.setdefault(template, set()).add(key)
    merged = {key: names for key, names in by_signature.items() if len(names) > 1}
    split = {name: len(keys) for name, keys in by_template.items() if len(keys) > 1}
    assert merged == {}
    assert split == {}
    assert len(by_signature) == len(by_template) == 15


def test_masking_keeps_what_names_the_error_and_drops_what_varies() -> None:
    line = (
        "2026-11-30T04:22:52.123Z ERROR [req-85fe] GET /api/v1/orders/25555 500 1812ms "
        "tenant=acme user=ops@example.com from 10.0.3.17:5432 id 3f2c9a1e-8b7d-4c6e-9f10-"
        "2b3c4d5e6f70 key 'abc' at /invoices/ab12cd34ef"
    )
    assert mask(line) == (
        "<*>:<*>:<*>.<*> ERROR [req<*>] GET /api/v1/orders/<*> <*> <*> tenant=<*> user=<*> "
        "from <*>.<*>.<*>.<*>:<*> id <*> key <*> at /invoices/<*>"
    )


def test_distinctive_part_puts_the_exception_first() -> None:
    assert distinctive("ERROR [job-00af] ai_summarize_ticket failed AIProviderTimeout: x") == (
        "AIProviderTimeout: x · ai_summarize_ticket failed"
    )
    assert distinctive("2026-11-30T04:22:52Z ERROR [req-1] queue poll failed") == (
        "queue poll failed"
    )


def test_the_table_keeps_its_bound_dropping_the_least_recently_seen() -> None:
    table = SignatureTable(limit=50)
    table.add("ERROR the old faithful", T0)
    for i in range(200):
        table.add(f"ERROR unique word {'x' * (i % 7)}{chr(97 + i % 26)}{chr(97 + i // 26)}", T0)
        if i % 10 == 0:
            table.add("ERROR the old faithful", T0)  # seen again: kept
    assert len(table) == 50
    assert table.dropped == 201 - 50  # each new one past the bound pushed one out
    assert table.get(mask("ERROR the old faithful")) is not None


def test_per_minute_counts_and_file_line_numbers() -> None:
    lines = [("ERROR boom 1", T0), ("INFO fine", T0), ("ERROR boom 2", T0 + timedelta(minutes=2))]
    table = group_lines(lines)
    boom = table.get(mask("ERROR boom 1"))
    assert boom is not None
    assert boom.lines == [1, 3]
    assert boom.per_minute(T0 + timedelta(minutes=2), span=3) == [1, 0, 1]
    assert boom.example == "ERROR boom 2"


def test_hex_ids_mask_whole_whatever_their_first_character() -> None:
    ids = ("c3f2a19e", "9f0e1dab", "deadbeef01", "a1b2c3d4-0000-4000-8000-0123456789ab")
    assert {mask(f"trace {i} done") for i in ids} == {"trace <*> done"}
    assert mask("host web3 /api/v1/x") == "host web<*> /api/v1/x"


def test_the_signatures_view_filters_and_sorts_its_rows() -> None:
    from warroom.signature_rows import BY_FIRST, format_row, ordered

    table = SignatureTable()
    for n in range(3):
        table.add(f"ERROR redis timeout after {n}s", T0)
    table.add("ERROR disk full on /dev/sda1", T0 + timedelta(minutes=1))
    assert [s.count for s in ordered(table)] == [3, 1]
    assert [s.count for s in ordered(table, BY_FIRST)] == [1, 3]
    assert [s.count for s in ordered(table, pattern=re.compile("disk"))] == [1]
    row = format_row(ordered(table)[0], T0 + timedelta(minutes=1), "saas-backend:9")
    assert row.startswith("     3 ") and "04:22:00-04:22:00 NEW since saas-backend:9" in row
    assert row.endswith("ERROR redis timeout after 2s"[6:])
