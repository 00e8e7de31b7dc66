"""The injection step of the benchmark: recall on real code.

The corpus does not contain the bug, so this step plants it. For a sample
of each project's translation units it reads the AST (Debian's libclang
Python bindings), picks real functions the bug can be planted in, writes a
mutated copy of the translation unit with one planted bug, or with its safe
twin, and runs the checks on it:

  guard-param      a scope-exit guard whose callable detaches a thread that
                   writes a field of a by-reference (or pointer) parameter
                   -> defer-race-detached-mutation
  guard-this       the same, writing a field of *this
                   -> defer-race-detached-mutation
  guard-this-call  the same, but the thread calls one of the class's own
                   member functions, one whose body (in the TU) assigns a
                   field of *this -> defer-race-detached-mutation
  guard-serialize  guard-param (or guard-this, for a public field), plus a
                   caller in the same file that calls the function and
                   serializes the field (nlohmann::json)
                   -> defer-race-serialize-shared, in the caller
  dangling-local   a thread capturing a local of the function by reference
                   and detached, directly or in a guard
                   -> defer-race-dangling-capture

Each racy mutant has a safe twin: the thread joined, the data copied, or
(guard-serialize) the write and the read under one mutex. The guard is the
project's own where it has one (icinga2's Defer), else, in rotation,
gsl::finally (C++14 and later), BOOST_SCOPE_EXIT_ALL, or a home-made
std::function guard. A mutant that does not compile is counted and left
out. A planted bug is found when its check warns on one of the planted
lines; a twin is silent when no defer-race check warns anywhere in the
mutant.

Sources are read and written as Latin-1, one character per byte, so that
libclang's byte offsets index the text and the bytes are kept as they are.

Results: bench/results/inject.tsv (one row per mutant) and inject.md.
"""
import hashlib
import os
import re
import shlex

import measure

TEMPLATES = ["guard-param", "guard-this", "guard-this-call", "guard-serialize", "dangling-local"]
EXPECTED = {"guard-param": "defer-race-detached-mutation",
            "guard-this": "defer-race-detached-mutation",
            "guard-this-call": "defer-race-detached-mutation",
            "guard-serialize": "defer-race-serialize-shared",
            "dangling-local": "defer-race-dangling-capture"}
TWINS = {"guard-param": ["joined", "copied"], "guard-this": ["joined", "copied"],
         "guard-this-call": ["joined"],
         "guard-serialize": ["joined", "locked"], "dangling-local": ["joined", "copied"]}

# The project's own scope-exit guard: (its header, on the project's include
# path; how a guard object is declared, {body} being the callable's body).
PROJECT_GUARDS = {
    "icinga2": ("base/defer.hpp", "icinga::Defer dr_guard([&] {{ {body} }});"),
}

SIMPLE_TYPES = re.compile(r"^(bool|char|signed char|unsigned char|short|unsigned short|int|"
                          r"unsigned int|long|unsigned long|long long|unsigned long long|"
                          r"float|double|long double|std::(__cxx11::)?basic_string<char.*)$")
# Standard containers nlohmann::json converts when their elements are plain.
JSON_CONTAINER = re.compile(r"^std::(__cxx11::)?(vector|list|deque|set|map|multiset|multimap|"
                            r"unordered_map|unordered_set|array|pair)<")
JSON_NAMES = {"std", "__cxx11", "basic_string", "char_traits", "allocator", "vector", "list",
              "deque", "set", "map", "multiset", "multimap", "unordered_map", "unordered_set",
              "array", "pair", "less", "hash", "equal_to", "bool", "char", "signed", "unsigned",
              "short", "int", "long", "float", "double"}


def json_convertible(spelled):
    """Whether nlohmann::json takes a value of this (canonical) type as it is."""
    if SIMPLE_TYPES.match(spelled):
        return True
    return bool(JSON_CONTAINER.match(spelled)) and all(
        name in JSON_NAMES for name in re.findall(r"[A-Za-z_]\w*", spelled))


WRITER_METHOD = re.compile(r"^(clear|reset|Clear|Reset|Close|close)\w*$")
BAD_SPELLING = re.compile(r"[(\[]|lambda|anonymous|type-parameter|\bauto\b")


def stable_hash(text):
    return int(hashlib.sha1(text.encode()).hexdigest()[:12], 16)


def cxx_std(args):
    """The -std the TU is compiled with, as a year (clang 22's default: 17)."""
    year = 17
    for a in args:
        m = re.match(r"^-std=(?:c|gnu)\+\+(\w+)$", a)
        if m:
            year = {"98": 98, "03": 98, "0x": 11, "11": 11, "1y": 14, "14": 14, "1z": 17,
                    "17": 17, "2a": 20, "20": 20, "2b": 23, "23": 23, "2c": 26,
                    "26": 26}.get(m.group(1), 17)
    return 3 if year == 98 else year


