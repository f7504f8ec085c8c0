#!/usr/bin/env python3
"""Request-parity oracle: records the exact requests google-api-python-client
builds for a corpus of calls, offline, so gapi's runtime can be compared
against a client nobody here wrote.

For each chosen method it picks argument values (path parameters that match
the method's `pattern`, optional query parameters of every type, a JSON body),
asks the Python client to build the request (nothing is sent: the client's
HttpRequest is inspected before execution), and writes inputs and outputs to
a JSON file that codegen/tests/parity.rs replays through gapi. For a few
APIs it also records the batch request (`BatchHttpRequest`) carrying several
of those calls, in `batches.json` next to OUT.json.

Usage: record.py DOC_DIR OUT.json
"""
import json
import keyword
import re
import sys
from pathlib import Path

from googleapiclient.discovery import build_from_document, key2param
import base64

from googleapiclient.http import HttpMock, MediaInMemoryUpload

# (document stem, how many methods to take at most)
APIS = [
    ("drive.v3", 40), ("bigquery.v2", 30), ("oauth2.v2", 5), ("generativelanguage.v1beta", 30),
    ("gmail.v1", 20), ("storage.v1", 20), ("compute.v1", 20), ("youtube.v3", 15),
    ("calendar.v3", 15), ("sheets.v4", 10), ("pubsub.v1", 15), ("aiplatform.v1", 12),
    ("discoveryengine.v1", 12), ("dialogflow.v3", 10), ("healthcare.v1", 10),
    ("walletobjects.v1", 10), ("translate.v2", 5), ("cloudresourcemanager.v3", 10),
    ("iam.v1", 10), ("secretmanager.v1", 10), ("run.v2", 10), ("container.v1", 10),
    ("admin.directory_v1", 10), ("people.v1", 10), ("tasks.v1", 8), ("firestore.v1", 10),
]

# Methods recorded whatever the limit: uploads users rely on.
ALWAYS = {"generativelanguage.media.upload", "drive.files.create", "drive.files.update"}

# Tokens for path segments: unreserved punctuation plus characters that need
# percent-encoding but are not reserved (so Python's non-conformance with
# fullyEncodeReservedExpansion does not show; that case is tested separately).
SEGMENT = "p-1_x~y z"
# Global parameters the runtime manages itself (format, auth, upload protocol).
PROTOCOL = {"alt", "prettyPrint", "uploadType", "upload_protocol", "key", "access_token", "oauth_token", "callback"}
SIMPLE_VALUE = "a/b c+d&e"


def path_value(name, schema, reserved):
    if schema.get("type") != "string" or schema.get("enum") or schema.get("format"):
        return str(query_value(schema, 0)).lower()
    pattern = schema.get("pattern")
    if not pattern:
        return SIMPLE_VALUE if not reserved else "folder/" + SEGMENT
    body = pattern.lstrip("^").rstrip("$")
    value = body.replace("[^/]+", SEGMENT).replace("[^/]*", SEGMENT).replace(".*", "x").replace(".+", "x")
    value = value.replace("\\", "")
    if re.match(pattern, value) and not re.search(r"[\[\]()?*+{}|^$]", value.replace(SEGMENT, "")):
        return value
    return None


def query_value(schema, index):
    if schema.get("enum"):
        values = [v for v in schema["enum"] if "UNSPECIFIED" not in v.upper()] or schema["enum"]
        return values[index % len(values)]
    t = schema.get("type")
    if t == "integer":
        return 7 + index
    if t == "number":
        return 2.5
    if t == "boolean":
        return True
    fmt = schema.get("format")
    if fmt in ("int64", "uint64"):
        return str(42 + index)
    if fmt in ("google-datetime", "date-time"):
        return "2024-05-01T12:34:56Z"
    return "v a&l=" + str(index) + "/é"


def walk(resources, path):
    for rname, res in sorted(resources.items()):
        for mname, m in sorted(res.get("methods", {}).items()):
            yield path + [rname], mname, m
        yield from walk(res.get("resources", {}), path + [rname])


def python_attr(obj, name):
    for candidate in (name, name + "_", key2param(name), key2param(name) + "_"):
        if hasattr(obj, candidate):
            return getattr(obj, candidate)
    raise AttributeError(name)


class _Captured(Exception):
    pass


class CaptureHttp:
    """An http object that records the one request it is given and sends nothing."""

    def __init__(self):
        self.sent = None

    def request(self, uri, method="GET", body=None, headers=None, **kwargs):
        self.sent = {"uri": uri, "method": method, "body": body, "headers": dict(headers or {})}
        raise _Captured()


# APIs whose batch body is recorded, and how many calls each batch holds.
BATCH_APIS = {"drive.v3": 6, "gmail.v1": 5, "storage.v1": 5, "calendar.v3": 5, "bigquery.v2": 5,
              "youtube.v3": 4}


def record_batch(service, stem, calls):
    """The batch request the Python client sends for `calls` (corpus index, HttpRequest)."""
    batch = service.new_batch_http_request()
    for _, request in calls:
        batch.add(request)
    http = CaptureHttp()
    try:
        batch.execute(http=http)
    except _Captured:
        pass
    sent = http.sent
    return {
        "doc": stem,
        "calls": [index for index, _ in calls],
        "expected": {
            "uri": sent["uri"],
            "method": sent["method"],
            "content_type": sent["headers"].get("content-type"),
            "body": sent["body"],
        },
    }


