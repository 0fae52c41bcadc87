"""What moto's first request to each AWS service the demo world uses costs in CPU: the server
started, then one call to each of its seven services, in a fresh process each time (moto loads
a backend, once per process, on its first request). With and without `share_botocore_data`
(warroom/demo/moto_host.py), which the demo world and the tests' moto server use.

CPU time of the child process (its own rusage), median of the repeats. Run with `make bench`, or
directly: `python benchmarks/bench_moto_start.py`.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _moto import moto_server, use_fake_credentials

REPEATS = 5


def first_requests(shared: bool) -> float:
    """In this (fresh) process: CPU seconds from before moto's import to its seventh answer."""
    import boto3

    if shared:
        from warroom.demo.moto_host import share_botocore_data

        share_botocore_data()
    use_fake_credentials()
    started = time.process_time()
    with moto_server() as url:
        calls = {
            "ecs": lambda c: c.list_clusters(),
            "logs": lambda c: c.describe_log_groups(),
            "cloudwatch": lambda c: c.describe_alarms(),
            "ssm": lambda c: c.describe_parameters(),
            "secretsmanager": lambda c: c.list_secrets(),
            "cognito-idp": lambda c: c.list_user_pools(MaxResults=5),
            "elasticache": lambda c: c.describe_replication_groups(),
        }
        for service, call in calls.items():
            call(boto3.client(service, endpoint_url=url))
        return time.process_time() - started


def in_child(shared: bool) -> tuple[float, float]:
    """A fresh process runs `first_requests`: its CPU for that, and for its whole life."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    answer = subprocess.run(
        [sys.executable, __file__, "--child", "shared" if shared else "own"],
        check=True,
        capture_output=True,
        text=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    whole = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return float(answer.stdout), whole


def main() -> None:
    figures: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for _ in range(REPEATS):  # interleaved: the machine drifts
        for shared in (False, True):
            figures[shared].append(in_child(shared))
    print(f"moto started and asked once per service, fresh process, median of {REPEATS}:")
    for label, column in (("moto's part", 0), ("whole process", 1)):
        own, shared = (statistics.median(f[column] for f in figures[k]) for k in (False, True))
        print(
            f"  {label:13}: {own:4.2f} s CPU with a botocore loader per session, "
            f"{shared:4.2f} s with one for the process ({own - shared:.2f} s less)"
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(first_requests(sys.argv[2] == "shared"))
    else:
        main()
