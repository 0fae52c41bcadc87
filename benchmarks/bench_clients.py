"""What a new HTTP or AWS client costs in CPU, with the process's shared TLS context and botocore
data loader (warroom/tls.py, warroom/sources/aws.py) and without them.

- httpx: an AsyncClient made and closed. Without a context given, httpx builds its own and loads
  the CA bundle every time.
- boto3: a session and its ECS, Logs and CloudWatch clients, the console's feeds' set-up. No
  request is made. Without the shared loader, every session parses the service models' JSON again.

CPU time of this process (time.process_time), median of the repeats. Run with `make bench`, or
directly: `python benchmarks/bench_clients.py`.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import boto3
import botocore.session
import httpx

from warroom.sources.aws import share_loader
from warroom.tls import tls_context

SERVICES = ("ecs", "logs", "cloudwatch")


def cpu_ms(work: Callable[[], object], repeats: int) -> float:
    work()  # warm: imports and the shared objects made once
    times = []
    for _ in range(repeats):
        started = time.process_time()
        work()
        times.append(time.process_time() - started)
    return statistics.median(times) * 1000


def http_client(shared: bool) -> None:
    async def make() -> None:
        client = httpx.AsyncClient(verify=tls_context()) if shared else httpx.AsyncClient()
        await client.aclose()

    asyncio.run(make())


def aws_clients(shared: bool) -> None:
    core = botocore.session.Session()
    session = boto3.Session(
        botocore_session=core,
        region_name="me-south-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    if shared:
        share_loader(core)
    for service in SERVICES:
        session.client(service, endpoint_url="http://127.0.0.1:9")


def main() -> None:
    print("CPU per new client, median (ms):")
    own, shared = cpu_ms(lambda: http_client(False), 20), cpu_ms(lambda: http_client(True), 20)
    print(
        f"  httpx AsyncClient         own TLS context {own:6.1f}"
        f"   shared {shared:5.1f}   {own / shared:4.0f}x"
    )
    own, shared = cpu_ms(lambda: aws_clients(False), 7), cpu_ms(lambda: aws_clients(True), 7)
    print(
        f"  boto3 session, {len(SERVICES)} clients  own data loader {own:6.1f}"
        f"   shared {shared:5.1f}   {own / shared:4.1f}x"
    )


if __name__ == "__main__":
    main()
