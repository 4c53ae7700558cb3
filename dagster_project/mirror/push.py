"""The push (SPEC §5): what ``marts.mirror_plan`` says to INSERT or UPDATE, sent to Salesforce's
``Deal_Group__c`` through simple-salesforce as its users use it, each record's result written
to ``platform.mirror_push_log`` (the push log, which is also the plan's ledger) as soon as it is
known.

- sObject Collections upserts by external id (``PATCH composite/sobjects/Deal_Group__c/
  Deal_Group_Id__c``), at most ``batch_size`` (200) records a request, ``allOrNone`` false, and
  each record's own result read: Salesforce answers 200 when records fail.
- An INSERT sends every non-null field, an UPDATE only the fields that changed; the prior is a
  lookup by its external id (``Prior_Deal_Group__r``), so priors go in an earlier request than
  their successors (levels: a record waits only for a prior that is in the same push).
- Transient failures are retried ``max_retries`` times with doubling backoff: a whole request on
  HTTP 5xx or ``REQUEST_LIMIT_EXCEEDED``, just the failed records on ``UNABLE_TO_LOCK_ROW``.
  Anything else fails that record alone; the others go on and what succeeded is kept.
- A request Salesforce answers ``300`` (an external id matching several records) is split until
  the record that matches several fails alone (``DUPLICATE_EXTERNAL_ID``).
- A level of more than ``bulk_threshold`` records goes through Bulk API 2.0 (one ingest job, its
  per-record results read back) instead.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import psycopg
import requests
from psycopg.types.json import Jsonb
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceError,
    SalesforceExpiredSession,
    SalesforceMoreThanOneRecord,
    SalesforceOperationError,
)

from dagster_project.mirror.salesforce import CountingSession, CredentialsError, SalesforceResource, refused_message

OBJECT = "Deal_Group__c"
EXTERNAL_ID = "Deal_Group_Id__c"
COLLECTIONS_PATH = f"composite/sobjects/{OBJECT}/{EXTERNAL_ID}"
PRIOR = "Prior_Deal_Group__r"
TRANSIENT_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "REQUEST_LIMIT_EXCEEDED"})
PUSH_LOCK = "platform-mirror-push:"  # + org: one push per org at a time


@dataclass(frozen=True)
class PlannedRecord:
    """One row of marts.mirror_plan to send."""

    org_id: str
    contract_id: str
    action: str  # INSERT / UPDATE
    changed_fields: tuple[str, ...]
    payload: dict
    payload_hash: str
    prior_id: str | None

    def fields_to_send(self) -> dict:
        """Salesforce field → value: every non-null field of an INSERT, the changed ones of an UPDATE."""
        if self.action == "INSERT":
            return {name: value for name, value in self.payload.items() if value is not None}
        return {name: self.payload.get(name) for name in self.changed_fields}

    def body(self) -> dict:
        """The record as the Collections upsert takes it; the prior by external id (null clears the lookup)."""
        record = {"attributes": {"type": OBJECT}, EXTERNAL_ID: self.contract_id}
        for name, value in self.fields_to_send().items():
            if name == PRIOR:
                if value is None:
                    record["Prior_Deal_Group__c"] = None
                else:
                    record[PRIOR] = {EXTERNAL_ID: value}
            else:
                record[name] = value
        return record

    def bulk_row(self) -> dict:
        """The record as a Bulk API 2.0 CSV row: '' leaves a field as it is, #N/A clears it."""
        row = {EXTERNAL_ID: self.contract_id}
        for name, value in self.fields_to_send().items():
            if name == PRIOR:
                if value is None:
                    row["Prior_Deal_Group__c"] = "#N/A"
                else:
                    row[f"{PRIOR}.{EXTERNAL_ID}"] = value
            else:
                row[name] = "#N/A" if value is None else str(value)
        return row


@dataclass
class RecordResult:
    contract_id: str
    result: str  # created / updated / failed
    salesforce_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    attempts: int = 1


