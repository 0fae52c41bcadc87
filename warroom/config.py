"""The config file: found, read and checked into frozen dataclasses. Secrets are never in it."""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

import platformdirs

from warroom.errors import UserError
from warroom.sanitize import MAX_NAME, clean_name, secret_from_env
from warroom.severity import Severity
from warroom.tenant_scope import DEFAULT_RULE as DEFAULT_TENANT_RULE
from warroom.tenant_scope import check_rule as check_tenant_rule
from warroom.typedtoml import Invalid, SchemaError, build, read_toml

APP = "warroom"
CONFIG_NAME = "warroom.toml"

# Secrets of the AWS credential chain that can sit in the environment (a session token is sent
# with each request, so an endpoint could echo it back).
AWS_SECRET_VARIABLES = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")

_SECRET_HINT = (
    "secrets are never read from the config file; put the value in an environment variable "
    "and name that variable in {env_key}"
)


class ConfigError(SchemaError):
    """Bad config: the CLI prints it on one line and exits with status 2."""


@dataclass(frozen=True)
class UserConfig:
    name: str = ""
    # A login several people share (ec2-user): the console asks "who are you?" at start.
    ask: bool = False

    def __post_init__(self) -> None:
        if self.name and clean_name(self.name) != self.name.strip():
            raise Invalid(
                "name", f"one line of printable text, at most {MAX_NAME} characters, please"
            )


@dataclass(frozen=True)
class JournalConfig:
    db: str = ""
    postmortem_dir: str = "postmortems"
    # A Unix group sharing the journal (0660 files, a 2770 directory) on a shared bastion.
    group: str = ""


@dataclass(frozen=True)
class AwsConfig:
    region: str = ""
    profile: str = ""
    endpoint_url: str = ""
    # A shared-credentials file in place of ~/.aws/credentials (the demo world writes one).
    credentials_file: str = ""


@dataclass(frozen=True)
class EcsConfig:
    cluster: str
    services: tuple[str, ...] = ()
    poll_interval: timedelta = timedelta(seconds=10)

    def __post_init__(self) -> None:
        if not self.cluster:
            raise Invalid("cluster", "must not be empty")


@dataclass(frozen=True)
class LogGroupConfig:
    name: str
    filter_pattern: str | None = None


@dataclass(frozen=True)
class LogsConfig:
    since: timedelta = timedelta(minutes=10)
    filter_pattern: str = "ERROR"
    max_requests_per_second: float = 4.0
    groups: tuple[LogGroupConfig, ...] = ()
    # A log pane's `t` shows only lines mentioning the incident's tenants (its scope): this
    # regular expression, `{tenant}` standing for each tenant's name.
    tenant_pattern: str = DEFAULT_TENANT_RULE

    def __post_init__(self) -> None:
        if problem := check_tenant_rule(self.tenant_pattern):
            raise Invalid("tenant_pattern", problem)
        if not 0 < self.max_requests_per_second <= 5:
            raise Invalid(
                "max_requests_per_second", "must be above 0 and at most 5 (the account quota)"
            )


@dataclass(frozen=True)
class HealthEndpoint:
    name: str
    url: str
    interval: timedelta = timedelta(seconds=5)
    timeout: timedelta = timedelta(seconds=3)

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise Invalid("url", f"{self.url!r} must start with http:// or https://")


@dataclass(frozen=True)
class HealthConfig:
    endpoints: tuple[HealthEndpoint, ...] = ()


@dataclass(frozen=True)
class AlarmsConfig:
    """The CloudWatch alarms to watch: by name, by prefix, or both."""

    names: tuple[str, ...] = ()
    prefix: str = ""
    poll_interval: timedelta = timedelta(seconds=30)
    # The sparklines' budget of their own: at most this many GetMetricData calls a minute (one
    # call asks for every alarm's metric). 0: no sparklines.
    metric_requests_per_minute: int = 2
    # Alarm name, or a prefix of names, to the severity a declaration from it gets.
    severity: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for n, name in enumerate(self.names):
            if not name.strip():
                raise Invalid(f"names[{n}]", "must name an alarm, not be empty")
        if self.metric_requests_per_minute < 0:
            raise Invalid("metric_requests_per_minute", "must be 0 or more")
        if self.poll_interval < timedelta(seconds=1):
            raise Invalid("poll_interval", "must be at least 1s")
        for key, value in self.severity.items():
            try:
                Severity.parse(value)
            except ValueError as exc:
                raise Invalid(f"severity.{key}", str(exc)) from None

    @property
    def watched(self) -> bool:
        return bool(self.names or self.prefix)