def clang_args(tu):
    """The TU's compile flags without the compiler and the file itself."""
    out = []
    for a in tu.syntax_only_command()[1:]:
        if os.path.normpath(os.path.join(tu.directory, a)) == tu.file:
            continue
        out.append(a)
    return out


# --- what the AST offers ---------------------------------------------------

def _simple_fields(record_type, need_public, methods=False):
    from clang.cindex import AccessSpecifier
    fields = []
    try:
        candidates = list(record_type.get_canonical().get_fields())
    except Exception:  # an incomplete type
        return fields
    for f in candidates:
        t = f.type
        if t.is_const_qualified() or f.is_bitfield() or not f.spelling:
            continue
        if need_public and f.access_specifier != AccessSpecifier.PUBLIC:
            continue
        spelled = t.get_canonical().spelling
        if not BAD_SPELLING.search(spelled) and "&" not in spelled:
            fields.append((0 if SIMPLE_TYPES.match(spelled) else
                           1 if json_convertible(spelled) else 2, f.spelling))
    if not fields and methods:
        # No field in reach: a public member function that clears or resets
        # the object writes it too (for a class with private state).
        from clang.cindex import CursorKind
        try:
            decl = record_type.get_canonical().get_declaration()
            members = [m for m in decl.get_children() if m.kind == CursorKind.CXX_METHOD]
        except Exception:
            members = []
        for m in members:
            if m.access_specifier == AccessSpecifier.PUBLIC and not m.is_const_method() \
                    and not m.is_static_method() and not list(m.get_arguments()) \
                    and not m.spelling.startswith("operator") \
                    and m.result_type.spelling == "void" and WRITER_METHOD.match(m.spelling):
                fields.append((3, m.spelling + "()"))
    # Plain values first: `= {}` is an assignment any of them accepts, and
    # nlohmann::json takes them as they are.
    return [(name, rank <= 1) for rank, name in sorted(fields, key=lambda f: f[0])]


class Site:
    """One function of the main file that a bug can be planted in."""

    def __init__(self, cursor):
        self.name = cursor.spelling
        self.line = cursor.location.line
        self.body_open = None   # offset just after '{'
        self.params = []        # (name or None, canonical type spelling, is_ref)
        # (index, "." or "->", field, the thread's capture, a plain value?)
        self.param_fields = []
        self.this_fields = []
        self.this_writers = []  # member functions of the class that assign a field
        self.this_public_json = []  # public fields of *this nlohmann::json takes
        self.locals = []        # (name, offset after its declaration)
        self.record = None      # the class of a method, spelled canonically
        self.method = False
        self.callable_at_scope = False  # a caller can follow at the same scope
        self.end = cursor.extent.end.offset
        self.why = []           # why the function was picked


# What makes a function worth planting in, besides a writable parameter or
# *this: names of what its body uses, fully qualified, read off the AST.
THREAD_USE = re.compile(r"^(std::(thread|jthread|async|packaged_task)|boost::thread|"
                        r"pthread_create|boost::asio::(post|dispatch|defer|thread_pool)|"
                        r"(?i:.*(thread_?pool|executor|work_?queue)\b.*))")
SERIALIZER_USE = re.compile(r"^(nlohmann::.*::(dump|to_json|basic_json)|rapidjson::.*::Accept|"
                            r"google::protobuf::.*::(Serialize\w*|DebugString|ByteSizeLong)|"
                            r"Json::.*::(write\w*|toStyledString)|icinga::(JsonEncode|Serialize))$")
GUARD_USE = re.compile(r"^(icinga::Defer|gsl::final_action|absl::Cleanup|llvm::scope_exit|"
                       r"llvm::detail::scope_exit|folly::.*ScopeGuard.*|boost::scope::.*|"
                       r"pdns::defer)\b")


def qualified(cursor):
    parts = []
    while cursor is not None and cursor.kind.is_declaration() and cursor.spelling:
        parts.append(cursor.spelling)
        cursor = cursor.semantic_parent
    return "::".join(reversed(parts))


