"""One TLS context for every HTTP client the process makes.

httpx builds a new context for each client it makes, loading the CA bundle every time (30 ms
of CPU or more), and the health feed makes a client for each check, since a check must not
reuse a connection. A context is safe to share between clients, loops and threads.
"""

from __future__ import annotations

import functools
import ssl


@functools.cache
def tls_context() -> ssl.SSLContext:
    """What httpx would build itself: its CA bundle, or SSL_CERT_FILE/SSL_CERT_DIR if set."""
    import httpx

    return httpx.create_ssl_context()
