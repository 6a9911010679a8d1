#!/usr/bin/env python3
"""Which packages a target of this package pulls in, through its targets and products.

    dependency-closure.py TARGET --forbid PACKAGE...   fails if any PACKAGE is in the closure
    dependency-closure.py TARGET --require PACKAGE...  fails unless every PACKAGE is in it

Reads the manifest (`swift package dump-package`) for the target graph and the package each
product comes from, then the resolved package graph (`swift package show-dependencies`) for
what those packages depend on in turn. A package is in the closure if a product of it, or of
a package it depends on, can be linked into the target: a conservative answer, since a package
brings all its dependencies to the resolver whichever of its products is used.
"""
import argparse
import json
import subprocess
import sys


def swift_json(*arguments):
    output = subprocess.run(["swift", "package", *arguments], check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def package_closure(target, manifest, graph):
    targets = {t["name"]: t for t in manifest["targets"]}
    seen_targets, packages, stack = set(), set(), [target]
    while stack:
        name = stack.pop()
        if name in seen_targets:
            continue
        seen_targets.add(name)
        for dependency in targets[name].get("dependencies", []):
            kind, value = next(iter(dependency.items()))
            if kind == "product":
                packages.add(value[1].lower())
            elif value[0] in targets:
                stack.append(value[0])
            else:
                sys.exit(f"{name}: cannot tell which package provides '{value[0]}'; name it with .product(name:package:)")
    children = {}

    def index(node):
        children.setdefault(node["identity"].lower(), set()).update(c["identity"].lower() for c in node["dependencies"])
        for child in node["dependencies"]:
            index(child)

    index(graph)
    stack = list(packages)
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in packages:
                packages.add(child)
                stack.append(child)
    return seen_targets, packages


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("target")
    parser.add_argument("--forbid", nargs="*", default=[])
    parser.add_argument("--require", nargs="*", default=[])
    options = parser.parse_args()
    manifest = swift_json("dump-package")
    if options.target not in {t["name"] for t in manifest["targets"]}:
        sys.exit(f"no target named '{options.target}' in Package.swift")
    targets, packages = package_closure(options.target, manifest, swift_json("show-dependencies", "--format", "json"))
    print(f"{options.target}: targets {', '.join(sorted(targets))}; packages {', '.join(sorted(packages)) or 'none'}")
    forbidden = sorted(p for p in options.forbid if p.lower() in packages)
    missing = sorted(p for p in options.require if p.lower() not in packages)
    for package in forbidden:
        print(f"{options.target} depends on package '{package}', which it must not", file=sys.stderr)
    for package in missing:
        print(f"{options.target} was expected to depend on package '{package}' and does not", file=sys.stderr)
    sys.exit(1 if forbidden or missing else 0)


if __name__ == "__main__":
    main()