def _uses(body):
    """Which of: guard, thread, serializer the body uses (bounded walk)."""
    from clang.cindex import CursorKind as K
    found = set()
    for n, c in enumerate(body.walk_preorder()):
        if n > 20000:
            break
        if c.kind == K.VAR_DECL:
            decl = c.type.get_canonical().get_declaration()
            if GUARD_USE.match(qualified(decl) or ""):
                found.add("guard")
            if THREAD_USE.match(qualified(decl) or ""):
                found.add("thread")
        elif c.kind in (K.CALL_EXPR, K.MEMBER_REF_EXPR, K.DECL_REF_EXPR) and c.referenced:
            ref = c.referenced
            name = qualified(ref)
            if ref.kind == K.CONSTRUCTOR:
                name = qualified(ref.semantic_parent)
            if THREAD_USE.match(name):
                found.add("thread")
            if SERIALIZER_USE.match(name):
                found.add("serializer")
    return found


def _field_writers(record, besides):
    """The class's non-static, non-const member functions without
    parameters whose definition is in the TU and assigns a field of *this
    (not through another object), other than `besides`."""
    from clang.cindex import BinaryOperator, CursorKind as K
    assign = {BinaryOperator.Assign, BinaryOperator.AddAssign, BinaryOperator.SubAssign,
              BinaryOperator.MulAssign, BinaryOperator.OrAssign, BinaryOperator.AndAssign}
    found = []
    for m in record.get_children():
        if m.kind != K.CXX_METHOD or m.is_static_method() or m.is_const_method() \
                or m.spelling == besides or list(m.get_arguments()) or len(found) >= 3:
            continue
        d = m.get_definition()
        body = next((ch for ch in d.get_children() if ch.kind == K.COMPOUND_STMT), None) \
            if d is not None else None
        if body is None:
            continue
        for n, e in enumerate(body.walk_preorder()):
            if n > 2000:
                break
            if e.kind not in (K.BINARY_OPERATOR, K.COMPOUND_ASSIGNMENT_OPERATOR):
                continue
            try:
                if e.binary_operator not in assign:
                    continue
            except Exception:
                continue
            lhs = next(iter(e.get_children()), None)
            while lhs is not None and lhs.kind == K.UNEXPOSED_EXPR:
                lhs = next(iter(lhs.get_children()), None)
            if lhs is None or lhs.kind != K.MEMBER_REF_EXPR or lhs.referenced is None \
                    or lhs.referenced.kind != K.FIELD_DECL \
                    or lhs.referenced.semantic_parent != record:
                continue
            base = list(lhs.get_children())
            if not base or base[0].kind == K.CXX_THIS_EXPR:
                found.append(m.spelling)
                break
    return found


COROUTINE = re.compile(r"\bco_(await|yield|return)\b")
SMART = re.compile(r"^(std::shared_ptr|boost::intrusive_ptr|boost::shared_ptr|std::unique_ptr)<")


def _written_through(t, TypeKind):
    """How a parameter of type t reaches an object the caller sees: (the
    object's type, "." or "->", the thread's capture of the parameter), or
    None. A reference to a non-const object, a pointer to one, a smart
    pointer to one (copied into the thread; a unique_ptr only by reference)."""
    ref = t.kind == TypeKind.LVALUEREFERENCE
    base = t.get_pointee() if ref else t
    if t.kind == TypeKind.POINTER:
        pointee = t.get_pointee()
        if pointee.is_const_qualified() or pointee.get_canonical().kind != TypeKind.RECORD:
            return None
        return pointee, "->", "{}"
    canon = base.get_canonical()
    if canon.kind != TypeKind.RECORD:
        return None
    m = SMART.match(canon.spelling)
    if m:
        inner = canon.get_template_argument_type(0)
        if inner.kind == TypeKind.INVALID or inner.is_const_qualified() \
                or inner.get_canonical().kind != TypeKind.RECORD:
            return None
        if m.group(1) == "std::unique_ptr":
            if not ref or base.is_const_qualified():
                return None
            return inner, "->", "&{}"
        return inner, "->", "{}"
    if ref and not base.is_const_qualified():
        return base, ".", "&{}"
    return None


