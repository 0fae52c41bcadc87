"""boto3 clients built from the config: one session, botocore's own retries, short timeouts."""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING, Any

from warroom.config import Config
from warroom.sources.status import use_profile

if TYPE_CHECKING:  # boto3 is imported with the first client, not with the console
    import boto3

# botocore's "standard" retry mode retries throttling and transient errors with jittered
# exponential backoff; the feeds add nothing of their own on top of it.
ATTEMPTS = 3


@functools.cache
def shared_loader(data_path: str | None) -> Any:
    """One botocore data loader per process: it keeps the service models it has read, which
    every new session would otherwise read and parse again from botocore's JSON (the console's
    feeds and its mitigations make one each, and so does the demo world). A session and three
    clients: 193 ms of CPU with a loader of its own, 39 ms with this one (2-core box)."""
    import botocore.loaders

    return botocore.loaders.create_loader(data_path)


def share_loader(core: Any) -> None:
    """Give a botocore session the process's data loader. Once the boto3 session over it is
    made: reading a setting (data_path) loads the config files, so not before they are set; and
    boto3 adds its resource data to the loader the session has, not to the shared one."""
    core.register_component("data_loader", shared_loader(core.get_config_variable("data_path")))


class AwsClients:
    """Creates and caches one client per service; clients are thread-safe, sessions are not."""

    def __init__(self, config: Config, *, connect_timeout: float = 3, read_timeout: float = 10):
        self._config = config
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}
        self._timeouts = (connect_timeout, read_timeout)
        self._made: boto3.Session | None = None

    def _session(self) -> boto3.Session:
        """One session for every client (under the lock): loading botocore's data again for
        each client took a tenth of a second or more."""
        if self._made is None:
            self._made = self._new_session()
        return self._made

    def _new_session(self) -> boto3.Session:
        import boto3
        import botocore.session

        aws = self._config.aws
        core = botocore.session.Session()
        if aws.credentials_file:
            core.set_config_variable(
                "credentials_file", str(self._config.resolve_path(aws.credentials_file))
            )
        session = boto3.Session(
            botocore_session=core,
            profile_name=aws.profile or None,
            region_name=aws.region or None,
        )
        share_loader(core)
        use_profile(session.profile_name)  # named in the `aws sso login` an expiry asks for
        return session

    def client(self, service: str, *, attempts: int = ATTEMPTS) -> Any:
        """A cached client; `attempts=1` leaves retrying to a caller that paces its own calls."""
        key = f"{service}/{attempts}"
        with self._lock:
            if key not in self._clients:
                from botocore.config import Config as BotoConfig

                config = BotoConfig(
                    retries={"mode": "standard", "max_attempts": attempts},
                    connect_timeout=self._timeouts[0],
                    read_timeout=self._timeouts[1],
                    user_agent_extra="warroom",
                )
                self._clients[key] = self._session().client(
                    service, endpoint_url=self._config.aws.endpoint_url or None, config=config
                )
            return self._clients[key]
