"""clang-tidy --export-fixes files -> one SARIF 2.1.0 log.

clang-tidy's --export-fixes YAML holds every diagnostic of a run, not only
those with fixes: check name, message, file offset, the notes, and the
replacements of the warning and of each note. In the SARIF log:

- each warning is a result: the check is its rule, its message and location
  are the result's;
- its notes are related locations, in order, with their messages;
- its fix-it is a fix, and each note that carries a fix-it (an alternative,
  applied by clang-tidy --fix-notes) is another fix, described by the note;
- compiler errors are not results but tool execution notifications: the file
  was not analysed.

Columns count Unicode code points (run.columnKind), lines and columns start
at 1, and paths under the source root are relative to %SRCROOT%, as code
scanning services expect.
"""

import json
import os
import pathlib
import re
import urllib.parse

import defer_race_common as common

SCHEMA_URI = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/"
              "schemas/sarif-schema-2.1.0.json")
SRCROOT = "SRCROOT"

OUR_RULES = {
    "defer-race-detached-mutation":
        "A scope-exit guard leaves a detached thread writing an object the "
        "caller can still see.",
    "defer-race-serialize-shared":
        "A serializer reads an object that a detached thread may still be "
        "writing.",
    "defer-race-dangling-capture":
        "A detached thread refers to an automatic variable whose scope ends "
        "while the thread may still run.",
}


class SarifError(Exception):
    """An input that is not clang-tidy --export-fixes YAML."""


def load_fixes_files(paths):
    """The diagnostics of every --export-fixes file (or directory of them)."""
    from defer_race_common import UserError, load_fixes
    files = []
    for path in paths:
        if os.path.isdir(path):
            files += sorted(os.path.join(path, f) for f in os.listdir(path)
                            if f.endswith(".yaml"))
        else:
            files.append(path)
    diagnostics = []
    for path in files:
        # clang-tidy writes none when it has nothing to say.
        try:
            diagnostics += load_fixes(path)
        except UserError as error:
            raise SarifError(str(error))
    return diagnostics


class Sources(common.Sources):
    """Turns (file, byte offset) into SARIF locations and regions."""

    def __init__(self, source_root):
        super().__init__()
        self.root = os.path.abspath(source_root)

    def artifact(self, path):
        path = os.path.abspath(path)
        if path == self.root or path.startswith(self.root + os.sep):
            relative = os.path.relpath(path, self.root).replace(os.sep, "/")
            return {"uri": urllib.parse.quote(relative), "uriBaseId": SRCROOT}
        return {"uri": pathlib.Path(path).as_uri()}

    def region(self, path, offset, length=None):
        start = self.position(path, offset, code_points=True)
        if start is None:
            region = {"byteOffset": offset}
            if length is not None:
                region["byteLength"] = length
            return region
        region = {"startLine": start[0], "startColumn": start[1]}
        if length is not None:
            end = self.position(path, offset + length, code_points=True)
            if end is not None:
                region["endLine"], region["endColumn"] = end
        return region

    def location(self, path, offset, message=None):
        location = {}
        if path:
            location["physicalLocation"] = {
                "artifactLocation": self.artifact(path),
                "region": self.region(path, offset)}
        if message is not None:
            location["message"] = {"text": message}
        return location


def _describe(sources, replacements):
    """A short description of a fix-it made of these replacements."""
    if len(replacements) != 1:
        return "apply %d edits" % len(replacements)
    r = replacements[0]
    old = sources.text(r["path"], r["Offset"], r["Length"]) or ""
    new = r.get("ReplacementText") or ""
    if old and new:
        return "replace '%s' with '%s'" % (old, new)
    if new:
        return "insert '%s'" % new
    return "remove '%s'" % old


def _fix(sources, replacements, build_directory, description=None):
    by_file = {}
    for replacement in replacements:
        replacement = dict(replacement)
        replacement["path"] = common.absolute(replacement.get("FilePath"),
                                        build_directory)
        by_file.setdefault(replacement["path"], []).append(replacement)
    changes = []
    for path, edits in by_file.items():
        sarif_edits = []
        for edit in edits:
            sarif_edit = {"deletedRegion": sources.region(
                path, edit.get("Offset", 0), edit.get("Length", 0))}
            if edit.get("ReplacementText"):
                sarif_edit["insertedContent"] = {
                    "text": edit["ReplacementText"]}
            sarif_edits.append(sarif_edit)
        changes.append({"artifactLocation": sources.artifact(path),
                        "replacements": sarif_edits})
    all_edits = [e for edits in by_file.values() for e in edits]
    return {"description": {"text": description or
                            _describe(sources, all_edits)},
            "artifactChanges": changes}


def rule_name(check):
    """A rule's name: SARIF wants a PascalCase identifier that is not its
    id ("defer-race-detached-mutation" -> "DetachedMutation")."""
    if check.startswith("defer-race-"):
        check = check[len("defer-race-"):]
    return "".join(part[:1].upper() + part[1:]
                   for part in re.split(r"[^A-Za-z0-9]+", check) if part)


