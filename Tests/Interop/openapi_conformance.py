"""Checks docs/openapi.yaml is a valid OpenAPI 3.1 document and that real responses of a
running gateway match it: the operation exists, the status is documented, the media type is
the documented one, and the body validates against the documented schema.

Request: {"spec": "docs/openapi.yaml", "exchanges": [{"method", "path", "status", "content_type", "body"}]}
Answer:  {"checked": N, "failures": ["..."]}
"""
import json
import re

import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from sdjwt_common import read_request, write_answer


def resolve(node, spec):
    while isinstance(node, dict) and "$ref" in node:
        target = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def operation(spec, method, path):
    for template, item in spec["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path.split("?")[0]) and method.lower() in item:
            return template, item[method.lower()]
    return None, None


def main():
    request = read_request()
    with open(request["spec"], encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    validate(spec)
    failures = []
    for exchange in request["exchanges"]:
        where = f'{exchange["method"]} {exchange["path"]} -> {exchange["status"]}'
        template, op = operation(spec, exchange["method"], exchange["path"])
        if op is None:
            failures.append(f"{where}: no such operation in the spec")
            continue
        response = resolve(op["responses"].get(str(exchange["status"])), spec)
        if response is None:
            failures.append(f"{where}: status not documented for {template}")
            continue
        media = exchange["content_type"].split(";")[0].strip()
        content = response.get("content", {})
        if media not in content:
            failures.append(f"{where}: media type {media!r} not documented ({', '.join(content)})")
            continue
        schema = resolve(content[media].get("schema", {}), spec)
        body = json.loads(exchange["body"]) if media.endswith("json") else exchange["body"]
        # Resolve component references inside the schema against the whole document.
        validator = Draft202012Validator({**schema, "components": spec["components"]})
        for error in validator.iter_errors(body):
            failures.append(f"{where}: {error.message} at {list(error.absolute_path)}")
    write_answer({"checked": len(request["exchanges"]), "failures": failures})


if __name__ == "__main__":
    main()
