#!/usr/bin/env python3
"""Drives a clangd binary through one LSP session over stdio, the way an
editor does, and prints what the editor would show, for FileCheck.

  lsp_session.py --clangd BIN --workspace DIR --source FILE --clangxx CXX
                 [--config clang-tidy|clangd] [--code-action-for CHECK]
                 [--transcript FILE] [--prepare-only]

The session:
  1. writes DIR/compile_commands.json for a copy of FILE in DIR, and the
     configuration that enables the defer-race checks: a .clang-tidy file, or
     a .clangd file (Diagnostics: ClangTidy: Add:);
  2. initialize / initialized, announcing support for related information
     and for quick-fix code actions;
  3. textDocument/didOpen on the copy;
  4. waits for textDocument/publishDiagnostics on it;
  5. textDocument/codeAction on each diagnostic of --code-action-for, and
     applies the returned edit to the file's text;
  6. shutdown / exit, and waits for the server to end.

It prints, with 1-based lines and columns, and after each location the text
of its source line (so that a test can say which line it means without
depending on line numbers):
  diagnostic <check> <line>:<col>-<line>:<col> "<text>" <severity>: <message>
    at: <source line>
    related <file>:<line>:<col>: <message>
      at: <source line>
  code-action <kind> [preferred] "<title>" for <check>
    edit <line>:<col>-<line>:<col> "<old text>" -> "<new text>"
    fixed <line>: <line text after the edit>
  exit <status>

With --prepare-only it only writes the workspace (step 1), for tests that run
clangd without LSP (clangd --check).

It fails (status 1, reason on stderr) when the server does not answer in
time, crashes, writes a crash report ("double free", "Stack dump") to its
stderr, or ends with a non-zero status. The expectations on diagnostics and
fixes are the FileCheck lines of the test that runs it.

Python's standard library only.
"""

import argparse
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time

SEVERITIES = {1: "error", 2: "warning", 3: "information", 4: "hint"}
# What glibc, LLVM's signal handlers and libstdc++ print when a process dies.
CRASH_SIGNS = ("double free or corruption", "free(): ", "malloc(): ",
               "corrupted size", "Stack dump:", "PLEASE submit a bug report",
               "Segmentation fault", "Assertion `", "terminate called")


class SessionError(Exception):
    pass