def _rule(check):
    rule = {"id": check, "name": rule_name(check),
            "defaultConfiguration": {"level": "warning"}}
    if check in OUR_RULES:
        rule["shortDescription"] = {"text": OUR_RULES[check]}
        rule["help"] = {"text": "See docs/checks/%s.md in defer-race." %
                        check[len("defer-race-"):]}
    elif not check.startswith("clang-diagnostic-"):
        module, _, name = check.partition("-")
        if check.startswith("clang-analyzer-"):
            module, name = "clang-analyzer", check[len("clang-analyzer-"):]
        rule["helpUri"] = ("https://clang.llvm.org/extra/clang-tidy/checks/"
                           "%s/%s.html" % (module, name))
    return rule


LEVELS = {"Warning": "warning", "Error": "error", "Remark": "note"}


def sarif_from_diagnostics(diagnostics, source_root=".", tool=None,
                           failed_files=()):
    """clang-tidy's exported diagnostics -> a SARIF log (a dict)."""
    sources = Sources(source_root)
    rules, rule_index, results, notifications = [], {}, [], []
    seen, broken = set(), set()

    def order(diag):
        main = diag.get("DiagnosticMessage") or {}
        return (main.get("FilePath") or "", main.get("FileOffset") or 0,
                diag.get("DiagnosticName") or "")
    # The same log for the same findings, whichever file finished first.
    for diag in sorted(diagnostics, key=order):
        check = diag.get("DiagnosticName") or "clang-tidy"
        main = diag.get("DiagnosticMessage") or {}
        build_directory = diag.get("BuildDirectory")
        path = common.absolute(main.get("FilePath"), build_directory)
        offset = main.get("FileOffset", 0)
        key = (check, path, offset, main.get("Message"))
        if key in seen:
            continue  # a header's finding, reported by every includer
        seen.add(key)
        level = LEVELS.get(diag.get("Level"), "warning")
        location = sources.location(path, offset)
        if check == "clang-diagnostic-error":
            broken.add(os.path.abspath(path) if path else None)
            notification = {"level": "error",
                            "message": {"text": main.get("Message", "")}}
            if location:
                notification["locations"] = [location]
            notifications.append(notification)
            continue
        if check not in rule_index:
            rule_index[check] = len(rules)
            rules.append(_rule(check))
        result = {"ruleId": check, "ruleIndex": rule_index[check],
                  "level": level, "message": {"text": main.get("Message", "")}}
        if location:
            result["locations"] = [location]
        notes = diag.get("Notes") or []
        related = []
        for note in notes:
            note_path = common.absolute(note.get("FilePath"), build_directory)
            entry = sources.location(note_path, note.get("FileOffset", 0),
                                     note.get("Message", ""))
            entry["id"] = len(related)
            related.append(entry)
        if related:
            result["relatedLocations"] = related
        fixes = []
        if main.get("Replacements"):
            fixes.append(_fix(sources, main["Replacements"], build_directory))
        for note in notes:
            if note.get("Replacements"):
                fixes.append(_fix(sources, note["Replacements"],
                                  build_directory, note.get("Message")))
        if fixes:
            result["fixes"] = fixes
        results.append(result)

    driver = {"name": "defer-race",
              "fullName": "clang-tidy with the defer-race checks",
              "informationUri": "https://clang.llvm.org/extra/clang-tidy/",
              "rules": rules}
    # defer-race's own version: the one the clang-tidy reports, else the
    # scripts' own. The LLVM of the clang-tidy that ran it is a property.
    version = (tool.defer_race_version if tool is not None else None) or \
        common.own_version()
    if version:
        driver["version"] = version
        driver["semanticVersion"] = version
    if tool is not None and tool.version:
        driver["properties"] = {"llvmVersion": tool.version}
    for path in failed_files:
        # Files that failed without a compiler error to say why.
        if os.path.abspath(path) not in broken:
            notifications.append({
                "level": "error",
                "message": {"text": "clang-tidy could not analyse this file"},
                "locations": [{"physicalLocation": {
                    "artifactLocation": sources.artifact(path)}}]})
    invocation = {"executionSuccessful": not notifications}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run = {"tool": {"driver": driver},
           "invocations": [invocation],
           "originalUriBaseIds": {SRCROOT: {
               "uri": pathlib.Path(sources.root).as_uri().rstrip("/") + "/"}},
           "columnKind": "unicodeCodePoints",
           "results": results}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def sarif_from_fixes_files(paths, **kwargs):
    return sarif_from_diagnostics(load_fixes_files(paths), **kwargs)


def write(log, path):
    text = json.dumps(log, indent=2, ensure_ascii=False) + "\n"
    if path == "-":
        import sys
        sys.stdout.write(text)
        return
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
