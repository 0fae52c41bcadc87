"""The in-process moto server and the boto3 clients the demo itself uses to talk to it."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

import boto3
import botocore.session
import httpx
from botocore.config import Config as BotoConfig

from warroom.demo.resources import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY
from warroom.errors import UserError
from warroom.sources.aws import share_loader, shared_loader
from warroom.tls import tls_context

if TYPE_CHECKING:
    from moto.server import ThreadedMotoServer

_BOTO_CONFIG = BotoConfig(
    retries={"mode": "standard", "max_attempts": 3},
    connect_timeout=3,
    read_timeout=10,
    user_agent_extra="warroom-demo",
)

# moto and the web stack its server runs on: what `pip install 'warroom[demo]'` brings. Any other
# missing module is a real bug and is not dressed up as an install hint.
_DEMO_MODULES = frozenset({"moto", "flask", "flask_cors", "werkzeug"})


class DemoNotInstalled(UserError):
    """warroom was installed without its demo extra."""


def moto_server_class() -> type[ThreadedMotoServer]:
    """moto's threaded server, or DemoNotInstalled saying what to install."""
    try:
        from moto.server import ThreadedMotoServer
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").partition(".")[0]
        if missing not in _DEMO_MODULES:
            raise
        what = "moto" if missing == "moto" else f"moto[server] ({missing} is missing)"
        raise DemoNotInstalled(f"the demo needs {what}: pip install 'warroom[demo]'") from None
    return ThreadedMotoServer


def share_botocore_data() -> None:
    """Every botocore session made from now on in this process reads botocore's data through
    the process's one loader (`shared_loader`). moto's backends make sessions of their own,
    each of which read and parsed botocore's endpoints and EC2 model again (three times over as
    its ECS backend loads): benchmarks/bench_moto_start.py. (boto3 adds the folder of its own
    data to the loader of each session it makes, now that one: a folder looked in after
    botocore's, for boto3's resource models only.)"""
    botocore.session.create_loader = shared_loader


def require_moto() -> None:
    """DemoNotInstalled now, before anything starts, when the demo extra is missing."""
    moto_server_class()


class MotoHost:
    """A moto server on 127.0.0.1, on a free port, emptied and set up for the demo."""

    def __init__(self) -> None:
        self._server: ThreadedMotoServer | None = None
        self.url = ""

    def start(self) -> str:
        # werkzeug logs every request to stderr, which would scribble over the console.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        # Imported here: moto (Flask, werkzeug, every backend) is slow to import, and listing
        # the scenarios or building the CLI must not pay for it.
        share_botocore_data()
        server = moto_server_class()(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        self._server = server
        host, port = server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        # moto's backends are process-global: another server in this process (a test fixture)
        # shares them, so start from empty.
        self._post("/moto-api/reset", None)
        # Otherwise every describe_tasks would move tasks a step towards STOPPED.
        self._post(
            "/moto-api/state-manager/set-transition",
            {"model_name": "ecs::task", "transition": {"progression": "manual", "times": 1000000}},
        )
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def _post(self, path: str, body: dict[str, Any] | None) -> None:
        response = httpx.post(f"{self.url}{path}", json=body, timeout=10, verify=tls_context())
        response.raise_for_status()


def demo_session() -> boto3.Session:
    """A session with the throwaway keys that ignores the user's own AWS profile and files."""
    # An AWS_PROFILE naming a profile missing here would otherwise fail every client.
    core = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    core.set_config_variable("config_file", os.devnull)
    core.set_config_variable("credentials_file", os.devnull)
    session = boto3.Session(
        botocore_session=core,
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET_ACCESS_KEY,
        region_name=REGION,
    )
    share_loader(core)
    return session


class DemoClients:
    """One client per service, made up front: clients are thread-safe, sessions are not."""

    def __init__(self, endpoint_url: str) -> None:
        session = demo_session()

        def make(service: str) -> Any:
            return session.client(service, endpoint_url=endpoint_url, config=_BOTO_CONFIG)

        self.ecs = make("ecs")
        self.logs = make("logs")
        self.ssm = make("ssm")
        self.elasticache = make("elasticache")
        self.cognito = make("cognito-idp")
        self.secrets = make("secretsmanager")
        self.cloudwatch = make("cloudwatch")
