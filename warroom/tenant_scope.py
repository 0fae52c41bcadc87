"""Which log lines mention the incident's tenants: the `[logs] tenant_pattern` rule, a regular
expression with `{tenant}` where the tenant's name goes (the demo's lines say `tenant=NAME`)."""

from __future__ import annotations

import re
from collections.abc import Sequence

PLACEHOLDER = "{tenant}"
# `tenant=acme` but not `tenant=acme-eu`: a name ends where the next one could not go on.
DEFAULT_RULE = "tenant={tenant}(?![\\w-])"


def check_rule(rule: str) -> str:
    """Why the rule cannot be used ("" when it can): it needs the placeholder and must compile
    with a name in it."""
    if PLACEHOLDER not in rule:
        return f"needs {PLACEHOLDER} where the tenant's name goes, e.g. {DEFAULT_RULE!r}"
    try:
        tenant_regex(rule, ["acme"])
    except re.error as exc:
        return f"is not a regular expression with a name in it: {exc}"
    return ""


def tenant_regex(rule: str, tenants: Sequence[str]) -> re.Pattern[str]:
    """One pattern matching a line that mentions any of `tenants` as the rule says; each name
    is taken literally (a tenant called `a.b` does not match `axb`)."""
    names = "|".join(re.escape(t) for t in sorted(set(tenants), key=len, reverse=True))
    return re.compile(rule.replace(PLACEHOLDER, f"(?:{names})"), re.IGNORECASE)
