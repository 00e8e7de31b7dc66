#!/usr/bin/env python3
"""Validates a SARIF log against the official SARIF 2.1.0 JSON schema with
python3-jsonschema, then prints what it says, one fact per line, sorted, for
FileCheck.

  sarif_check.py --schema sarif-schema-2.1.0.json LOG.sarif

Exits with 1 when the log is not valid, after listing every violation.
"""

import argparse
import json
import sys

import jsonschema


def where(location):
    physical = location.get("physicalLocation")
    if not physical:
        return "(no location)"
    artifact = physical["artifactLocation"]
    uri = ("%" + artifact["uriBaseId"] + "%/" if "uriBaseId" in artifact
           else "") + artifact["uri"]
    region = physical.get("region", {})
    if "startLine" in region:
        return "%s:%d:%d" % (uri, region["startLine"], region["startColumn"])
    return uri


def span(region):
    return "%d:%d-%d:%d" % (region["startLine"], region["startColumn"],
                            region["endLine"], region["endColumn"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schema", required=True)
    parser.add_argument("log")
    args = parser.parse_args()
    try:
        with open(args.schema) as f:
            schema = json.load(f)
    except FileNotFoundError:
        sys.stderr.write("sarif_check.py: no SARIF 2.1.0 schema at %s; it is "
                         "vendored in test/integrations/Inputs/\n"
                         % args.schema)
        return 2
    with open(args.log) as f:
        log = json.load(f)

    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(
        schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(log),
                    key=lambda e: list(e.absolute_path))
    if errors:
        print("not valid against the SARIF 2.1.0 schema (%s):" %
              validator_class.__name__)
        for error in errors:
            print("  at /%s: %s" % ("/".join(str(p) for p in
                                             error.absolute_path),
                                    error.message))
        return 1
    print("valid against the SARIF 2.1.0 schema (%s)" %
          validator_class.__name__)

    print("version %s" % log["version"])
    for run in log["runs"]:
        driver = run["tool"]["driver"]
        print("tool %s, rules %s" % (driver["name"], " ".join(
            r["id"] for r in driver.get("rules", []))))
        print("tool version %s, semantic %s, LLVM %s" % (
            driver.get("version"), driver.get("semanticVersion"),
            driver.get("properties", {}).get("llvmVersion")))
        print("rule names %s" % " ".join(
            r.get("name", "(none)") for r in driver.get("rules", [])))
        print("columns %s, %%SRCROOT%% = %s" % (
            run.get("columnKind"),
            run.get("originalUriBaseIds", {}).get("SRCROOT", {}).get("uri")))
        lines = []
        for result in run.get("results", []):
            rule = driver["rules"][result["ruleIndex"]]["id"]
            assert rule == result["ruleId"], (rule, result["ruleId"])
            text = ["result %s %s %s: %s" % (
                where(result["locations"][0]), result["level"],
                result["ruleId"], result["message"]["text"])]
            for related in result.get("relatedLocations", []):
                text.append("  related %d %s: %s" % (
                    related["id"], where(related), related["message"]["text"]))
            for fix in result.get("fixes", []):
                text.append("  fix: %s" % fix["description"]["text"])
                for change in fix["artifactChanges"]:
                    for edit in change["replacements"]:
                        text.append("    %s %s -> '%s'" % (
                            change["artifactLocation"]["uri"],
                            span(edit["deletedRegion"]),
                            edit.get("insertedContent", {}).get("text", "")))
            lines.append("\n".join(text))
        for line in sorted(lines):
            print(line)
        for invocation in run.get("invocations", []):
            print("execution successful: %s" %
                  str(invocation["executionSuccessful"]).lower())
            for note in invocation.get("toolExecutionNotifications", []):
                print("notification %s %s: %s" % (
                    note["level"], where(note["locations"][0]),
                    note["message"]["text"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
