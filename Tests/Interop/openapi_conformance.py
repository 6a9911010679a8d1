"""Checks docs/openapi.yaml is a valid OpenAPI 3.1 document and that real responses of a
running gateway match it: the operation exists, the status is documented, the media type is
the documented one, and the body validates against the documented schema.

Requests are held to the document too: a request whose query parameters or body the document
does not admit must have been refused with 400 (or 413/415 for a body), and a method a
documented path does not take must have been answered 405 with `Allow` naming exactly the
methods the document gives that path.

Request: {"spec": "docs/openapi.yaml", "exchanges": [{"method", "path", "status", "content_type", "body",
          optional "allow" (the Allow header), optional "request_body"}]}
Answer:  {"checked": N, "failures": ["..."]}
"""
import json
import re
from urllib.parse import parse_qsl, urlsplit

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


HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]


def path_item(spec, path):
    for template, item in spec["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path.split("?")[0]):
            return template, item
    return None, None


def operation(spec, method, path):
    template, item = path_item(spec, path)
    if item is not None and method.lower() in item:
        return template, item[method.lower()]
    return None, None


def allowed_methods(item):
    methods = {m.upper() for m in HTTP_METHODS if m in item}
    if "GET" in methods:
        methods.add("HEAD")
    return methods


def query_problems(op, path, spec):
    """Why the request's query is not one the operation admits (empty when it is)."""
    problems = []
    query = dict(parse_qsl(urlsplit(path).query, keep_blank_values=True))
    for parameter in op.get("parameters", []):
        parameter = resolve(parameter, spec)
        if parameter.get("in") != "query" or parameter["name"] not in query:
            continue
        text = query[parameter["name"]]
        schema = resolve(parameter.get("schema", {}), spec)
        value = text
        if schema.get("type") == "integer":
            if not re.fullmatch(r"-?[0-9]+", text):
                problems.append(f"{parameter['name']}={text!r} is not an integer")
                continue
            value = int(text)
        validator = Draft202012Validator({**schema, "components": spec["components"]})
        problems += [f"{parameter['name']}={text!r}: {error.message}" for error in validator.iter_errors(value)]
    return problems


def body_problems(op, exchange, spec):
    if "request_body" not in exchange or "requestBody" not in op:
        return []
    content = resolve(op["requestBody"], spec).get("content", {})
    problems = []
    for media in content.values():
        schema = resolve(media.get("schema", {}), spec)
        validator = Draft202012Validator({**schema, "components": spec["components"]})
        problems += [f"body: {error.message[:80]}" for error in validator.iter_errors(exchange["request_body"])]
    return problems


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
            template, item = path_item(spec, exchange["path"])
            if item is None:
                failures.append(f"{where}: no such operation in the spec")
                continue
            allowed = allowed_methods(item)
            given = {m.strip().upper() for m in (exchange.get("allow") or "").split(",") if m.strip()}
            if exchange["status"] != 405:
                failures.append(f"{where}: {template} does not take {exchange['method']}; expected 405")
            elif given != allowed:
                failures.append(f"{where}: Allow is {sorted(given)}, the spec gives {sorted(allowed)}")
            continue
        refused = query_problems(op, exchange["path"], spec) + body_problems(op, exchange, spec)
        if refused and exchange["status"] not in (400, 413, 415):
            failures.append(f"{where}: the request is outside the spec ({'; '.join(refused)}) but was not refused")
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