@dataclass(frozen=True)
class SlaConfig:
    p95_latency: timedelta = timedelta(milliseconds=500)
    uptime_percent: float = 99.5
    window: timedelta = timedelta(minutes=10)

    def __post_init__(self) -> None:
        if not 0 < self.uptime_percent <= 100:
            raise Invalid("uptime_percent", "must be above 0 and at most 100")


@dataclass(frozen=True)
class SlackConfig:
    webhook_url_env: str = "WARROOM_SLACK_WEBHOOK_URL"
    unknown_key_hints: ClassVar[dict[str, str]] = {
        "webhook_url": _SECRET_HINT.format(env_key="webhook_url_env"),
    }


@dataclass(frozen=True)
class TelegramConfig:
    bot_token_env: str = "WARROOM_TELEGRAM_BOT_TOKEN"
    chat_id: str = ""
    # The Bot API's address (a self-hosted Bot API server, or a loopback one in tests).
    api_url: str = "https://api.telegram.org"
    unknown_key_hints: ClassVar[dict[str, str]] = {
        "bot_token": _SECRET_HINT.format(env_key="bot_token_env"),
        "token": _SECRET_HINT.format(env_key="bot_token_env"),
    }


CHANNELS = ("none", "slack", "telegram")


@dataclass(frozen=True)
class CadenceConfig:
    """How often the team channel expects a status update while an incident is open (0: no
    reminder)."""

    sev1: timedelta = timedelta(minutes=30)
    sev2: timedelta = timedelta(hours=1)
    sev3: timedelta = timedelta(hours=4)

    def every(self, severity: str) -> timedelta | None:
        value: timedelta = getattr(self, severity.lower().replace("-", ""))
        return value if value > timedelta(0) else None


@dataclass(frozen=True)
class NotifyConfig:
    channel: str = "none"  # one channel; `channels` for several at once
    channels: tuple[str, ...] = ()
    slack: SlackConfig = field(default_factory=SlackConfig)
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    cadence: CadenceConfig = field(default_factory=CadenceConfig)

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise Invalid("channel", f"{self.channel!r} is not one of: {', '.join(CHANNELS)}")
        for n, name in enumerate(self.channels):
            if name not in CHANNELS[1:]:
                raise Invalid(f"channels[{n}]", f"{name!r} is not one of: slack, telegram")

    @property
    def targets(self) -> tuple[str, ...]:
        """Every channel an update goes to, each once."""
        chosen = self.channels or ((self.channel,) if self.channel != "none" else ())
        return tuple(dict.fromkeys(chosen))


@dataclass(frozen=True)
class RunbookConfig:
    file: str = ""  # a TOML runbook replacing the built-in phases, steps and mitigations
    # The team's Markdown documents for the console's viewer: `reference` (runbook-prod.md),
    # then `files`, then `qa_checklist`, whose `- [ ]` items also join the Verify step.
    reference: str = ""
    files: tuple[str, ...] = ()
    qa_checklist: str = ""

    def __post_init__(self) -> None:
        for n, name in enumerate(self.files):
            if not name.strip():
                raise Invalid(f"files[{n}]", "must name a Markdown file, not be empty")

    @property
    def documents(self) -> tuple[str, ...]:
        """Every Markdown document the viewer shows, each once, in order."""
        names = (self.reference, *self.files, self.qa_checklist)
        return tuple(dict.fromkeys(n for n in names if n.strip()))


CONFIRM_LEVELS = ("yes", "type")


@dataclass(frozen=True)
class CommandAction:
    """A team-defined mitigation outside AWS (an Alembic downgrade, a Vercel rollback): an argv
    run without a shell, previewed, confirmed and journaled like the built-in ones."""

    name: str
    argv: tuple[str, ...]
    description: str = ""
    confirm: str = "type"  # "yes": y/n; "type": type the action's name
    timeout: timedelta = timedelta(minutes=5)

    def __post_init__(self) -> None:
        if not self.argv:
            raise Invalid("argv", "needs at least the program to run")
        if self.confirm not in CONFIRM_LEVELS:
            raise Invalid("confirm", f"{self.confirm!r} is not one of: {', '.join(CONFIRM_LEVELS)}")


