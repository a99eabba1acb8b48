#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Validate YAML files against a JSON Schema with an independent validator
# (python3-jsonschema), reading YAML as YAML 1.2's core schema does (as VS
# Code's YAML extension does, and crmf: dates and yes/no stay text).
#   validate_schema.py SCHEMA.json FILE.yaml...   prints "FILE: valid" or "FILE: INVALID path: message"
import json
import sys

import jsonschema
import yaml

schema = json.load(open(sys.argv[1], encoding="utf-8"))
jsonschema.Draft7Validator.check_schema(schema)
validator = jsonschema.Draft7Validator(schema)


class Loader(yaml.SafeLoader):
    pass


Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Loader.add_implicit_resolver("tag:yaml.org,2002:bool", __import__("re").compile(r"^(?:true|false)$"), list("tf"))

for path in sys.argv[2:]:
    with open(path, encoding="utf-8-sig") as f:
        doc = yaml.load(f, Loader=Loader)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.path)))
    if not errors:
        print(f"{path}: valid")
    for e in errors:
        print(f"{path}: INVALID {'/'.join(map(str, e.path))}: {e.message[:100]}")