def _sites(tu, main, text):
    from clang.cindex import AccessSpecifier, CursorKind, StorageClass, TypeKind
    scopes = (CursorKind.NAMESPACE, CursorKind.LINKAGE_SPEC, CursorKind.CLASS_DECL,
              CursorKind.STRUCT_DECL)
    found = []

    def visit(cursor, depth):
        for c in cursor.get_children():
            if c.location.file is None or c.location.file.name != main:
                continue
            if c.kind in scopes and depth < 8:
                visit(c, depth + 1)
            elif c.kind in (CursorKind.FUNCTION_DECL, CursorKind.CXX_METHOD) and c.is_definition():
                site = _site(c, text)
                if site:
                    found.append(site)

    def _site(c, text):
        from clang.cindex import CursorKind as K
        parent = c.semantic_parent
        if parent is not None and parent.kind in (K.CLASS_TEMPLATE,
                                                  K.CLASS_TEMPLATE_PARTIAL_SPECIALIZATION):
            return None
        body = next((ch for ch in c.get_children() if ch.kind == K.COMPOUND_STMT), None)
        if body is None or body.extent.start.file is None or body.extent.start.file.name != main:
            return None
        b0, b1 = body.extent.start.offset, body.extent.end.offset
        if text[b0:b0 + 1] != "{" or text[b1 - 1:b1] != "}":
            return None  # a body from a macro
        if "constexpr" in text[c.extent.start.offset:b0] or COROUTINE.search(text[b0:b1]):
            return None
        s = Site(c)
        s.body_open = b0 + 1
        s.method = c.kind == K.CXX_METHOD
        if s.method:
            if parent.kind not in (K.CLASS_DECL, K.STRUCT_DECL) or not parent.spelling:
                return None
            s.record = parent.type.get_canonical().spelling
            if not c.is_static_method() and not c.is_const_method():
                s.this_fields = [f for f, _ in _simple_fields(parent.type, need_public=False)]
                s.this_writers = _field_writers(parent, c.spelling)
                s.this_public_json = [f for f, plain in _simple_fields(parent.type, True) if plain]
        for i, p in enumerate(c.get_arguments()):
            t = p.type
            spelled = t.get_canonical().spelling
            s.params.append((p.spelling or None, spelled, t.kind in (TypeKind.LVALUEREFERENCE,
                                                                     TypeKind.RVALUEREFERENCE)))
            target = _written_through(t, TypeKind) if p.spelling else None
            if target is None:
                continue
            pointee, access, capture = target
            same = s.record is not None and pointee.get_canonical().spelling == s.record
            for f in _simple_fields(pointee, need_public=not same, methods=True)[:1]:
                s.param_fields.append((i, access, f[0], capture.format(p.spelling), f[1]))
        lexical = c.lexical_parent
        s.callable_at_scope = (
            lexical is not None
            and lexical.kind in (K.TRANSLATION_UNIT, K.NAMESPACE, K.LINKAGE_SPEC)
            and (not s.method or (c.access_specifier == AccessSpecifier.PUBLIC
                                  and not c.is_static_method()))
            and all(not BAD_SPELLING.search(p[1]) for p in s.params)
            and (s.record is None or not BAD_SPELLING.search(s.record)))
        s.why = sorted(_uses(body)) + (["param"] if s.param_fields else []) + (
            ["this"] if s.this_fields or s.this_writers else [])
        if not s.why:
            return None  # nothing the bug needs: no guard, thread, serializer or writable object
        for stmt in body.get_children():
            if stmt.kind != K.DECL_STMT:
                continue
            decls = list(stmt.get_children())
            if len(decls) != 1 or decls[0].kind != K.VAR_DECL:
                continue
            v = decls[0]
            end = stmt.extent.end.offset
            if v.storage_class != StorageClass.NONE or v.type.is_const_qualified() \
                    or text[end - 1:end] != ";" or not v.spelling:
                continue
            if SIMPLE_TYPES.match(v.type.get_canonical().spelling):
                s.locals.append((v.spelling, end))
        return s

    visit(tu.cursor, 0)
    return found


def analyse(tu):
    """Parses one TU; returns (sites, include insertion offset, C++ year)
    or None when it does not parse cleanly."""
    from clang.cindex import Index, TranslationUnit
    args = clang_args(tu)
    index = Index.create()
    try:
        parsed = index.parse(tu.file, args=args + ["-working-directory=" + tu.directory],
                             options=TranslationUnit.PARSE_NONE)
    except Exception:
        return None
    if any(d.severity >= 3 for d in parsed.diagnostics):
        return None
    with open(tu.file, encoding="latin-1", newline="") as f:
        text = f.read()
    main = parsed.spelling
    include_line = 0
    for inc in parsed.get_includes():
        if inc.depth == 1 and inc.location.file and inc.location.file.name == main:
            include_line = max(include_line, inc.location.line)
    lines = text.split("\n")
    include_at = sum(len(l) + 1 for l in lines[:include_line])
    sites = [s for s in _sites(parsed, main, text) if s.body_open > include_at]
    return sites, include_at, cxx_std(args)


# --- planting --------------------------------------------------------------