@dataclass
class OrgPush:
    """What one org's push did."""

    org_id: str
    push_id: str
    results: list[RecordResult] = field(default_factory=list)
    requests: int = 0
    api: str = "collections"

    def count(self, result: str) -> int:
        return sum(1 for r in self.results if r.result == result)

    def as_dict(self) -> dict:
        return {
            "org_id": self.org_id,
            "created": self.count("created"),
            "updated": self.count("updated"),
            "failed": self.count("failed"),
            "requests": self.requests,
            "api": self.api,
            "failures": [
                {"contract_id": r.contract_id, "error_code": r.error_code, "error_message": r.error_message}
                for r in self.results
                if r.result == "failed"
            ][:20],
        }


def planned_records(conn: psycopg.Connection, org: str) -> list[PlannedRecord]:
    """The org's INSERT and UPDATE rows of marts.mirror_plan, in sequence order."""
    rows = conn.execute(
        """
        select org_id, deal_group_id_c, action, changed_fields, payload, payload_hash, prior_deal_group_id_c
        from marts.mirror_plan
        where org_id = %s and action in ('INSERT', 'UPDATE')
        order by engagement_sequence, deal_group_id_c""",
        [org],
    ).fetchall()
    return [
        PlannedRecord(org_id, contract_id, action, tuple(changed or {}), payload, payload_hash, prior)
        for org_id, contract_id, action, changed, payload, payload_hash, prior in rows
    ]


def levels(records: list[PlannedRecord]) -> list[list[PlannedRecord]]:
    """The records in levels: a record that sends its prior lookup while this push inserts that
    prior goes one level after it (the lookup by external id needs the prior to exist);
    everything else is level 0, so a steady-state push is ⌈records / 200⌉ requests."""
    inserted = {r.contract_id: r for r in records if r.action == "INSERT"}
    depth: dict[str, int] = {}

    def depth_of(record: PlannedRecord, seen: frozenset = frozenset()) -> int:
        if record.contract_id not in depth:
            sends_lookup = record.prior_id is not None and PRIOR in record.fields_to_send()
            prior = inserted.get(record.prior_id) if sends_lookup else None
            if prior is None or prior.contract_id in seen:
                depth[record.contract_id] = 0
            else:
                depth[record.contract_id] = depth_of(prior, seen | {record.contract_id}) + 1
        return depth[record.contract_id]

    out: list[list[PlannedRecord]] = []
    for record in records:
        level = depth_of(record)
        while len(out) <= level:
            out.append([])
        out[level].append(record)
    return out


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _error_of(error: SalesforceError) -> tuple[str, str]:
    """(code, message) of a failed request, from Salesforce's error body when it has one."""
    content = error.content
    if isinstance(content, list) and content and isinstance(content[0], dict):
        first = content[0]
        return str(first.get("errorCode") or f"HTTP_{error.status}"), str(first.get("message") or "")
    return f"HTTP_{error.status}", (content.decode() if isinstance(content, bytes) else str(content))[:500]


