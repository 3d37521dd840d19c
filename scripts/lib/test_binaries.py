#!/usr/bin/env python3
"""Reads the JSON messages of `cargo test --no-run --message-format=json-render-diagnostics`
on stdin and writes, for every integration-test executable built, one line:
`<package> <test target> <path>`. scripts/test runs the keychain tests from these paths,
so they need no second cargo invocation (which would resolve features for other targets
and recompile part of the workspace)."""
import json
import sys

for line in sys.stdin:
    try:
        message = json.loads(line)
    except ValueError:
        continue
    if message.get("reason") != "compiler-artifact" or not message.get("executable"):
        continue
    target = message.get("target", {})
    if "test" not in target.get("kind", []):
        continue
    # `path+file:///…/dir#name@version`, or `…/name#version` when the directory is named
    # after the package.
    location, _, fragment = message["package_id"].partition("#")
    package = fragment.split("@")[0] if "@" in fragment else location.rstrip("/").split("/")[-1]
    print(f"{package} {target['name']} {message['executable']}")