def record(doc_dir, out):
    corpus = []
    batches = []
    for stem, limit in APIS:
        doc_path = Path(doc_dir) / f"{stem}.json"
        doc = json.loads(doc_path.read_text())
        # The Python client fails on a `$ref` to an undefined schema (Gemini's
        # MediaResolution) while writing docstrings; give its copy a stub.
        for ref in set(re.findall(r'"\$ref": "([^"]+)"', doc_path.read_text())):
            doc.setdefault("schemas", {}).setdefault(ref, {"id": ref, "type": "object"})
        service = build_from_document(doc, http=HttpMock())
        methods = [(p, n, m) for p, n, m in walk(doc.get("resources", {}), [])]
        for name, m in sorted(doc.get("methods", {}).items()):
            methods.append(([], name, m))
        taken = 0
        batchable = []
        for index, (res_path, mname, m) in enumerate(methods):
            if taken >= limit and m["id"] not in ALWAYS:
                continue
            params = m.get("parameters", {})
            kwargs, path_params, query = {}, {}, []
            ok = True
            for pname, p in sorted(params.items()):
                if p.get("location") == "path":
                    reserved = "{+" + pname + "}" in m["path"]
                    value = path_value(pname, p, reserved)
                    if value is None:
                        ok = False
                        break
                    kwargs[key2param(pname)] = value
                    path_params[pname] = value
                elif p.get("required"):
                    value = query_value(p, index)
                    kwargs[key2param(pname)] = [value] if p.get("repeated") else value
                    query.append([pname, value, bool(p.get("repeated"))])
            if not ok:
                continue
            # Optional query parameters: every third one, of every type.
            optional = [(n, p) for n, p in sorted(params.items())
                        if p.get("location") == "query" and not p.get("required") and n not in PROTOCOL]
            for k, (pname, p) in enumerate(optional):
                if (k + index) % 3:
                    continue
                value = query_value(p, k)
                if p.get("repeated"):
                    value = [value, "second value"] if not p.get("enum") else [value]
                    kwargs[key2param(pname)] = value
                else:
                    kwargs[key2param(pname)] = value
                query.append([pname, value, bool(p.get("repeated"))])
            body = None
            if "request" in m:
                body = {"name": "n 1", "displayName": "Δ", "labels": {"k": "v"}, "count": "12"}
                kwargs["body"] = body
            target = service
            for r in res_path:
                target = python_attr(target, r)()
            try:
                request = python_attr(target, mname)(**kwargs)
            except (TypeError, AttributeError, ValueError) as e:
                print(f"skip {m['id']}: {e}", file=sys.stderr)
                continue
            entry = {
                "doc": stem,
                "id": m["id"],
                "resources": res_path,
                "method_name": mname,
                "path_params": path_params,
                "query": [[n, v if not isinstance(v, bool) else ("true" if v else "false"), r] for n, v, r in query],
                "body": body,
                "expected": {
                    "method": request.method,
                    "uri": request.uri,
                    "body": request.body if isinstance(request.body, str) or request.body is None
                    else request.body.decode(),
                    "api_version": request.headers.get("x-goog-api-version"),
                    "accept": request.headers.get("accept"),
                },
            }
            corpus.append(entry)
            taken += 1
            if stem in BATCH_APIS and len(batchable) < BATCH_APIS[stem]:
                batchable.append((len(corpus) - 1, request))
            if m.get("supportsMediaUpload") and "simple" in m.get("mediaUpload", {}).get("protocols", {}):
                media = b"hello media \x00\xff\n"
                for with_body in (True, False):
                    if not with_body:
                        kwargs.pop("body", None)
                    try:
                        upload = python_attr(target, mname)(
                            media_body=MediaInMemoryUpload(media, mimetype="text/plain", resumable=False), **kwargs)
                    except (TypeError, AttributeError, ValueError) as e:
                        print(f"skip media {m['id']}: {e}", file=sys.stderr)
                        continue
                    raw = upload.body if isinstance(upload.body, bytes) else upload.body.encode("latin-1")
                    corpus.append(dict(entry, body=body if with_body else None, media={
                        "data_b64": base64.b64encode(media).decode(), "mime": "text/plain"},
                        expected={"method": upload.method, "uri": upload.uri, "body": None,
                                  "body_b64": base64.b64encode(raw).decode(),
                                  "content_type": upload.headers.get("content-type"),
                                  "api_version": upload.headers.get("x-goog-api-version"),
                                  "accept": upload.headers.get("accept")}))
        if batchable:
            batches.append(record_batch(service, stem, batchable))
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(corpus, indent=1, ensure_ascii=False))
    # The batch bodies go beside the corpus: `batches.json`.
    Path(out).with_name("batches.json").write_text(json.dumps(batches, indent=1, ensure_ascii=False))
    apis = len({c["doc"] for c in corpus})
    print(f"recorded {len(corpus)} calls over {apis} APIs, and {len(batches)} batch requests")


if __name__ == "__main__":
    record(sys.argv[1], sys.argv[2])
