"""InfluxDB sink: 1.x natively, 2.x/3.x through the v2 write API and the v1-compatible /query.

Why: larger deployments (a city with several counties) keep months of samples and share them
with Grafana; InfluxDB is the store the field uses for that. Debian ships 1.x, cloud and newer
installs run 2.x/3.x, so both API families are supported behind one ``Sink``.

How, per server generation (detected from ``/ping``'s ``X-Influxdb-Version`` header unless
``sink.version`` says it; servers without the header, like VictoriaMetrics, need ``version: "2"``):

* every write is rendered by influxdb-client's ``Point`` (line protocol, microsecond precision;
  ``LineRenderer`` has it render each series' measurement and tags once) after
  ``nms.sink.check_sample`` -- ``Point`` silently skips NaN/None fields, so it never sees them;
  rendering the next request overlaps with posting the last one;
* 1.x: ``POST /write?db=&rp=&precision=u`` in batches of at most ``batch_size`` lines (and
  ``MAX_BODY_BYTES``; large writes are cut into ``PIPELINE_DEPTH`` bodies); reads ``POST /query`` with InfluxQL, ``epoch=u``, chunked responses;
* 2.x/3.x: influxdb-client's ``WriteApi`` with token/org/bucket and its ``WritesRetry``
  back-off. It runs in *synchronous* mode on our batches: ``write`` returns only once the server
  acknowledged, which is what lets the spool (``nms.spool``) promise that an acknowledged sample
  is stored or spooled. (The library's background batching mode would acknowledge samples still
  sitting in its memory buffer.) Reads use InfluxQL over the v1-compatible ``/query`` with
  ``Authorization: Token`` (the bucket needs a DBRP mapping; 3.x serves InfluxQL natively).

On a 1.x server with ``manage_schema`` (default) nms creates the database, the retention policy
for raw samples (``raw`` unless ``sink.retention_policy`` names one; ``raw_retention_days``), the
``rollup_5m`` policy (``rollup_retention_days``) and two continuous queries filling it with
5-minute ``mean_*``/``min_*``/``max_*``/``count_*`` rollups and, for ``poll_status``,
``up_count``. Continuous queries only see the last hour (RESAMPLE FOR 1h), so after a spool replay
``after_replay`` recomputes the rollups of the replayed period. On 2.x/3.x retention belongs to the
bucket and is not managed here.

Errors: connection failures, timeouts, 401/403, 404 without a database to create, 429 and 5xx
become ``SinkUnavailableError`` (the spool keeps the samples); 400 -- a parse error or a 1.x
"partial write" such as a field type conflict -- becomes ``SamplesRejectedError`` (retrying cannot
help; the server stored the batch's other points).
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import urllib3
from influxdb_client import InfluxDBClient, Point, WritePrecision
from influxdb_client.client.write.retry import WritesRetry
from influxdb_client.client.write_api import SYNCHRONOUS
from influxdb_client.rest import ApiException

from nms import registry
from nms.errors import SinkError
from nms.models import FieldValue, Sample
from nms.sink import (
    AggregateFn,
    FieldType,
    FieldTypes,
    SamplesRejectedError,
    Series,
    Sink,
    SinkUnavailableError,
    TagFilter,
    bucket_starts,
    check_aggregate,
    every_us,
    from_us,
    partition,
    sort_samples,
    to_us,
)

if TYPE_CHECKING:
    from nms.config import Config

log = logging.getLogger(__name__)

#: 1.x refuses bodies above ``max-body-size`` (25 MB by default); stay well below
MAX_BODY_BYTES = 8 * 1024 * 1024
#: a large write is posted as at least this many bodies (each >= MIN_BODY_LINES lines), so that
#: rendering body k+1 overlaps with posting body k and only the last, small, body is not
PIPELINE_DEPTH = 8
MIN_BODY_LINES = 500
ROLLUP_RP = "rollup_5m"
ROLLUP_EVERY = "5m"
CQ_ROLLUP = "nms_rollup_5m"
CQ_UP = "nms_poll_status_up_5m"
_FN_SQL = {"mean": "mean({f})", "max": "max({f})", "min": "min({f})", "sum": "sum({f})",
           "last": "last({f})", "count": "count({f})", "p95": "percentile({f}, 95)"}


class _ConnectionError(SinkUnavailableError):
    """No HTTP answer at all (refused, reset, timed out), as opposed to an error status."""


def ident(name: str) -> str:
    """An InfluxQL double-quoted identifier."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def literal(value: str) -> str:
    """An InfluxQL single-quoted string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def to_point(sample: Sample) -> Point:
    """The influxdb-client ``Point`` for a sample that passed ``check_sample``."""
    point = Point(sample.measurement)
    for key, value in sample.tags.items():
        if value != "":
            point.tag(key, value)
    for key, value in sample.fields.items():
        point.field(key, value)
    point.time(to_us(sample.time), WritePrecision.US)
    return point


class LineRenderer:
    """Line protocol by influxdb-client's ``Point``, the series part rendered once per series.

    ``to_point(s).to_line_protocol()`` spends a third of its time escaping and sorting the
    measurement and tags, which are the same for every point of a series (500 devices x 60
    interfaces poll the same 30 000 series round after round). So ``Point`` renders that prefix
    once per series (with a throw-away field it needs to render at all) and, for every sample,
    the fields and timestamp of a tag-less ``Point``; the two are joined. The result is byte for
    byte ``to_point(s).to_line_protocol()`` (tests/sinks/test_influx.py checks it).
    """

    def __init__(self, limit: int = 100_000) -> None:
        self._prefixes: dict[tuple[Any, ...], str] = {}
        self._limit = limit

    def __call__(self, sample: Sample) -> bytes:
        key = (sample.measurement, *sample.tags.items())
        prefix = self._prefixes.get(key)
        if prefix is None:
            head = Point(sample.measurement)
            for tag, value in sample.tags.items():
                if value != "":
                    head.tag(tag, value)
            prefix = head.field("_", True).to_line_protocol()[: -len(" _=true")]
            if len(self._prefixes) >= self._limit:
                self._prefixes.clear()
            self._prefixes[key] = prefix
        body = Point("m")
        for field, value in sample.fields.items():
            body.field(field, value)
        body.time(to_us(sample.time), WritePrecision.US)
        return (prefix + body.to_line_protocol()[1:]).encode()


def api_generation(version: str) -> int:
    """1 for a 1.x server, 2 for 2.x and later (3.x keeps the v2 write and v1 query APIs)."""
    text = version.strip().lstrip("vV")
    try:
        major = int(text.split(".")[0])
    except ValueError:
        raise SinkError(f"cannot understand InfluxDB version {version!r}") from None
    return 1 if major <= 1 else 2


def _tag_condition(tags: TagFilter | None) -> list[str] | None:
    """InfluxQL conditions for a tag filter; None when it can match nothing."""
    conds = []
    for key, want in (tags or {}).items():
        if isinstance(want, str):
            conds.append(f"{ident(key)} = {literal(want)}")
        else:
            values = list(want)
            if not values:
                return None
            conds.append("(" + " OR ".join(f"{ident(key)} = {literal(v)}" for v in values) + ")")
    return conds


@registry.sinks.register
class InfluxSink(Sink):
    """Samples in InfluxDB 1.x, 2.x or 3.x; see the module docstring.

    Args:
        url: ``http://127.0.0.1:8086``.
        version: ``"auto"`` (ask ``/ping``), ``"1"`` or ``"2"`` (2.x/3.x, and servers speaking
            their write API such as VictoriaMetrics).
        database: 1.x database (and the 2.x bucket when ``bucket`` is not given).
        retention_policy: 1.x policy for raw samples; nms manages ``raw`` when not given.
        username, password: 1.x credentials (HTTP basic auth).
        token, org, bucket: 2.x/3.x credentials and target.
        batch_size: most lines per write request.
        timeout_s: connect and read timeout of every request.
        raw_retention_days, rollup_retention_days: 1.x retention policy durations (0 = forever).
        manage_schema: create database, retention policies and continuous queries on 1.x.
        max_retries: 2.x WriteApi retries before a write counts as failed (then it is spooled).
    """

    name = "influxdb"

    def __init__(self, url: str, *, version: str = "auto", database: str = "nms",
                 retention_policy: str | None = None, username: str | None = None,
                 password: str | None = None, token: str | None = None, org: str | None = None,
                 bucket: str | None = None, batch_size: int = 5000, timeout_s: float = 10.0,
                 raw_retention_days: int = 30, rollup_retention_days: int = 365,
                 manage_schema: bool = True, max_retries: int = 2) -> None:
        self.url = url.rstrip("/")
        self.version = version
        self.database = database
        self.raw_rp = retention_policy or "raw"
        self._rp_managed = retention_policy is None
        self.token = token
        self.org = org or "nms"
        self.bucket = bucket or database
        self.batch_size = max(1, batch_size)
        self.timeout_s = timeout_s
        self.raw_retention_days = raw_retention_days
        self.rollup_retention_days = rollup_retention_days
        self.manage_schema = manage_schema
        self.max_retries = max_retries
        self._lock = threading.Lock()
        self._api: int | None = None  # 1 or 2 once the server answered
        self._types = FieldTypes()
        self._types_loaded = False
        self._types_error: str | None = None
        headers: dict[str, str] = {}
        if username:
            headers.update(urllib3.make_headers(basic_auth=f"{username}:{password or ''}"))
        if token:
            headers["Authorization"] = f"Token {token}"
        self._headers = headers
        self._http = urllib3.PoolManager(
            num_pools=2, maxsize=8, headers=headers,
            timeout=urllib3.Timeout(connect=min(timeout_s, 5.0), read=timeout_s),
            # no retries here: a failed write is spooled and replayed by nms.spool, which
            # backs off and logs once per outage instead of once per attempt
            retries=False,
        )
        self._client: InfluxDBClient | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._render = LineRenderer()

    @classmethod
    def from_config(cls, config: Config) -> InfluxSink:
        """Build from ``config.sink`` (``url`` is required there)."""
        s = config.sink
        if not s.url:
            raise SinkError("influxdb sink needs sink.url")
        return cls(s.url, version=s.version, database=s.database,
                   retention_policy=s.retention_policy, username=s.username,
                   password=s.password, token=s.token, org=s.org, bucket=s.bucket,
                   batch_size=s.batch_size, timeout_s=s.timeout_s,
                   raw_retention_days=s.raw_retention_days,
                   rollup_retention_days=s.rollup_retention_days)

    # ---- HTTP plumbing -------------------------------------------------------------------

    def _request(self, method: str, path: str, what: str, *, fields: dict[str, str] | None = None,
                 body: bytes | None = None, stream: bool = False) -> urllib3.BaseHTTPResponse:
        url = self.url + path
        try:
            if fields is not None and method == "POST":
                return self._http.request(method, url, fields=fields, encode_multipart=False,
                                          preload_content=not stream)
            if fields is not None:
                return self._http.request(method, url, fields=fields, preload_content=not stream)
            return self._http.request(method, url, body=body, preload_content=not stream,
                                      headers={**self._headers,
                                               "Content-Type": "text/plain; charset=utf-8"})
        except urllib3.exceptions.HTTPError as exc:
            reason = getattr(exc, "reason", None) or exc
            raise _ConnectionError(f"influxdb sink {self.url}: {what} failed: {reason}") from exc

    @staticmethod
    def _error_text(resp: urllib3.BaseHTTPResponse) -> str:
        data = resp.data or b""
        try:
            return str(json.loads(data).get("error") or data.decode(errors="replace"))
        except (ValueError, AttributeError):
            return data.decode(errors="replace").strip()[:500]

    def _status_error(self, resp: urllib3.BaseHTTPResponse, what: str) -> SinkError:
        text = self._error_text(resp)
        msg = f"influxdb sink {self.url}: {what} failed: HTTP {resp.status}: {text}"
        if resp.status in (401, 403):
            return SinkUnavailableError(msg + " (check sink.username/password or sink.token)")
        if resp.status == 400:
            return SamplesRejectedError(msg)
        if resp.status == 413:
            return SamplesRejectedError(msg + " (request too large)")
        return SinkUnavailableError(msg)

    # ---- connection and schema -----------------------------------------------------------

    def _ensure(self) -> int:
        """Detect the server generation and set up the schema once; returns 1 or 2."""
        if self._api is not None:
            return self._api
        with self._lock:
            if self._api is not None:
                return self._api
            api = self._detect()
            if api == 1 and self.manage_schema:
                self._setup_v1()
            self._api = api
            return api

    def _detect(self) -> int:
        if self.version in ("1", "2"):
            return int(self.version)
        resp = self._request("GET", "/ping", "ping")
        version = resp.headers.get("X-Influxdb-Version")
        if resp.status >= 300:
            raise self._status_error(resp, "ping")
        if not version:
            raise SinkUnavailableError(
                f"influxdb sink {self.url}: /ping has no X-Influxdb-Version header; is this "
                "InfluxDB? Set sink.version to \"1\" or \"2\" for compatible servers")
        api = api_generation(version)
        log.info("influxdb sink %s: server version %s (API %s)", self.url, version, api)
        return api

    def _v1_statement(self, q: str, what: str, *, tolerate_auth: bool = False) -> dict[str, Any]:
        resp = self._request("POST", "/query", what, fields={"q": q, "db": self.database})
        if resp.status in (401, 403) and tolerate_auth:
            log.warning("influxdb sink %s: no permission for %s; assuming an administrator did "
                        "it", self.url, what)
            return {}
        if resp.status != 200:
            raise self._status_error(resp, what)
        result: dict[str, Any] = json.loads(resp.data)["results"][0]
        if "error" in result:
            raise SinkError(f"influxdb sink {self.url}: {what} failed: {result['error']}")
        return result

    def _setup_v1(self) -> None:
        db = ident(self.database)
        self._v1_statement(f"CREATE DATABASE {db}", "create database", tolerate_auth=True)
        have = {}
        rps = self._v1_statement(f"SHOW RETENTION POLICIES ON {db}", "show retention policies",
                                 tolerate_auth=True)
        for series in rps.get("series", []):
            cols = series["columns"]
            for row in series["values"]:
                have[row[cols.index("name")]] = row[cols.index("duration")]

        def duration(days: int) -> str:
            return f"{days}d" if days > 0 else "INF"

        def want_hours(days: int) -> str:
            return f"{days * 24}h0m0s" if days > 0 else "0s"

        policies = [(self.raw_rp, self.raw_retention_days, True, self._rp_managed),
                    (ROLLUP_RP, self.rollup_retention_days, False, True)]
        for name, days, default, managed in policies:
            if name not in have:
                self._v1_statement(
                    f"CREATE RETENTION POLICY {ident(name)} ON {db} DURATION {duration(days)} "
                    f"REPLICATION 1{' DEFAULT' if default else ''}",
                    f"create retention policy {name}", tolerate_auth=True)
            elif managed and have[name] != want_hours(days):
                log.info("influxdb sink %s: retention policy %s: %s -> %s", self.url, name,
                         have[name], duration(days))
                self._v1_statement(f"ALTER RETENTION POLICY {ident(name)} ON {db} "
                                   f"DURATION {duration(days)}", f"alter retention policy {name}",
                                   tolerate_auth=True)
        cqs = self._v1_statement("SHOW CONTINUOUS QUERIES", "show continuous queries",
                                 tolerate_auth=True)
        existing = {}
        for series in cqs.get("series", []):
            if series.get("name") == self.database:
                existing = {row[0]: row[1] for row in series.get("values") or []}
        for name, select in ((CQ_ROLLUP, self._rollup_select()), (CQ_UP, self._up_select())):
            text = (f"CREATE CONTINUOUS QUERY {ident(name)} ON {db} RESAMPLE EVERY "
                    f"{ROLLUP_EVERY} FOR 1h BEGIN {select} END")
            if name in existing:
                continue  # the server stores a normalized text; created by us with this select
            self._v1_statement(text, f"create continuous query {name}", tolerate_auth=True)

    def _rollup_select(self, where: str = "") -> str:
        db, raw, roll = ident(self.database), ident(self.raw_rp), ident(ROLLUP_RP)
        return (f"SELECT mean(*), min(*), max(*), count(*) INTO {db}.{roll}.:MEASUREMENT "
                f"FROM {db}.{raw}./.*/ {where}GROUP BY time({ROLLUP_EVERY}), *")

    def _up_select(self, where: str = "") -> str:
        db, raw, roll = ident(self.database), ident(self.raw_rp), ident(ROLLUP_RP)
        cond = f"WHERE {where} AND reachable = true " if where else "WHERE reachable = true "
        return (f"SELECT count(reachable) AS up_count INTO {db}.{roll}.\"poll_status\" "
                f"FROM {db}.{raw}.\"poll_status\" {cond}GROUP BY time({ROLLUP_EVERY}), *")

    def after_replay(self, start: datetime, end: datetime) -> None:
        """Recompute the 5-minute rollups of a replayed period (1.x with managed schema)."""
        if self._api != 1 or not self.manage_schema:
            return
        step = 300_000_000
        lo = (to_us(start) // step) * step
        hi = (to_us(end) // step + 1) * step
        where = f"time >= {lo}u AND time < {hi}u"
        try:
            self._v1_statement(self._rollup_select(f"WHERE {where} "), "rollup backfill")
            self._v1_statement(self._up_select(where), "rollup backfill (poll_status)")
        except SinkError as exc:
            log.warning("influxdb sink %s: rollups of the replayed period %s..%s not recomputed: "
                        "%s", self.url, start.isoformat(), end.isoformat(), exc)

    def _load_types(self, force: bool = False) -> None:
        """Learn field types from the server (``SHOW FIELD KEYS``), for conversions and checks."""
        if self._types_loaded and not force:
            return
        source = f" FROM {ident(self.raw_rp)}./.*/" if self._api == 1 else ""
        try:
            for _, series in self._stream(f"SHOW FIELD KEYS{source}", "show field keys"):
                for row in series.get("values") or []:
                    if len(row) != 2 or row[1] not in ("float", "integer", "string", "boolean"):
                        raise SinkError(f"unexpected SHOW FIELD KEYS row {row!r}")
                    if self._types.get(series["name"], row[0]) is None:
                        self._types.set(series["name"], row[0], row[1])
        except _ConnectionError:
            raise  # try again next time; the write will spool
        except SinkError as exc:  # e.g. a server without InfluxQL (VictoriaMetrics)
            # writes go on (the server checks types itself); reads need the types and will say so
            log.debug("influxdb sink %s: cannot read field keys: %s", self.url, exc)
            self._types_error = str(exc)
        else:
            self._types_error = None
        self._types_loaded = True

    # ---- writes --------------------------------------------------------------------------

    def write(self, samples: Sequence[Sample]) -> None:
        """Render with ``Point`` and post in batches; see the module docstring for errors."""
        good, bad = partition(samples)
        if good:
            api = self._ensure()
            self._load_types()
            ok, conflicts, new_types = self._types.split(good)
            bad.extend(conflicts)
            lines = (self._render(s) for s in ok)
            # bodies of batch_size lines at most, but at least PIPELINE_DEPTH of them for a
            # large write, so that rendering overlaps with posting for all but a small tail
            per_body = min(self.batch_size, max(MIN_BODY_LINES, -(-len(ok) // PIPELINE_DEPTH)))
            problems = self._send(api, lines, per_body)
            if problems:
                raise SamplesRejectedError("; ".join(problems), bad)
            self._types.learn(new_types)
        if bad:
            raise SamplesRejectedError.from_rejected(bad, self.name)

    @staticmethod
    def _bodies(lines: Iterable[bytes], per_body: int) -> Iterator[bytes]:
        """Join lines into request bodies of ``per_body`` lines and at most MAX_BODY_BYTES."""
        buf: list[bytes] = []
        size = 0
        for line in lines:
            if buf and (len(buf) >= per_body or size + len(line) > MAX_BODY_BYTES):
                yield b"\n".join(buf)
                buf, size = [], 0
            buf.append(line)
            size += len(line) + 1
        if buf:
            yield b"\n".join(buf)

    def _send(self, api: int, lines: Iterable[bytes], per_body: int) -> list[str]:
        """Post the bodies in order, rendering the next one while the last is in flight.

        Rendering (``Point.to_line_protocol``) costs about as much CPU as the server spends
        storing the point, so overlapping the two nearly doubles large writes. One request per
        ``write`` call is in flight at a time, so bodies still arrive in order (a later value of
        the same point wins). Returns the messages of refused bodies (400); raises
        ``SinkUnavailableError`` at the first body that could not be delivered.
        """
        post = self._post_v1 if api == 1 else self._post_v2
        problems: list[str] = []
        in_flight: Future[None] | None = None
        try:
            for body in self._bodies(lines, per_body):
                if in_flight is not None:
                    self._collect(in_flight, problems)
                in_flight = self._poster().submit(post, body)
            if in_flight is not None:
                done, in_flight = in_flight, None
                self._collect(done, problems)
        finally:
            if in_flight is not None:  # rendering failed: do not leave a request behind
                wait([in_flight])
        return problems

    @staticmethod
    def _collect(future: Future[None], problems: list[str]) -> None:
        try:
            future.result()
        except SamplesRejectedError as exc:
            problems.append(str(exc))

    def _poster(self) -> ThreadPoolExecutor:
        if self._executor is None:
            with self._lock:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(max_workers=4,
                                                        thread_name_prefix="influx-post")
        return self._executor

    def _post_v1(self, body: bytes, *, retried: bool = False) -> None:
        query = urllib.parse.urlencode({"db": self.database, "rp": self.raw_rp,
                                           "precision": "u"})
        resp = self._request("POST", f"/write?{query}", "write", body=body)
        if resp.status == 204:
            return
        if resp.status == 404 and not retried and self.manage_schema:
            # the database was dropped (or the server's data dir replaced): set up again
            log.warning("influxdb sink %s: %s; creating it again", self.url,
                        self._error_text(resp))
            with self._lock:
                self._setup_v1()
            self._post_v1(body, retried=True)
            return
        raise self._status_error(resp, "write")

    def _post_v2(self, body: bytes) -> None:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    retries = WritesRetry(total=self.max_retries, retry_interval=0.5,
                                          max_retry_delay=5, max_retry_time=3 * self.timeout_s,
                                          exponential_base=2)
                    self._client = InfluxDBClient(url=self.url, token=self.token or "",
                                                  org=self.org, timeout=int(self.timeout_s * 1000),
                                                  retries=retries)
        write_api = self._client.write_api(write_options=SYNCHRONOUS)
        try:
            write_api.write(bucket=self.bucket, org=self.org, record=body,
                            write_precision=WritePrecision.US)
        except ApiException as exc:
            msg = f"influxdb sink {self.url}: write failed: HTTP {exc.status}: {exc.body or exc.reason}"
            if exc.status in (400, 413, 422):
                raise SamplesRejectedError(msg) from exc
            raise SinkUnavailableError(msg) from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise SinkUnavailableError(f"influxdb sink {self.url}: write failed: {exc}") from exc

    def close(self) -> None:
        """Release the HTTP connections and the posting threads."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        self._http.clear()
        if self._client is not None:
            self._client.close()

    # ---- reads ---------------------------------------------------------------------------

    def _stream(self, q: str, what: str) -> Iterator[tuple[int, dict[str, Any]]]:
        """Run InfluxQL ``q``; yields ``(statement_id, series)`` pieces from a chunked answer.

        A long series arrives in several pieces (same name and tags), in time order.
        """
        self._ensure()
        params = {"q": q, "db": self.bucket if self._api == 2 else self.database,
                  "epoch": "u", "chunked": "true", "chunk_size": "20000"}
        resp = self._request("POST", "/query", what, fields=params, stream=True)
        complete = False
        try:
            if resp.status != 200:
                resp.read()
                complete = True
                raise self._status_error(resp, what)
            pending = b""
            for block in resp.stream(1 << 16):
                pending += block
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    yield from self._pieces(line, what, q)
            complete = True
            if pending.strip():
                yield from self._pieces(pending, what, q)
        except urllib3.exceptions.HTTPError as exc:
            raise _ConnectionError(f"influxdb sink {self.url}: {what} failed: {exc}") from exc
        finally:
            if complete:
                resp.release_conn()
            else:  # abandoned half-way: the connection still carries the rest, drop it
                resp.close()

    def _pieces(self, line: bytes, what: str, q: str) -> Iterator[tuple[int, dict[str, Any]]]:
        if not line.strip():
            return
        doc = json.loads(line)
        if "error" in doc:
            raise SinkError(f"influxdb sink {self.url}: {what} failed: {doc['error']}")
        for result in doc.get("results", []):
            if "error" in result:
                raise SinkError(f"influxdb sink {self.url}: {what} failed: {result['error']} "
                                f"(query: {q[:300]})")
            for series in result.get("series", []):
                yield result.get("statement_id", 0), series

    def _series_of(self, series: dict[str, Any], measurement: str, what: str) -> dict[str, Any]:
        """``series`` if it answers a SELECT on ``measurement``; SinkError otherwise.

        Servers taking the v2 write API without speaking InfluxQL (VictoriaMetrics) answer any
        /query with a canned database list; that must not read as "no data".
        """
        columns = series.get("columns") or []
        if series.get("name") != measurement or not columns or columns[0] != "time":
            raise SinkError(f"influxdb sink {self.url}: {what}: unexpected answer (series "
                            f"{series.get('name')!r}, columns {columns[:4]!r}); does this server "
                            "speak InfluxQL?")
        return series

    def _from(self, measurement: str) -> str:
        if self._ensure() == 1:
            return f"{ident(self.database)}.{ident(self.raw_rp)}.{ident(measurement)}"
        return ident(measurement)

    @staticmethod
    def _time_conditions(start: datetime | None, end: datetime | None) -> list[str]:
        conds = []
        if start is not None:
            conds.append(f"time >= {to_us(start)}u")
        if end is not None:
            conds.append(f"time < {to_us(end)}u")
        return conds

    def _cast(self, measurement: str, key: str, value: Any) -> FieldValue:
        """JSON loses float-ness of whole numbers (1.0 -> 1); restore it from the field type."""
        if isinstance(value, int) and not isinstance(value, bool) and \
                self._types.get(measurement, key) == "float":
            return float(value)
        return value  # type: ignore[no-any-return]

    def _field_type(self, measurement: str, key: str) -> FieldType | None:
        kind = self._types.get(measurement, key)
        if kind is None:
            self._load_types(force=True)
            kind = self._types.get(measurement, key)
        if kind is None and self._types_error:
            raise SinkError(f"influxdb sink {self.url}: cannot read field types: "
                            f"{self._types_error}")
        return kind

    def query(self, measurement: str, *, tags: TagFilter | None = None,
              fields: Sequence[str] | None = None, start: datetime | None = None,
              end: datetime | None = None) -> list[Sample]:
        """See ``Sink.query``."""
        conds = _tag_condition(tags)
        if conds is None:
            return []
        if fields is None:
            select = "*"
        else:
            # select fields only: a name that is a tag key would otherwise come back as a field
            known = [f for f in fields if self._field_type(measurement, f) is not None]
            if not known:
                return []
            select = ", ".join(ident(f) for f in known)
        conds += self._time_conditions(start, end)
        where = f" WHERE {' AND '.join(conds)}" if conds else ""
        q = f"SELECT {select} FROM {self._from(measurement)}{where} GROUP BY *"
        out = []
        for _, piece in self._stream(q, "query"):
            series = self._series_of(piece, measurement, "query")
            tagdict = {k: v for k, v in (series.get("tags") or {}).items() if v != ""}
            columns = series["columns"]
            for row in series.get("values") or []:
                values = {columns[i]: self._cast(measurement, columns[i], v)
                          for i, v in enumerate(row) if i > 0 and v is not None}
                if values:
                    out.append(Sample(measurement, dict(tagdict), values, from_us(row[0])))
        return sort_samples(out)

    def aggregate(self, measurement: str, field: str, fn: AggregateFn, every: timedelta, *,
                  group_by_tags: Sequence[str] = (), tags: TagFilter | None = None,
                  start: datetime, end: datetime) -> list[Series]:
        """See ``Sink.aggregate``; InfluxQL ``GROUP BY time(every)`` with ``fill(null)``."""
        kind = self._field_type(measurement, field)
        check_aggregate(fn, kind, measurement, field)
        if kind is None:
            return []
        width = every_us(every)
        buckets = bucket_starts(to_us(start), to_us(end), width)
        conds = _tag_condition(tags)
        if conds is None:
            return []
        conds += self._time_conditions(start, end)
        group = "".join(f", {ident(k)}" for k in group_by_tags)
        q = (f"SELECT {_FN_SQL[fn].format(f=ident(field))} FROM {self._from(measurement)} "
             f"WHERE {' AND '.join(conds)} GROUP BY time({width}u){group} fill(null)")
        values: dict[tuple[str, ...], dict[int, Any]] = {}
        for _, piece in self._stream(q, "aggregate"):
            series = self._series_of(piece, measurement, "aggregate")
            series_tags = series.get("tags") or {}
            gkey = tuple(series_tags.get(k, "") for k in group_by_tags)
            cells = values.setdefault(gkey, {})
            for t, v in series.get("values") or []:
                if v is not None:
                    cells[t] = v
        result = []
        times = [(b, from_us(b)) for b in buckets]
        for gkey in sorted(values):
            cells = values[gkey]
            if fn != "count" and not cells:
                continue  # InfluxQL returns empty groups too; the contract leaves them out
            points: list[tuple[datetime, FieldValue | None]] = []
            for b, t in times:
                v = cells.get(b)
                if v is None:
                    points.append((t, 0 if fn == "count" else None))
                elif fn == "mean":
                    points.append((t, float(v)))
                elif fn == "count":
                    points.append((t, int(v)))
                else:
                    points.append((t, self._cast(measurement, field, v)))
            if fn == "count" and not any(v for _, v in points):
                continue
            result.append(Series(dict(zip(group_by_tags, gkey, strict=True)), points))
        return result

    def _reachable_counts(self, start_us: int, buckets: range, devices: Sequence[str] | None
                          ) -> dict[str, tuple[list[int], list[int]]]:
        """Count polls per bucket on the server, or fetch them when buckets hold few polls.

        InfluxDB 1.x spends ~15 us per (series, bucket) in ``GROUP BY time()`` but only ~4 us per
        raw point, so for fine buckets (a 30-day report at 5-minute resolution of devices polled
        every 5 minutes: one poll per bucket) fetching ``reachable`` and counting here is several
        times faster. One cheap ``count()`` per device decides.
        """
        conds = _tag_condition({"device": list(devices)} if devices is not None else None)
        if conds is None:
            return {}
        conds += [f"time >= {start_us}u", f"time < {buckets.stop}u"]
        where = " AND ".join(conds)
        source = self._from("poll_status")
        n = len(buckets)
        polls = 0
        devices_seen = 0
        for _, piece in self._stream(f'SELECT count("reachable") FROM {source} WHERE {where} '
                                     'GROUP BY "device"', "availability"):
            series = self._series_of(piece, "poll_status", "availability")
            if (series.get("tags") or {}).get("device"):
                devices_seen += 1
                polls += sum(c for _, c in series.get("values") or [])
        if not polls:
            return {}
        if polls <= 4 * devices_seen * n:
            return self._reachable_fetch(source, where, buckets)
        group = f"GROUP BY time({buckets.step}u), \"device\" fill(none)"
        # InfluxQL has no mean() of booleans: count all polls, then the reachable ones
        q = (f"SELECT count(\"reachable\") FROM {source} WHERE {where} {group}; "
             f"SELECT count(\"reachable\") FROM {source} WHERE {where} AND \"reachable\" = true "
             f"{group}")
        origin, step = buckets.start, buckets.step
        counts: dict[str, tuple[list[int], list[int]]] = {}
        for statement, piece in self._stream(q, "availability"):
            series = self._series_of(piece, "poll_status", "availability")
            device = (series.get("tags") or {}).get("device")
            if not device:
                continue
            pair = counts.get(device)
            if pair is None:
                pair = counts[device] = ([0] * n, [0] * n)
            slots = pair[1 if statement == 0 else 0]
            for t, c in series.get("values") or []:
                slots[(t - origin) // step] += c
        return counts

    def _reachable_fetch(self, source: str, where: str, buckets: range
                         ) -> dict[str, tuple[list[int], list[int]]]:
        n = len(buckets)
        origin, step = buckets.start, buckets.step
        counts: dict[str, tuple[list[int], list[int]]] = {}
        q = f'SELECT "reachable" FROM {source} WHERE {where} GROUP BY "device"'
        for _, piece in self._stream(q, "availability"):
            series = self._series_of(piece, "poll_status", "availability")
            device = (series.get("tags") or {}).get("device")
            if not device:
                continue
            pair = counts.get(device)
            if pair is None:
                pair = counts[device] = ([0] * n, [0] * n)
            ups, totals = pair
            for t, up in series.get("values") or []:
                if up is not None:
                    i = (t - origin) // step
                    totals[i] += 1
                    if up:
                        ups[i] += 1
        return counts