def plan(project, tus_and_analyses, per_tu):
    """Chooses (tu, site, template, guard) for each planted bug: templates
    balanced within the project, at most per_tu sites per TU."""
    counts = {t: 0 for t in TEMPLATES}
    chosen = []
    for tu, (sites, include_at, year) in tus_and_analyses:
        if project in PROJECT_GUARDS:
            guards = ["project"]  # the project's own guard, where it has one
        else:
            guards = (["gsl"] if year >= 14 else []) + ["boost", "home"]
        ordered = sorted(sites, key=lambda s: stable_hash(tu.rel + s.name + str(s.line)))
        used = set()
        for _ in range(per_tu):
            # The template planted least so far that some unused site fits.
            options = []
            for t in TEMPLATES:
                site = next((s for s in ordered if id(s) not in used and fits_template(s, t)),
                            None)
                if site is not None:
                    options.append((counts[t], TEMPLATES.index(t), t, site))
            if not options:
                break
            _, _, template, site = min(options, key=lambda o: o[:2])
            used.add(id(site))
            counts[template] += 1
            n = counts[template]
            guard = guards[n % len(guards)]
            if template == "dangling-local" and n % 3:
                guard = "none"  # two in three plain, one in three in a guard
            twin = TWINS[template][n % len(TWINS[template])]
            if template in ("guard-param", "guard-this") and writes_by_call(site, template):
                twin = "joined"  # an object with private state may have no copy
            chosen.append({"tu": tu, "site": site, "template": template, "guard": guard,
                           "include_at": include_at, "n": n, "twin": twin,
                           "named": n % 2 == 1})
    return chosen


def writes_by_call(site, template):
    written = site.this_fields[0] if template == "guard-this" else site.param_fields[0][2]
    return written.endswith("()")


def serializes_param(site):
    """guard-serialize writes and serializes a parameter's field when it
    can (a plain value), else a public field of *this."""
    return bool(site.param_fields) and site.param_fields[0][4]


def fits_template(site, template):
    if template == "guard-param":
        return bool(site.param_fields)
    if template == "guard-this":
        return bool(site.this_fields)
    if template == "guard-this-call":
        return bool(site.this_writers)
    if template == "guard-serialize":
        return site.callable_at_scope and (serializes_param(site) or bool(site.this_public_json))
    return True


def guarded(item, body):
    guard = item["guard"]
    if guard == "project":
        return PROJECT_GUARDS[item["tu"].project.name][1].format(body=body)
    if guard == "gsl":
        return "auto dr_guard = gsl::finally([&] {{ {body} }});".format(body=body)
    if guard == "boost":
        return "BOOST_SCOPE_EXIT_ALL(&) {{ {body} }};".format(body=body)
    return "dr_inject::Defer dr_guard([&] {{ {body} }});".format(body=body)


def spawn(capture, work, how, named, mutable=False):
    """A thread running `work` with `capture`: detached or joined."""
    fn = "[{c}]{m} {{ {w} }}".format(c=capture, m="() mutable" if mutable else "", w=work)
    if how == "join":
        return "std::thread dr_t(%s); dr_t.join();" % fn
    if named:
        return "std::thread dr_t(%s); dr_t.detach();" % fn
    return "std::thread(%s).detach();" % fn