class Pusher:
    """Sends one org's planned records and writes each result to the ledger as it comes."""

    def __init__(
        self,
        client: Salesforce,
        session: CountingSession,
        settings: SalesforceResource,
        ledger: psycopg.Connection,
        push_id: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        log=None,
    ):
        self.client, self.session, self.settings = client, session, settings
        self.ledger, self.push_id, self.sleep, self.log = ledger, push_id, sleep, log

    def push_org(self, org: str, records: list[PlannedRecord]) -> OrgPush:
        outcome = OrgPush(org, self.push_id)
        before = self.session.sent
        for level in levels(records):
            if len(level) > self.settings.bulk_threshold:
                outcome.api = "bulk2"
                results = self._bulk(level)
                self._record(level, results, api="bulk2")
                outcome.results += results
                continue
            for batch in _chunks(level, min(self.settings.batch_size, 200)):
                results = self._collections(batch)
                self._record(batch, results, api="collections")
                outcome.results += results
        outcome.requests = self.session.sent - before
        return outcome

    # --- sObject Collections ------------------------------------------------------------------
    def _wait(self, attempt: int) -> None:
        self.sleep(self.settings.backoff_seconds * 2 ** (attempt - 1))

    def _collections(self, batch: list[PlannedRecord]) -> list[RecordResult]:
        results: dict[str, RecordResult] = {}
        pending, attempt = list(batch), 0
        while pending:
            attempt += 1
            try:
                answer = self.client.restful(
                    COLLECTIONS_PATH,
                    method="PATCH",
                    json={"allOrNone": False, "records": [r.body() for r in pending]},
                    timeout=self.settings.timeout_seconds,
                )
            except SalesforceExpiredSession as error:
                raise CredentialsError(refused_message(_error_of(error)[0])) from None
            except SalesforceMoreThanOneRecord as error:
                if len(pending) == 1:
                    code, message = _error_of(error)
                    results[pending[0].contract_id] = RecordResult(
                        pending[0].contract_id, "failed", None, "DUPLICATE_EXTERNAL_ID", message, attempt
                    )
                else:  # split until the record whose external id matches several fails alone
                    half = len(pending) // 2
                    for part in (pending[:half], pending[half:]):
                        for result in self._collections(part):
                            results[result.contract_id] = result
                break
            except SalesforceError as error:
                code, message = _error_of(error)
                if (error.status >= 500 or code in TRANSIENT_CODES) and attempt <= self.settings.max_retries:
                    self._note(f"{code} from Salesforce, retrying {len(pending)} records (attempt {attempt})")
                    self._wait(attempt)
                    continue
                for record in pending:
                    results[record.contract_id] = RecordResult(
                        record.contract_id, "failed", None, code, message, attempt
                    )
                break
            except requests.RequestException as error:
                if attempt <= self.settings.max_retries:
                    self._note(f"{type(error).__name__} reaching Salesforce, retrying (attempt {attempt})")
                    self._wait(attempt)
                    continue
                for record in pending:
                    results[record.contract_id] = RecordResult(
                        record.contract_id, "failed", None, "CONNECTION_ERROR", type(error).__name__, attempt
                    )
                break
            retry = []
            for record, answer_row in zip(pending, answer or [], strict=False):
                if answer_row.get("success"):
                    results[record.contract_id] = RecordResult(
                        record.contract_id,
                        "created" if answer_row.get("created") else "updated",
                        answer_row.get("id"),
                        attempts=attempt,
                    )
                    continue
                errors = answer_row.get("errors") or [{}]
                code = str(errors[0].get("statusCode") or "UNKNOWN_ERROR")
                message = "; ".join(str(e.get("message") or "") for e in errors)
                if code in TRANSIENT_CODES and attempt <= self.settings.max_retries:
                    retry.append(record)
                else:
                    results[record.contract_id] = RecordResult(
                        record.contract_id, "failed", None, code, message, attempt
                    )
            for record in pending[len(answer or []) :]:  # an answer shorter than the request: no result is a failure
                results[record.contract_id] = RecordResult(
                    record.contract_id, "failed", None, "NO_RESULT", "Salesforce returned no result", attempt
                )
            if retry:
                self._note(f"{len(retry)} records locked or limited, retrying them (attempt {attempt})")
                self._wait(attempt)
            pending = retry
        return [results[r.contract_id] for r in batch]

    # --- Bulk API 2.0 ---------------------------------------------------------------------------
    def _bulk(self, level: list[PlannedRecord]) -> list[RecordResult]:
        rows = [r.bulk_row() for r in level]
        columns = list(dict.fromkeys(name for row in rows for name in row))
        rows = [{name: row.get(name, "") for name in columns} for row in rows]
        attempt = 0
        while True:
            attempt += 1
            try:
                jobs = self.client.bulk2.Deal_Group__c.upsert(
                    records=rows, external_id_field=EXTERNAL_ID, wait=self.settings.bulk_poll_seconds
                )
                by_id: dict[str, RecordResult] = {}
                for job in jobs:
                    records = self.client.bulk2.Deal_Group__c.get_all_ingest_records(job["job_id"])
                    for row in records["successfulRecords"]:
                        created = str(row.get("sf__Created")).lower() == "true"
                        by_id[row[EXTERNAL_ID]] = RecordResult(
                            row[EXTERNAL_ID], "created" if created else "updated", row.get("sf__Id"), attempts=attempt
                        )
                    for row in records["failedRecords"]:
                        code, _, message = str(row.get("sf__Error") or "UNKNOWN_ERROR").partition(":")
                        by_id[row[EXTERNAL_ID]] = RecordResult(
                            row[EXTERNAL_ID], "failed", None, code, message.strip(), attempt
                        )
                return [
                    by_id.get(r.contract_id)
                    or RecordResult(r.contract_id, "failed", None, "UNPROCESSED", "not processed by the job", attempt)
                    for r in level
                ]
            except SalesforceExpiredSession as error:
                raise CredentialsError(refused_message(_error_of(error)[0])) from None
            except (SalesforceError, SalesforceOperationError, requests.RequestException) as error:
                status = getattr(error, "status", 500)
                code, message = (
                    _error_of(error) if isinstance(error, SalesforceError) else (type(error).__name__, str(error)[:500])
                )
                if (status >= 500 or code in TRANSIENT_CODES) and attempt <= self.settings.max_retries:
                    self._note(f"{code} from the Bulk API, retrying the job (attempt {attempt})")
                    self._wait(attempt)
                    continue
                return [RecordResult(r.contract_id, "failed", None, code, message, attempt) for r in level]

    # --- the ledger -----------------------------------------------------------------------------
    def _record(self, records: list[PlannedRecord], results: list[RecordResult], api: str) -> None:
        """Each record's result into platform.mirror_push_log, committed at once: a later failure
        never loses what succeeded."""
        now = dt.datetime.now(dt.UTC)
        with self.ledger.transaction():
            with self.ledger.cursor() as cursor:
                cursor.executemany(
                    """
                    insert into platform.mirror_push_log (push_id, org_id, contract_id, salesforce_id, result,
                        error_code, error_message, payload_hash, payload, fields_sent, api, attempts, pushed_at)
                    values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                    on conflict (push_id, contract_id) do update set salesforce_id = excluded.salesforce_id,
                        result = excluded.result, error_code = excluded.error_code,
                        error_message = excluded.error_message, attempts = excluded.attempts,
                        pushed_at = excluded.pushed_at""",
                    [
                        (
                            self.push_id,
                            record.org_id,
                            record.contract_id,
                            result.salesforce_id,
                            result.result,
                            result.error_code,
                            (result.error_message or "")[:2000] or None,
                            record.payload_hash,
                            Jsonb(record.payload),
                            list(record.fields_to_send()),
                            api,
                            result.attempts,
                            now,
                        )
                        for record, result in zip(records, results, strict=True)
                    ],
                )

    def _note(self, message: str) -> None:
        if self.log is not None:
            self.log.warning(message)


def push_orgs(
    orgs: list[str],
    settings: SalesforceResource,
    url: str,
    push_id: str,
    *,
    log=None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[OrgPush]:
    """Push each org's plan (one org at a time per database: an advisory lock), returning what each did.
    CredentialsError before anything is sent when the environment holds no usable credentials."""
    client, session = settings.connect()
    out = []
    with psycopg.connect(url, autocommit=True) as conn:
        for org in orgs:
            conn.execute("select pg_advisory_lock(hashtext(%s))", [PUSH_LOCK + org])
            try:
                pusher = Pusher(client, session, settings, conn, push_id, sleep=sleep, log=log)
                out.append(pusher.push_org(org, planned_records(conn, org)))
            finally:
                conn.execute("select pg_advisory_unlock(hashtext(%s))", [PUSH_LOCK + org])
    return out
