"""One TLS context for every HTTP client the process makes.

httpx builds a new context for each client, loading the CA bundle every time: 56 ms of CPU on
a 2-core box, against 1 ms for a client given this one. The console makes clients for its
health feed, each team-channel post (notify.py sends with a client of its own), the backlog
export, `warroom check` and the demo world's set-up. A context is safe to share between
clients, loops and threads.
"""

from __future__ import annotations

import functools
import ssl


@functools.cache
def tls_context() -> ssl.SSLContext:
    """What httpx would build itself: its CA bundle, or SSL_CERT_FILE/SSL_CERT_DIR if set."""
    import httpx

    return httpx.create_ssl_context()
