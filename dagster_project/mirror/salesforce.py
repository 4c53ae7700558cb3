"""The connection to Salesforce (SPEC §5): a Dagster resource whose credentials come from the
environment through ``EnvVar``, read when a push starts (never at import, never in run config,
so no secret reaches Dagster's config, event log or the push log).

``SALESFORCE_INSTANCE_URL`` and ``SALESFORCE_ACCESS_TOKEN`` (a session), or
``SALESFORCE_USERNAME``, ``SALESFORCE_PASSWORD`` and ``SALESFORCE_SECURITY_TOKEN`` (a login;
``SALESFORCE_DOMAIN=test`` for a sandbox). Salesforce is reached over HTTPS only
(simple-salesforce builds ``https://`` URLs); the trusted certificate authorities follow
``requests`` (``REQUESTS_CA_BUNDLE``)."""

from __future__ import annotations

import requests
from dagster import ConfigurableResource, EnvVar
from pydantic import Field
from simple_salesforce import Salesforce
from simple_salesforce.api import DEFAULT_API_VERSION
from simple_salesforce.exceptions import SalesforceAuthenticationFailed

INSTANCE_URL = "SALESFORCE_INSTANCE_URL"
ACCESS_TOKEN = "SALESFORCE_ACCESS_TOKEN"
USERNAME = "SALESFORCE_USERNAME"
PASSWORD = "SALESFORCE_PASSWORD"
SECURITY_TOKEN = "SALESFORCE_SECURITY_TOKEN"
DOMAIN = "SALESFORCE_DOMAIN"

NO_CREDENTIALS = (
    f"no Salesforce credentials: set {INSTANCE_URL} and {ACCESS_TOKEN} "
    f"(or {USERNAME}, {PASSWORD} and {SECURITY_TOKEN}; {DOMAIN}=test for a sandbox)"
)


class CredentialsError(RuntimeError):
    """Credentials missing or refused: one line naming the variable to set, never a secret."""


class CountingSession(requests.Session):
    """A requests session that counts the HTTP requests it sends (what a push reports)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = 0

    def request(self, *args, **kwargs):
        self.sent += 1
        return super().request(*args, **kwargs)


def _env(name: str) -> str | None:
    return EnvVar(name).get_value() or None


def credential_problem() -> str | None:
    """The one line naming what to set when the environment holds no usable credentials; None when it does."""
    if _env(INSTANCE_URL) or _env(ACCESS_TOKEN):
        missing = [name for name in (INSTANCE_URL, ACCESS_TOKEN) if not _env(name)]
        return f"Salesforce credentials incomplete: set {missing[0]}" if missing else None
    if _env(USERNAME) or _env(PASSWORD) or _env(SECURITY_TOKEN):
        missing = [name for name in (USERNAME, PASSWORD, SECURITY_TOKEN) if not _env(name)]
        return f"Salesforce credentials incomplete: set {', '.join(missing)}" if missing else None
    return NO_CREDENTIALS


def refused_message(code: str) -> str:
    """The line for credentials Salesforce refused: which variables to set again (no value in it)."""
    if _env(ACCESS_TOKEN):
        return (
            f"Salesforce refused the session ({code}): set {ACCESS_TOKEN} to a current access token for {INSTANCE_URL}"
        )
    return f"Salesforce refused the login ({code}): check {USERNAME}, {PASSWORD} and {SECURITY_TOKEN} ({DOMAIN})"


class SalesforceResource(ConfigurableResource):
    """A simple-salesforce client and the push's settings. Credentials are not fields: they are read
    from the environment (SPEC §5's variables) when the push connects."""

    api_version: str | None = Field(default=None, description=f"REST API version (default {DEFAULT_API_VERSION})")
    batch_size: int = Field(default=200, description="records per sObject Collections request (at most 200)")
    bulk_threshold: int = Field(
        default=10_000, description="above this many records in one push step, Bulk API 2.0 instead of Collections"
    )
    max_retries: int = Field(default=4, description="retries of a transient failure (5xx, row lock, request limit)")
    backoff_seconds: float = Field(default=1.0, description="first retry's wait; doubled at each retry")
    bulk_poll_seconds: float = Field(default=5.0, description="wait before polling a Bulk API 2.0 job")
    timeout_seconds: float = Field(default=120.0, description="HTTP timeout of one request")

    def connect(self) -> tuple[Salesforce, CountingSession]:
        """A client for the environment's credentials, and its counting session; CredentialsError
        (one line, no secret) when they are missing or the login is refused."""
        problem = credential_problem()
        if problem:
            raise CredentialsError(problem)
        session = CountingSession()
        version = self.api_version or DEFAULT_API_VERSION
        if _env(ACCESS_TOKEN):
            return Salesforce(
                instance_url=_env(INSTANCE_URL), session_id=_env(ACCESS_TOKEN), version=version, session=session
            ), session
        try:
            client = Salesforce(
                username=_env(USERNAME),
                password=_env(PASSWORD),
                security_token=_env(SECURITY_TOKEN),
                domain=_env(DOMAIN),
                version=version,
                session=session,
            )
        except SalesforceAuthenticationFailed as error:
            raise CredentialsError(refused_message(str(error.code))) from None
        return client, session
