"""Credentials at 3 a.m.: an SSO profile whose login expired. A fake ~/.aws/config (an SSO
profile) and its token cache in a temp HOME; the SSO portal a loopback server; AWS itself moto.
Every panel and `warroom check` say the exact `aws sso login --profile NAME`, and a feed
recovers once the user has logged in again, without a restart."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from warroom.config import AlarmsConfig, AwsConfig, Config
from warroom.sources.alarms import AlarmFeed
from warroom.sources.aws import AwsClients

from .helpers.loopback import Loopback, Reply, Request
from .test_alarms_feed import seed_alarms

START_URL = "https://warroom-test.awsapps.com/start"
EXPECTED = "AWS SSO login expired: run `aws sso login --profile oncall`"


def log_in(home: Path, expires_at: datetime) -> None:
    """What `aws sso login` leaves: the token in the cache, named by the start URL's SHA-1."""
    cache = home / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha1(START_URL.encode()).hexdigest() + ".json"
    (cache / name).write_text(
        json.dumps(
            {
                "startUrl": START_URL,
                "region": "me-south-1",
                "accessToken": "a-token",
                "expiresAt": expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
    )


@pytest.fixture
def sso_profile(aws, home: Path, monkeypatch: pytest.MonkeyPatch):
    """Profile `oncall` (SSO), its login expired an hour ago; the portal answers any token."""

    def portal(request: Request) -> Reply:
        credentials = {
            "accessKeyId": "testing",
            "secretAccessKey": "testing",
            "sessionToken": "session",
            "expiration": int((datetime.now(UTC) + timedelta(hours=1)).timestamp() * 1000),
        }
        return Reply(200, {"roleCredentials": credentials})

    seed_alarms(aws)  # with the throwaway keys, before the profile takes over
    server = Loopback(answer=portal).start()
    (home / ".aws").mkdir()
    (home / ".aws" / "config").write_text(
        "[profile oncall]\n"
        f"sso_start_url = {START_URL}\n"
        "sso_region = me-south-1\n"
        "sso_account_id = 123456789012\n"
        "sso_role_name = OnCall\n"
        "region = me-south-1\n"
    )
    log_in(home, datetime.now(UTC) - timedelta(hours=1))
    monkeypatch.setenv("HOME", str(home))
    # botocore read `~` for the token cache when it was imported, before this HOME: in this
    # process, point it there too (the CLI's child process reads the HOME it is given).
    from botocore.credentials import SSOProvider

    monkeypatch.setattr(SSOProvider, "_SSO_TOKEN_CACHE_DIR", str(home / ".aws/sso/cache"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", server.base)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    yield server
    server.stop()


async def test_an_expired_sso_login_names_the_command_and_recovers(aws, home, sso_profile):
    config = Config(aws=AwsConfig(region="me-south-1", profile="oncall", endpoint_url=aws))
    feed = AlarmFeed(AlarmsConfig(prefix="saas-prod-"), AwsClients(config))
    expired = await feed.poll()
    assert expired.source.ok is False
    assert expired.source.reason == EXPECTED
    assert sso_profile.received == []  # an expired token is not even offered to the portal
    log_in(home, datetime.now(UTC) + timedelta(hours=8))  # the user ran it
    again = await feed.poll()
    assert again.source.ok, again.source.reason
    assert [a.name for a in again.alarms][:1] == ["saas-prod-api-5xx"]


def test_check_says_the_command_too(cli, aws, home, tmp_path, sso_profile):
    config = tmp_path / "warroom.toml"
    config.write_text(
        f'[aws]\nregion = "me-south-1"\nprofile = "oncall"\nendpoint_url = "{aws}"\n\n'
        '[alarms]\nprefix = "saas-prod-"\n'
    )
    result = cli("check", "--config", str(config))
    assert result.returncode == 1
    row = next(x for x in result.stdout.splitlines() if x.startswith("CloudWatch alarms"))
    assert EXPECTED in row