@dataclass(frozen=True)
class TenantAdminConfig:
    url: str = ""  # the team's admin API, e.g. https://admin.yourdomain.com/api/tenants
    token_env: str = "WARROOM_TENANT_ADMIN_TOKEN"
    unknown_key_hints: ClassVar[dict[str, str]] = {
        "token": _SECRET_HINT.format(env_key="token_env"),
    }


@dataclass(frozen=True)
class MitigationsConfig:
    """The resources the runbook's mitigations act on; each is a default target."""

    ai_provider_parameter: str = ""  # SSM parameter naming the active AI provider
    ai_providers: tuple[str, ...] = ()
    redis_replication_groups: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    cognito_user_pool_id: str = ""
    cognito_app_clients: tuple[str, ...] = ()
    tenant_admin: TenantAdminConfig = field(default_factory=TenantAdminConfig)
    commands: tuple[CommandAction, ...] = ()
    # `scale` refuses a desired count above this: a typo must not start thousands of tasks.
    scale_max: int = 50

    def __post_init__(self) -> None:
        if self.scale_max < 0:
            raise Invalid("scale_max", "must be 0 or more")


@dataclass(frozen=True)
class GithubConfig:
    """Where `warroom action-items export --github` creates issues."""

    token_env: str = "GITHUB_TOKEN"
    # The REST API's address (GitHub Enterprise Server: https://HOST/api/v3; a loopback in tests).
    api_url: str = "https://api.github.com"
    # Where the post-mortem editor's ctrl+g creates issues (OWNER/REPO); the CLI names its own.
    repo: str = ""
    unknown_key_hints: ClassVar[dict[str, str]] = {
        "token": _SECRET_HINT.format(env_key="token_env"),
    }

    def __post_init__(self) -> None:
        if self.repo and not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", self.repo):
            raise Invalid("repo", f"{self.repo!r} is not OWNER/REPO, e.g. acme/backend")
        if not self.api_url.startswith(("http://", "https://")):
            raise Invalid("api_url", f"{self.api_url!r} must start with http:// or https://")
        if not self.token_env.strip():
            raise Invalid("token_env", "must name the environment variable holding the token")


@dataclass(frozen=True)
class PostmortemConfig:
    # Where the team reads exported post-mortems (a wiki, a docs site): the share message
    # (step 11) links `url_base/<file name>` instead of naming the file on this host.
    url_base: str = ""

    def __post_init__(self) -> None:
        if self.url_base and not self.url_base.startswith(("http://", "https://")):
            raise Invalid("url_base", f"{self.url_base!r} must start with http:// or https://")


EXPORT_ON_CLOSE = ("ask", "always", "never")


@dataclass(frozen=True)
class ConsoleConfig:
    # Quitting with a resolved incident whose post-mortem is missing or outdated: ask, always,
    # never.
    export_on_close: str = "ask"
    # Declaring takes in what the feeds observed this long before (health flips, deploys); 0s: no.
    lookback: timedelta = timedelta(minutes=15)
    # Consoles on one journal with the same sources share one set of pollers (one holds the
    # feed lease and polls within the one request budget; the others read what it publishes).
    # false: this console polls on its own, with its own budget.
    share_feeds: bool = True

    def __post_init__(self) -> None:
        if self.lookback < timedelta(0):
            raise Invalid("lookback", "must be 0s or more")
        if self.export_on_close not in EXPORT_ON_CLOSE:
            raise Invalid(
                "export_on_close",
                f"{self.export_on_close!r} is not one of: {', '.join(EXPORT_ON_CLOSE)}",
            )


@dataclass(frozen=True)
class RecorderConfig:
    """The flight recorder (issue 20): the feeds' telemetry kept with an open incident."""

    enabled: bool = True
    # Kept from before the incident's detection, from what the feeds already hold.
    lead_in: timedelta = timedelta(minutes=15)
    # The tenant an error line names (the first group, else the whole match): "users affected"
    # in the post-mortem counts them. "" when lines carry none: the incident's scope says.
    tenant_pattern: str = r"tenant[=:]\s*([\w.-]+)"

    def __post_init__(self) -> None:
        if self.lead_in < timedelta(0):
            raise Invalid("lead_in", "must be 0s or more")
        if self.tenant_pattern:
            try:
                re.compile(self.tenant_pattern)
            except re.error as exc:
                raise Invalid("tenant_pattern", f"not a regular expression: {exc}") from None