def mutate(text, item, racy):
    """Returns (mutated text, planted line ranges, what was planted)."""
    site, template, twin = item["site"], item["template"], item["twin"]
    named = item["named"]
    header = ["#include <thread>", "#include <mutex>", "#include <functional>",
              "#include <cstdio>"]
    if item["guard"] == "project":
        header.append("#include \"%s\"" % PROJECT_GUARDS[item["tu"].project.name][0])
    if item["guard"] == "gsl":
        header.append("#include <gsl/gsl>")
    if item["guard"] == "boost":
        header.append("#include <boost/scope_exit.hpp>")
    if template == "guard-serialize":
        header.append("#include <nlohmann/json.hpp>")
    header.append("namespace dr_inject {")
    header.append("class Defer { public: explicit Defer(std::function<void()> f) "
                  ": f_(std::move(f)) {} ~Defer() { f_(); } Defer(const Defer &) = delete; "
                  "private: std::function<void()> f_; };")
    header.append("inline std::mutex &mu() { static std::mutex m; return m; }")
    header.append("}")
    edits = []  # (offset, text)
    described = ""
    if template.startswith("guard-"):
        if template == "guard-this":
            field = site.this_fields[0]
            target, capture, copy_src = "this->" + field, "this", "this->" + field
        elif template == "guard-this-call":
            target, capture, copy_src = "this->%s()" % site.this_writers[0], "this", None
        elif template == "guard-serialize" and not serializes_param(site):
            target, capture, copy_src = "this->" + site.this_public_json[0], "this", None
        else:
            i, access, field, capture, _ = site.param_fields[0]
            target = site.params[i][0] + access + field
            copy_src = target
        write = target + (";" if target.endswith("()") else " = {};")
        if racy:
            inner = spawn(capture, write, "detach", named)
        elif twin == "joined":
            inner = spawn(capture, write, "join", named)
        elif twin == "copied":
            inner = "auto dr_v = {src}; {s}".format(
                src=copy_src, s=spawn("dr_v", "dr_v = {}; (void)dr_v;", "detach", named,
                                      mutable=True))
        else:  # locked
            inner = spawn(capture, "std::lock_guard<std::mutex> dr_l(dr_inject::mu()); " + write,
                          "detach", named)
        edits.append((site.body_open, "\n" + guarded(item, inner) + "\n"))
        described = "%s guard; thread %s %s" % (item["guard"], "detached, writes" if racy else
                                                 twin + ",", target)
        if template == "guard-serialize":
            edits.append((site.end, "\n" + caller(site, item["n"], racy or twin != "locked")
                          + "\n"))
    else:
        if site.locals:
            name, at = site.locals[stable_hash(site.name) % len(site.locals)]
            work = "auto dr_v = {n}; (void)dr_v;".format(n=name)
            prefix = ""
        else:
            name, at = "dr_local", site.body_open
            work = "dr_local = 1;"
            prefix = "int dr_local = 0; "
        if racy:
            code = spawn("&" + name, work, "detach", named)
        elif twin == "joined":
            code = spawn("&" + name, work, "join", named)
        else:
            code = spawn(name, work.replace("dr_local = 1;", "int dr_w = dr_local; (void)dr_w;"),
                         "detach", named)
        in_guard = item["guard"] != "none"
        if in_guard:
            code = guarded(item, code)
        edits.append((at, "\n" + prefix + code + "\n"))
        described = "%sthread %s '%s'" % ("in %s guard, " % item["guard"] if in_guard else "",
                                         "detached, captures by reference" if racy else twin,
                                         name)
    edits.append((item["include_at"], "\n".join(header) + "\n"))
    edits.sort(key=lambda e: e[0], reverse=True)
    out = text
    for at, piece in edits:
        out = out[:at] + piece + out[at:]
    # The planted line ranges, in the mutated text.
    ranges = []
    shift = 0
    for at, piece in sorted(edits, key=lambda e: e[0]):
        if at == item["include_at"]:
            shift += piece.count("\n")
            continue
        start = text.count("\n", 0, at) + 1 + shift
        ranges.append((start, start + piece.count("\n")))
        shift += piece.count("\n")
    if template == "guard-serialize":
        ranges = ranges[-1:]  # the serialization is in the caller
    return out, ranges, described


def caller(site, n, unlocked):
    """A caller in the same file that calls the site and serializes the
    field the planted thread writes."""
    params, args = [], []
    if site.method:
        params.append("%s &dr_self" % site.record)
    for k, (name, spelled, is_ref) in enumerate(site.params):
        arg = "dr_a%d" % k
        params.append("%s %s" % (spelled, arg))
        args.append(arg if is_ref or spelled.endswith("*") else "std::move(%s)" % arg)
    call = ("dr_self.%s(%s);" if site.method else "%s(%s);") % (site.name, ", ".join(args))
    if serializes_param(site):
        i, access, field = site.param_fields[0][:3]
        read = "dr_j[\"v\"] = dr_a%d%s%s;" % (i, access, field)
    else:
        read = "dr_j[\"v\"] = dr_self.%s;" % site.this_public_json[0]
    if not unlocked:
        read = "{ std::lock_guard<std::mutex> dr_l(dr_inject::mu()); %s }" % read
    return ("void dr_inject_caller_%d(%s) {\n  %s\n  nlohmann::json dr_j;\n  %s\n"
            "  std::puts(dr_j.dump().c_str());\n}") % (n, ", ".join(params), call, read)


def mutation(item, racy):
    """mutate() applied to the item's translation unit as it is on disk."""
    with open(item["tu"].file, encoding="latin-1", newline="") as f:
        return mutate(f.read(), item, racy)


