"""A local Salesforce for the mirror's tests: the part of the REST API the push uses, served over
HTTPS on 127.0.0.1 by pytest-httpserver (simple-salesforce only builds https:// URLs), with a
throwaway CA from trustme that ``REQUESTS_CA_BUNDLE`` points at (SPEC §5).

- ``PATCH …/composite/sobjects/Deal_Group__c/Deal_Group_Id__c``: the Collections upsert by
  external id, one result per record (200 even when records fail): ``STRING_TOO_LONG`` for a Name
  over 80 characters, ``INVALID_FIELD`` for a ``Prior_Deal_Group__r`` naming no record, ``300``
  for an external id several records carry;
- the Bulk API 2.0 ingest job lifecycle (create, upload CSV, close, state, per-record results);
- ``401 INVALID_SESSION_ID`` for any other token; ``503`` and ``UNABLE_TO_LOCK_ROW`` on demand.

It keeps every record it holds and every request it received."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import re
from dataclasses import dataclass, field

from werkzeug import Request, Response

NAME_LIMIT = 80
API = r"^/services/data/v[0-9.]+/"
FIELDS = (
    "Name",
    "Account__c",
    "Status__c",
    "Group_Effective_Date__c",
    "Group_End_Date__c",
    "Renewal_Opportunity__c",
    "Prior_Deal_Group__c",
    "Contract_Type__c",
    "Engagement_Sequence__c",
)


@dataclass
class Received:
    method: str
    path: str
    body: object


@dataclass
class FakeSalesforce:
    token: str
    records: dict[str, dict] = field(default_factory=dict)  # Salesforce id → fields
    received: list[Received] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)  # HTTP statuses for the next Collections requests
    lock_once: set[str] = field(default_factory=set)  # external ids answered UNABLE_TO_LOCK_ROW once
    jobs: dict[str, dict] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _index_by_key: dict[str, list[str]] = field(default_factory=dict)  # external id → Salesforce ids
    _index_of: set[str] = field(default_factory=set)

    def install(self, httpserver) -> FakeSalesforce:
        httpserver.expect_request(
            re.compile(API + "composite/sobjects/Deal_Group__c/Deal_Group_Id__c$"), method="PATCH"
        ).respond_with_handler(self._guarded(self.collections_upsert))
        httpserver.expect_request(re.compile(API + "jobs/ingest$"), method="POST").respond_with_handler(
            self._guarded(self.create_job)
        )
        httpserver.expect_request(re.compile(API + r"jobs/ingest/[^/]+/batches$"), method="PUT").respond_with_handler(
            self._guarded(self.upload)
        )
        httpserver.expect_request(re.compile(API + r"jobs/ingest/[^/]+$")).respond_with_handler(
            self._guarded(self.job_state)
        )
        httpserver.expect_request(re.compile(API + r"jobs/ingest/[^/]+/\w+$"), method="GET").respond_with_handler(
            self._guarded(self.job_results)
        )
        return self

    # --- what a test reads ------------------------------------------------------------------------
    @property
    def requests(self) -> int:
        return len(self.received)

    def by_external_id(self) -> dict[str, dict]:
        return {r["Deal_Group_Id__c"]: r for r in self.records.values()}

    def upsert_bodies(self) -> list[list[dict]]:
        return [r.body["records"] for r in self.received if r.path.endswith("Deal_Group_Id__c")]

    # --- plumbing ---------------------------------------------------------------------------------
    def _guarded(self, handler):
        def handle(request: Request) -> Response:
            body = request.get_data(as_text=True)
            try:
                parsed = json.loads(body) if body and request.mimetype == "application/json" else body
            except ValueError:
                parsed = body
            self.received.append(Received(request.method, request.path, parsed))
            if request.headers.get("Authorization") != f"Bearer {self.token}":
                return _json([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}], 401)
            return handler(request, parsed)

        return handle

    def _new_id(self) -> str:
        return f"a0X{next(self._ids):012d}"

    def _matching(self, external_id: str) -> list[str]:
        if len(self._index_of) != len(self.records):  # records a test added directly: index them again
            self._index_by_key.clear()
            for sf_id, record in self.records.items():
                self._index_by_key.setdefault(record["Deal_Group_Id__c"], []).append(sf_id)
            self._index_of = set(self.records)
        return list(self._index_by_key.get(external_id, []))

    def apply(self, record: dict) -> dict:
        """Upsert one record (Collections' shape); its result as Salesforce gives it."""
        external_id = record.get("Deal_Group_Id__c")
        if external_id in self.lock_once:
            self.lock_once.discard(external_id)
            return _failure("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record", [])
        values = {k: v for k, v in record.items() if k not in ("attributes", "Deal_Group_Id__c")}
        if "Prior_Deal_Group__r" in values:
            prior_key = values.pop("Prior_Deal_Group__r")["Deal_Group_Id__c"]
            priors = self._matching(prior_key)
            if len(priors) != 1:
                return _failure(
                    "INVALID_FIELD",
                    f"Foreign key external ID: {prior_key} not found for field Deal_Group_Id__c in entity "
                    "Deal_Group__c",
                    [],
                )
            values["Prior_Deal_Group__c"] = priors[0]
        unknown = set(values) - set(FIELDS)
        if unknown:
            return _failure("INVALID_FIELD", f"No such column '{sorted(unknown)[0]}' on sobject Deal_Group__c", [])
        if len(values.get("Name") or "") > NAME_LIMIT:
            return _failure("STRING_TOO_LONG", f"Name: data value too large: {values['Name'][:20]}…", ["Name"])
        matches = self._matching(external_id)
        now = dt.datetime.now(dt.UTC).isoformat()
        if matches:
            self.records[matches[0]].update(values, SystemModstamp=now)
            return {"id": matches[0], "success": True, "created": False, "errors": []}
        sf_id = self._new_id()
        self.records[sf_id] = {"Id": sf_id, "Deal_Group_Id__c": external_id, **values, "SystemModstamp": now}
        self._index_by_key.setdefault(external_id, []).append(sf_id)
        self._index_of.add(sf_id)
        return {"id": sf_id, "success": True, "created": True, "errors": []}

    # --- sObject Collections ----------------------------------------------------------------------
    def collections_upsert(self, request: Request, body) -> Response:
        if self.fail_next:
            status = self.fail_next.pop(0)
            return _json([{"message": "Service Unavailable", "errorCode": "SERVER_UNAVAILABLE"}], status)
        records = body["records"]
        if len(records) > 200:
            return _json([{"message": "too many records", "errorCode": "EXCEEDED_ID_LIMIT"}], 400)
        for record in records:
            if len(self._matching(record["Deal_Group_Id__c"])) > 1:
                urls = [
                    f"/services/data/v59.0/sobjects/Deal_Group__c/{i}"
                    for i in self._matching(record["Deal_Group_Id__c"])
                ]
                return _json(urls, 300)
        return _json([self.apply(record) for record in records], 200)

    # --- Bulk API 2.0 -----------------------------------------------------------------------------
    def create_job(self, request: Request, body) -> Response:
        job_id = f"750{len(self.jobs) + 1:012d}"
        self.jobs[job_id] = {
            "id": job_id,
            "state": "Open",
            "object": body["object"],
            "operation": body["operation"],
            "externalIdFieldName": body.get("externalIdFieldName"),
            "csv": "",
            "successful": [],
            "failed": [],
            "numberRecordsProcessed": 0,
            "numberRecordsFailed": 0,
        }
        return _json(self._job_info(job_id), 200)

    def _job_info(self, job_id: str) -> dict:
        return {k: v for k, v in self.jobs[job_id].items() if k not in ("csv", "successful", "failed")}

    def upload(self, request: Request, body) -> Response:
        job_id = request.path.split("/")[-2]
        self.jobs[job_id]["csv"] += body
        return Response(status=201)

    def job_state(self, request: Request, body) -> Response:
        job_id = request.path.split("/")[-1]
        job = self.jobs[job_id]
        if request.method == "PATCH":
            if body.get("state") == "UploadComplete":
                self._process(job)
            else:
                job["state"] = body.get("state")
        return _json(self._job_info(job_id), 200)

    def _process(self, job: dict) -> None:
        for row in csv.DictReader(io.StringIO(job["csv"])):
            record = {}
            for name, value in row.items():
                if value == "":
                    continue
                value = None if value == "#N/A" else value
                if name == "Prior_Deal_Group__r.Deal_Group_Id__c":
                    record["Prior_Deal_Group__r"] = {"Deal_Group_Id__c": value}
                elif name == "Engagement_Sequence__c" and value is not None:
                    record[name] = float(value)
                else:
                    record[name] = value
            result = self.apply(record)
            if result["success"]:
                job["successful"].append({"sf__Id": result["id"], "sf__Created": str(result["created"]).lower(), **row})
            else:
                error = result["errors"][0]
                job["failed"].append({"sf__Id": "", "sf__Error": f"{error['statusCode']}:{error['message']}", **row})
        job.update(
            state="JobComplete",
            numberRecordsProcessed=len(job["successful"]) + len(job["failed"]),
            numberRecordsFailed=len(job["failed"]),
        )

    def job_results(self, request: Request, body) -> Response:
        _, job_id, kind = request.path.rsplit("/", 2)
        job = self.jobs[job_id]
        rows = {"successfulResults": job["successful"], "failedResults": job["failed"]}.get(kind, [])
        out = io.StringIO()
        if rows:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        else:
            out.write("sf__Id,sf__Error\n")
        return Response(out.getvalue(), status=200, content_type="text/csv")


def _failure(code: str, message: str, fields: list[str]) -> dict:
    return {"success": False, "errors": [{"statusCode": code, "message": message, "fields": fields}]}


def _json(body, status: int) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")