@dataclass(frozen=True)
class Config:
    user: UserConfig = field(default_factory=UserConfig)
    journal: JournalConfig = field(default_factory=JournalConfig)
    aws: AwsConfig = field(default_factory=AwsConfig)
    ecs: EcsConfig | None = None
    logs: LogsConfig = field(default_factory=LogsConfig)
    health: HealthConfig = field(default_factory=HealthConfig)
    sla: SlaConfig = field(default_factory=SlaConfig)
    alarms: AlarmsConfig = field(default_factory=AlarmsConfig)
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    runbook: RunbookConfig = field(default_factory=RunbookConfig)
    console: ConsoleConfig = field(default_factory=ConsoleConfig)
    mitigations: MitigationsConfig = field(default_factory=MitigationsConfig)
    github: GithubConfig = field(default_factory=GithubConfig)
    postmortem: PostmortemConfig = field(default_factory=PostmortemConfig)
    recorder: RecorderConfig = field(default_factory=RecorderConfig)
    read_only: bool = False
    # Where the file came from (None: built-in defaults); relative paths in it are relative to it.
    source: Path | None = field(default=None, metadata={"internal": True})

    def resolve_path(self, value: str) -> Path:
        path = Path(value).expanduser()
        if not path.is_absolute() and self.source is not None:
            path = self.source.parent / path
        return path

    def runbook_documents(self) -> list[Path]:
        """The `[runbook]` Markdown documents, resolved; whether they exist is checked when
        they are opened."""
        return list(dict.fromkeys(self.resolve_path(n) for n in self.runbook.documents))

    def postmortem_directory(self) -> Path:
        """Where the console exports post-mortems (`journal.postmortem_dir`)."""
        return self.resolve_path(self.journal.postmortem_dir)

    def qa_checklist_path(self) -> Path | None:
        name = self.runbook.qa_checklist
        return self.resolve_path(name) if name.strip() else None


def find_config_file(explicit: str | None) -> Path | None:
    """`--config`, then `$WARROOM_CONFIG`, then ./warroom.toml, then the XDG config dir."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("WARROOM_CONFIG")
    if env:
        return Path(env)
    try:
        local = Path.cwd() / CONFIG_NAME
    except OSError:  # run from a directory that was deleted: there is no ./warroom.toml
        local = None
    if local is not None and local.is_file():
        return local
    xdg = Path(platformdirs.user_config_dir(APP)) / "config.toml"
    if xdg.is_file():
        return xdg
    return None


def load_config(explicit: str | None = None) -> Config:
    """The config, and every secret it names registered for redaction (sanitize.py) before
    anything is stored or printed: a secret a user pastes is hidden too, not only one a server
    echoes after it was sent."""
    path = find_config_file(explicit)
    if path is None:
        config = Config()
    else:
        try:
            config = replace(build(Config, read_toml(path), path), source=path.resolve())
        except SchemaError as exc:
            raise ConfigError(exc.path, exc.key, exc.problem) from None
    for name in (*secret_variables(config), *AWS_SECRET_VARIABLES):
        secret_from_env(name)
    return config


def secret_variables(config: object) -> Iterator[str]:
    """The environment variables the config names as holding secrets: every `*_env` key."""
    if isinstance(config, tuple):
        for item in config:
            yield from secret_variables(item)
    if not is_dataclass(config):
        return
    for f in fields(config):
        value = getattr(config, f.name)
        if f.name.endswith("_env") and isinstance(value, str) and value.strip():
            yield value.strip()
        else:
            yield from secret_variables(value)


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP)) / "warroom.db"


def db_path(config: Config, explicit: str | None = None) -> Path:
    """`--db`, then `$WARROOM_DB`, then the config's journal.db, then the XDG data dir."""
    if explicit is not None:
        if not explicit.strip():
            raise UserError("--db is empty; name the journal file, or leave --db out")
        return Path(explicit).expanduser()
    env = os.environ.get("WARROOM_DB")
    if env:
        return Path(env).expanduser()
    if config.journal.db:
        return config.resolve_path(config.journal.db)
    return default_db_path()


def whoami(config: Config) -> str:
    """Who writes the entries: config, then $WARROOM_USER, then the sudo or login user."""
    for candidate in (
        config.user.name,
        os.environ.get("WARROOM_USER", ""),
        os.environ.get("SUDO_USER", ""),
    ):
        # Names from the environment are outside text: they reach terminals and other consoles.
        if name := clean_name(candidate):
            return name
    try:
        return clean_name(getpass.getuser()) or f"uid{os.getuid()}"
    except Exception:  # no login name and no passwd entry (some containers)
        return f"uid{os.getuid()}"