def run(item, racy, planted_mutation, plugin, timeout, keep_dir=None):
    """Writes the mutant (what mutation() returned) beside the original,
    runs the checks on it. A mutant that compiled and was missed (or a twin
    that warned) is kept in keep_dir, with the command that checks it, so
    that it can be read."""
    tu = item["tu"]
    mutated, ranges, described = planted_mutation
    stem, ext = os.path.splitext(tu.file)
    path = "%s.drinject%d%s%s" % (stem, item["n"], item["template"].replace("-", ""),
                                  "r" if racy else "s") + ext
    with open(path, "w", encoding="latin-1", newline="") as f:
        f.write(mutated)
    try:
        cmd = [measure.CLANG_TIDY, "--load=" + plugin, "--config={}",
               "--checks=-*," + measure.OUR_CHECKS, path, "--"] + clang_args(tu)
        res = measure.run_measured(cmd, cwd=tu.directory, timeout=timeout)
    finally:
        os.remove(path)
    warnings = [dict(m.groupdict(), line=int(m.group("line")))
                for m in measure.WARNING.finditer(res.stdout)]
    errors = re.findall(r"^.*: error: .*$", res.stdout, re.M)
    expected = EXPECTED[item["template"]]
    planted = [w for w in warnings if w["file"] == path and w["check"] == expected
               and any(a <= w["line"] <= b for a, b in ranges)]
    ours = [w for w in warnings if w["check"].startswith("defer-race-")]
    compiled = not errors and not res.crashed and not res.timed_out
    if keep_dir and compiled and missed(racy, bool(planted), len(ours)):
        os.makedirs(keep_dir, exist_ok=True)
        kept = os.path.join(keep_dir, os.path.basename(path))
        with open(kept, "w", encoding="latin-1", newline="") as f:
            f.write(mutated)
        with open(kept + ".cmd", "w") as f:
            # The copy must sit beside the original for its quoted includes.
            f.write("cp %s %s && cd %s && %s; rm -f %s\n" % (
                shlex.quote(kept), shlex.quote(path), shlex.quote(tu.directory),
                " ".join(shlex.quote(c) for c in cmd), shlex.quote(path)))
    return {"compiled": compiled,
            "crashed": res.crashed, "timed_out": res.timed_out,
            "found": bool(planted), "warnings": len(ours),
            "first_warning": ("%s:%d %s" % (os.path.basename(tu.file), ours[0]["line"],
                                            ours[0]["check"])) if ours else "",
            "first_error": errors[0].replace(path, os.path.basename(tu.file))[:300]
            if errors else "",
            "what": described, "planted_lines": ",".join("%d-%d" % r for r in ranges),
            "cmd": " ".join(shlex.quote(c) for c in cmd)}


# --- the step --------------------------------------------------------------

def sample(project, tus, analyse_many, target, per_tu, batch, max_tus):
    """Analyses the project's TUs in a fixed pseudo-random order until each
    template can be planted target/5 times, or there are twice as many sites
    as needed, or max_tus have been read; then takes `target` sites, the
    templates in turn (up to four times per_tu per TU when the project has
    too few)."""
    order = sorted(tus, key=lambda t: stable_hash(t.rel))[:max_tus]
    analysed, planned = [], []
    for start in range(0, len(order), batch):
        analysed += [(tu, a) for tu, a in analyse_many(order[start:start + batch]) if a]
        planned = plan(project.name, analysed, per_tu)
        if len(planned) >= 2 * target or all(
                sum(i["template"] == t for i in planned) >= target // len(TEMPLATES)
                for t in TEMPLATES):
            break
    if len(planned) < target:  # a small project: more sites per translation unit
        planned = plan(project.name, analysed, 4 * per_tu)
    by_template = [[i for i in planned if i["template"] == t] for t in TEMPLATES]
    chosen = []
    while len(chosen) < target and any(by_template):
        for group in by_template:
            if group and len(chosen) < target:
                chosen.append(group.pop(0))
    return chosen


def mutant_key(item, racy, mutated):
    """Names a mutant by its place and by a hash of its text, so that a
    cached result is reused only for the same mutation of the same source."""
    return "%s:%s:%d:%s:%s:%s" % (item["tu"].rel, item["site"].name, item["site"].line,
                                  item["template"], "racy" if racy else item["twin"],
                                  hashlib.sha1(mutated.encode("latin-1"))
                                  .hexdigest()[:12])


def missed(racy, found, warnings):
    """A racy mutant whose planted bug was not found, or a twin that warned."""
    return not found if racy else warnings > 0


def row(project, item, racy, result):
    return {"project": project, "file": item["tu"].rel, "function": item["site"].name,
            "line": item["site"].line, "template": item["template"],
            "variant": "racy" if racy else item["twin"], "guard": item["guard"],
            "picked_for": "+".join(item["site"].why),
            **{k: result[k] for k in ("compiled", "found", "warnings", "crashed",
                                      "timed_out", "first_warning", "first_error", "what",
                                      "planted_lines", "cmd")}}


FIELDS = ["project", "file", "function", "line", "picked_for", "template", "variant", "guard",
          "compiled", "found", "warnings", "crashed", "timed_out", "planted_lines", "what",
          "first_warning", "first_error"]