class Server:
    """A clangd child process and the JSON-RPC framing around its stdio."""

    def __init__(self, argv, env, stderr_path, transcript):
        self.stderr_file = open(stderr_path, "wb")
        self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=self.stderr_file)
        self.transcript = transcript
        self.next_id = 0
        self.incoming = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _log(self, direction, message):
        if self.transcript:
            self.transcript.write("%s %s\n" % (direction, json.dumps(
                message, sort_keys=True)))
            self.transcript.flush()

    def _read(self):
        stream = self.proc.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.incoming.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if length is None:
                continue
            body = stream.read(length)
            if len(body) < length:
                self.incoming.put(None)
                return
            self.incoming.put(json.loads(body))

    def send(self, message):
        message = dict(message, jsonrpc="2.0")
        self._log("-->", message)
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body))
        self.proc.stdin.write(body)
        self.proc.stdin.flush()

    def notify(self, method, params):
        self.send({"method": method, "params": params})

    def request(self, method, params):
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.next_id

    def receive(self, deadline):
        """The next message from the server; answers the server's own
        requests (progress tokens, configuration) so that it never waits."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise SessionError("timed out waiting for the server")
            try:
                message = self.incoming.get(timeout=left)
            except queue.Empty:
                raise SessionError("timed out waiting for the server")
            if message is None:
                raise SessionError("the server closed its output (status %s)"
                                   % self.proc.poll())
            self._log("<--", message)
            if "method" in message and "id" in message:
                self.send({"id": message["id"], "result": None})
                continue
            return message

    def wait_for_response(self, request_id, deadline):
        while True:
            message = self.receive(deadline)
            if message.get("id") == request_id and "method" not in message:
                if "error" in message:
                    raise SessionError("request %d failed: %s" %
                                       (request_id, message["error"]))
                return message.get("result")


def file_uri(path):
    return "file://" + os.path.abspath(path)


def uri_path(uri):
    return uri[len("file://"):] if uri.startswith("file://") else uri


def position(pos):
    return "%d:%d" % (pos["line"] + 1, pos["character"] + 1)


def span(range_):
    return "%s-%s" % (position(range_["start"]), position(range_["end"]))


def offset(lines, pos):
    """Offset of an LSP position in the text split into `lines` (ASCII text,
    so UTF-16 code units are characters)."""
    return sum(len(line) for line in lines[:pos["line"]]) + pos["character"]


def prepare_workspace(args):
    os.makedirs(args.workspace, exist_ok=True)
    source = os.path.join(args.workspace, os.path.basename(args.source))
    shutil.copyfile(args.source, source)
    database = [{
        "directory": args.workspace,
        "file": source,
        "arguments": [args.clangxx, "-std=c++17", "-c", source],
    }]
    with open(os.path.join(args.workspace, "compile_commands.json"), "w") as f:
        json.dump(database, f, indent=2)
    for name in (".clang-tidy", ".clangd"):
        stale = os.path.join(args.workspace, name)
        if os.path.exists(stale):
            os.remove(stale)
    if args.config == "clang-tidy":
        with open(os.path.join(args.workspace, ".clang-tidy"), "w") as f:
            f.write("Checks: '-*,defer-race-*'\n")
    else:
        # The .clang-tidy file enables no check (and hides those of the
        # directories above); the .clangd file adds the defer-race checks.
        with open(os.path.join(args.workspace, ".clangd"), "w") as f:
            f.write("Diagnostics:\n"
                    "  ClangTidy:\n"
                    "    Add: ['defer-race-*']\n")
        with open(os.path.join(args.workspace, ".clang-tidy"), "w") as f:
            f.write("Checks: '-*'\n")
    return source


class SourceLines:
    """Lines of the files that diagnostics point into, read once."""

    def __init__(self):
        self.files = {}

    def line(self, uri, number):
        path = uri_path(uri)
        if path not in self.files:
            try:
                with open(path, errors="replace") as f:
                    self.files[path] = f.read().splitlines()
            except OSError:
                self.files[path] = []
        lines = self.files[path]
        return lines[number].strip() if number < len(lines) else "?"


def range_text(lines, range_):
    start, end = range_["start"], range_["end"]
    if start["line"] != end["line"] or start["line"] >= len(lines):
        return "..."
    return lines[start["line"]][start["character"]:end["character"]]


def print_diagnostic(diag, uri, text, sources):
    print("diagnostic %s %s \"%s\" %s: %s" % (
        diag.get("code", "-"), span(diag["range"]),
        range_text(text.splitlines(), diag["range"]),
        SEVERITIES.get(diag.get("severity"), "?"),
        diag["message"].replace("\n", "\\n")))
    print("  at: %s" % sources.line(uri, diag["range"]["start"]["line"]))
    for info in diag.get("relatedInformation", []):
        location = info["location"]
        print("  related %s:%s: %s" % (
            os.path.basename(uri_path(location["uri"])),
            position(location["range"]["start"]),
            info["message"].replace("\n", "\\n")))
        print("    at: %s" % sources.line(
            location["uri"], location["range"]["start"]["line"]))


def edits_of(action, uri):
    edit = action.get("edit", {})
    edits = list(edit.get("changes", {}).get(uri, []))
    for change in edit.get("documentChanges", []):
        if change.get("textDocument", {}).get("uri") == uri:
            edits.extend(change.get("edits", []))
    return edits


def print_action(action, check, uri, text):
    print("code-action %s%s \"%s\" for %s" % (
        action.get("kind", "-"), " preferred" if action.get("isPreferred")
        else "", action.get("title", ""), check))
    lines = text.splitlines(keepends=True)
    edits = edits_of(action, uri)
    # Apply from the end so earlier offsets stay valid.
    edits.sort(key=lambda e: offset(lines, e["range"]["start"]),
               reverse=True)
    fixed = text
    touched = set()
    for edit in edits:
        start = offset(lines, edit["range"]["start"])
        end = offset(lines, edit["range"]["end"])
        print("  edit %s \"%s\" -> \"%s\"" % (
            span(edit["range"]), text[start:end], edit["newText"]))
        fixed = fixed[:start] + edit["newText"] + fixed[end:]
        touched.add(edit["range"]["start"]["line"])
    fixed_lines = fixed.splitlines()
    for line in sorted(touched):
        print("  fixed %d: %s" % (line + 1, fixed_lines[line].strip()))


def run(args):
    source = prepare_workspace(args)
    if args.prepare_only:
        return
    uri = file_uri(source)
    with open(source) as f:
        text = f.read()
    transcript = open(args.transcript, "w") if args.transcript else None
    stderr_path = args.stderr or os.path.join(args.workspace, "clangd.stderr")
    argv = [args.clangd, "--background-index=false", "--log=info",
            "--pch-storage=memory"] + args.clangd_arg
    # No user configuration (~/.config/clangd) changes what the test sees.
    env = dict(os.environ,
               XDG_CONFIG_HOME=os.path.join(args.workspace, ".config"))
    env.pop("CLANGD_FLAGS", None)
    server = Server(argv, env, stderr_path, transcript)
    deadline = time.monotonic() + args.timeout
    try:
        init = server.request("initialize", {
            "processId": os.getpid(),
            "rootUri": file_uri(args.workspace),
            "capabilities": {
                "textDocument": {
                    "publishDiagnostics": {"relatedInformation": True},
                    "codeAction": {"codeActionLiteralSupport": {
                        "codeActionKind": {"valueSet": ["quickfix"]}}},
                },
            },
        })
        capabilities = server.wait_for_response(init, deadline)
        if not capabilities.get("capabilities", {}).get("codeActionProvider"):
            raise SessionError("the server offers no code actions")
        server.notify("initialized", {})
        server.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "cpp", "version": 1,
            "text": text}})

        while True:
            message = server.receive(deadline)
            if (message.get("method") == "textDocument/publishDiagnostics"
                    and message["params"]["uri"] == uri):
                diagnostics = message["params"]["diagnostics"]
                break
        diagnostics.sort(key=lambda d: (d["range"]["start"]["line"],
                                        d["range"]["start"]["character"]))
        sources = SourceLines()
        for diag in diagnostics:
            print_diagnostic(diag, uri, text, sources)

        for check in args.code_action_for:
            targets = [d for d in diagnostics if d.get("code") == check]
            if not targets:
                raise SessionError("no %s diagnostic to ask code actions for"
                                   % check)
            for diag in targets:
                request = server.request("textDocument/codeAction", {
                    "textDocument": {"uri": uri},
                    "range": diag["range"],
                    "context": {"diagnostics": [diag],
                                "only": ["quickfix"]},
                })
                actions = server.wait_for_response(request, deadline) or []
                if not actions:
                    print("code-action none for %s" % check)
                for action in actions:
                    print_action(action, check, uri, text)

        request = server.request("shutdown", None)
        server.wait_for_response(request, deadline)
        server.notify("exit", None)
        server.proc.stdin.close()
        status = server.proc.wait(timeout=max(1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        server.proc.kill()
        raise SessionError("the server did not exit after shutdown/exit")
    except SessionError:
        server.proc.kill()
        server.proc.wait()
        raise
    finally:
        server.stderr_file.close()
        if transcript:
            transcript.close()

    print("exit %d" % status)
    with open(stderr_path, errors="replace") as f:
        log = f.read()
    signs = [s for s in CRASH_SIGNS if s in log]
    if status != 0 or signs:
        raise SessionError("the server ended with status %d%s; its log is in %s"
                           % (status, " and wrote " + ", ".join(
                               repr(s) for s in signs) if signs else "",
                              stderr_path))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clangd", required=True)
    parser.add_argument("--workspace", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--clangxx", required=True,
                        help="the compiler named in compile_commands.json")
    parser.add_argument("--config", choices=["clang-tidy", "clangd"],
                        default="clang-tidy",
                        help="how the checks are enabled")
    parser.add_argument("--code-action-for", action="append", default=[],
                        metavar="CHECK")
    parser.add_argument("--clangd-arg", action="append", default=[])
    parser.add_argument("--transcript", help="every message, one per line")
    parser.add_argument("--stderr", help="where the server's log goes")
    parser.add_argument("--prepare-only", action="store_true",
                        help="write the workspace and stop")
    parser.add_argument("--timeout", type=float, default=180)
    args = parser.parse_args()
    args.workspace = os.path.abspath(args.workspace)
    try:
        run(args)
    except SessionError as error:
        sys.stdout.flush()
        sys.stderr.write("lsp_session: %s\n" % error)
        sys.exit(1)


if __name__ == "__main__":
    main()