def _pct(a, b):
    return "%d/%d (%.0f%%)" % (a, b, 100.0 * a / b) if b else "0/0"


def write_results(results_dir, rows, plugin_id):
    """inject.tsv, one row per mutant, and inject.md, the summary."""
    import csv
    rows = sorted(rows, key=lambda r: (r["project"], r["template"], r["file"], r["line"],
                                       r["variant"]))
    with open(os.path.join(results_dir, "inject.tsv"), "w", newline="") as f:
        w = csv.DictWriter(f, FIELDS, delimiter="\t", extrasaction="ignore",
                           lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow(r)

    def figures(sel):
        racy = [r for r in sel if r["variant"] == "racy"]
        twins = [r for r in sel if r["variant"] != "racy"]
        rc = [r for r in racy if r["compiled"]]
        tc = [r for r in twins if r["compiled"]]
        return (len(racy) + len(twins), len(rc) + len(tc), len(rc), len(tc),
                sum(r["found"] for r in rc), sum(r["warnings"] == 0 for r in tc))

    def table(key, values):
        out = ["| %s | planted | compiled | racy compiled | found | twins compiled | twins "
               "silent |" % key, "| --- | ---: | ---: | ---: | --- | ---: | --- |"]
        for v in values + ["all"]:
            sel = rows if v == "all" else [r for r in rows if r[key] == v]
            p, c, rc, tc, found, silent = figures(sel)
            out.append("| %s | %d | %d | %d | %s | %d | %s |" % (
                "**all**" if v == "all" else v, p, c, rc, _pct(found, rc), tc,
                _pct(silent, tc)))
        return out

    def cell(sel):
        _, _, rc, tc, found, silent = figures(sel)
        return "%d/%d, %d/%d" % (found, rc, silent, tc)

    projects = sorted({r["project"] for r in rows})
    md = ["# Injection benchmark: recall on real code", "",
          "Generated by `bench/run.sh inject` (plugin %s). Each racy mutant is a translation "
          "unit of the corpus with one planted bug; each twin is its safe counterpart (thread "
          "joined, data copied, or write and read under one mutex). `found`: the template's "
          "check warns on a planted line. `twins silent`: no defer-race warning anywhere in "
          "the twin. docs/benchmark.md#injection-recall-on-real-code explains the "
          "templates." % plugin_id, "",
          "## Per project", ""] + table("project", projects) + [
          "", "## Per template", ""] + table("template", TEMPLATES) + [
          "", "## Per project and template", "",
          "Racy mutants found / compiled, then silent twins / compiled.", "",
          "| project | " + " | ".join(TEMPLATES) + " |",
          "| --- |" + " --- |" * len(TEMPLATES)] + [
          "| %s | %s |" % (proj, " | ".join(
              cell([r for r in rows if r["project"] == proj and r["template"] == t])
              for t in TEMPLATES)) for proj in projects] + [
          "", "## Per guard (guard templates)", ""] + table(
              "guard", sorted({r["guard"] for r in rows})) + [
          "", "## Why the functions were picked", "",
          "A function qualifies when its body uses a scope-exit guard, a thread or executor, "
          "or a serializer, or when it has a writable object: a parameter by non-const "
          "reference, pointer or smart pointer with a writable field, or `*this`.", "",
          "| reason | functions |", "| --- | ---: |"] + [
          "| %s | %d |" % (why, len({(r["project"], r["file"], r["line"]) for r in rows
                                     if why in r["picked_for"].split("+")}))
          for why in ("guard", "thread", "serializer", "param", "this")] + [
          "", "## Misses", ""]
    misses = [r for r in rows
              if r["compiled"] and missed(r["variant"] == "racy", r["found"], r["warnings"])]
    if not misses:
        md.append("None.")
    for r in misses:
        md.append("- %s `%s:%d` `%s` %s (%s): %s; %s" % (
            r["project"], r["file"], r["line"], r["function"], r["template"], r["variant"],
            r["what"], ("warned: " + r["first_warning"]) if r["first_warning"]
            else "no warning on the planted lines"))
    broken = [r for r in rows if not r["compiled"]]
    md += ["", "## Mutants that did not compile (left out)", "",
           "%d of %d. The first error of each is in inject.tsv." % (len(broken), len(rows))]
    crashes = [r for r in rows if r["crashed"] or r["timed_out"]]
    md += ["", "Crashes or time-outs of clang-tidy: %d." % len(crashes)]
    with open(os.path.join(results_dir, "inject.md"), "w") as f:
        f.write("\n".join(md) + "\n")
