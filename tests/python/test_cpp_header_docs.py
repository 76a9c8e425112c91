"""Every public declaration in include/fl/**/*.h has a `///` doc comment (issue #7).

A pure-Python heuristic parser (no build, no libclang): it walks each header's braces and statements, and checks
classes, structs, enums and functions declared at namespace scope or in a public section of a class. It skips
preprocessor lines (macro definitions), macro invocations, `namespace detail`, `private:`/`protected:` sections,
function bodies, forward declarations, using/friend/static_assert lines, constructors, destructors, copy and move
assignments, `= default` / `= delete` members, and the trivial overrides `forward`, `extra_repr` and
`reset_parameters` of a class that has its own doc comment. Overloads may share one comment placed above the group
when each follows the previous one on the next line and the comment says so (it contains the word "overload").
"""

import pathlib
import re
from dataclasses import dataclass

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
INCLUDE = ROOT / "include" / "fl"
TRIVIAL_OVERRIDES = {"forward", "extra_repr", "reset_parameters"}
NOT_DECLARATOR = {"requires", "decltype", "noexcept", "alignas", "sizeof", "alignof", "static_assert", "explicit"}


@dataclass
class Decl:
    kind: str  # "class", "enum" or "function"
    name: str
    line: int  # 1-based line of the declaration's first token (the `template` line for templates)
    end_line: int
    documented: bool
    doc: str


def _strip(text):
    """Returns (code, doc_lines): the text with comments, string/char literals and preprocessor lines blanked out
    (newlines kept, so line numbers stay put), and the 1-based numbers of the lines that hold a `///` comment and
    nothing else."""
    lines = text.split("\n")
    doc_lines = {i + 1 for i, l in enumerate(lines) if re.match(r"\s*///(?!/)", l)}
    out, i, n = list(text), 0, len(text)

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    at_line_start = True
    while i < n:
        c = text[i]
        if at_line_start and c == "#":  # preprocessor directive, with backslash continuations
            j = i
            while j < n and not (text[j] == "\n" and text[j - 1] != "\\"):
                j += 1
            blank(i, j)
            i = j
            continue
        if c == "\n":
            at_line_start = True
            i += 1
            continue
        if not c.isspace():
            at_line_start = False
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            blank(i, j)
            i = j
        elif c in "\"'" and not (c == "'" and i > 0 and text[i - 1].isalnum()):  # not a digit separator
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            blank(i + 1, j)
            i = j + 1
        else:
            i += 1
    return "".join(out), doc_lines


def _skip_balanced(code, i, open_ch, close_ch):
    """Index just past the bracket matching the one at code[i]."""
    depth = 0
    while i < len(code):
        if code[i] == open_ch:
            depth += 1
        elif code[i] == close_ch:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def _strip_template_prefix(head):
    """Drops leading `template <...>` clauses."""
    while True:
        m = re.match(r"\s*template\s*<", head)
        if not m:
            return head
        i = m.end() - 1
        depth = 0
        while i < len(head):
            depth += head[i] == "<"
            depth -= head[i] == ">"
            i += 1
            if depth == 0:
                break
        head = head[i:]


def _function_name(head):
    """The declared function's name in a statement head, or None if it declares no function (a variable, an
    alias). The declarator is the first `name(` outside template arguments that is not `requires(`,
    `decltype(`, ... and comes before any top-level `=`."""
    m = re.search(r"\boperator\s*(\(\)|\[\]|[^\s\w(]+|\s\w[\w:<>\s]*?)\s*\(", head)
    if m:
        return "operator" + m.group(1).strip()
    angle = 0
    i = 0
    while i < len(head):
        c = head[i]
        if c == "<":
            angle += 1
        elif c == ">":
            angle = max(0, angle - 1)
        elif c == "=" and angle == 0:
            return None  # an initialised variable or alias
        elif c == "(" and angle == 0:
            before = re.search(r"(~?[A-Za-z_]\w*)\s*$", head[:i])
            if before and before.group(1) not in NOT_DECLARATOR:
                return before.group(1)
            i = _skip_balanced(head, i, "(", ")")
            continue
        i += 1
    return None


def parse_header(text):
    """The public declarations of one header's text, in order."""
    code, doc_lines = _strip(text)
    line_starts = [0] + [m.end() for m in re.finditer("\n", code)]

    def line_of(pos):
        lo, hi = 0, len(line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if line_starts[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    text_lines = text.split("\n")

    def doc_above(line):
        """The `///` lines directly above a 1-based line ("" when there are none)."""
        k = line - 1
        while k in doc_lines:
            k -= 1
        return "\n".join(text_lines[k : line - 1])

    decls = []
    # Scope stack entries: ("namespace", None) or ("class", [class_name, access, documented]).
    scopes = [("namespace", None)]
    head_start, i, n = None, 0, len(code)
    prev = None  # the previous statement's Decl in this scope, for overload groups

    def public_scope():
        kind, info = scopes[-1]
        return kind == "namespace" or info[1] == "public"

    def record(kind, name, start, end):
        nonlocal prev
        line = line_of(start)
        doc = doc_above(line)
        d = Decl(kind, name, line, line_of(end), bool(doc), doc)
        if not d.documented and prev is not None and prev.kind == "function" and kind == "function":
            # An overload group: same name, on the next line, under a comment that says it covers overloads.
            if prev.name == name and prev.end_line + 1 == line and prev.documented and "overload" in prev.doc.lower():
                d.documented, d.doc = True, prev.doc
        decls.append(d)
        prev = d
        return d

    def classify(head, start, end, has_body):
        """Records the declaration a statement head makes (if any must be documented); returns the class scope
        to push for a class body, else None."""
        nonlocal prev
        h = _strip_template_prefix(head).strip()
        h_words = h.split()
        if not h_words:
            return None
        if h_words[0] in ("using", "friend", "typedef", "static_assert", "namespace"):
            prev = None
            return None
        m = re.match(r"(class|struct|union)\s+(?:\[\[[^\]]*\]\]\s*)?([A-Za-z_]\w*)", h)
        if m and "(" not in h.split(":")[0]:
            if not has_body:  # forward declaration
                return None
            d = record("class", m.group(2), start, end) if public_scope() else None
            access = "private" if m.group(1) == "class" else "public"
            return [m.group(2), access, bool(d and d.documented)]
        m = re.match(r"enum\b(?:\s+(?:class|struct))?\s+([A-Za-z_]\w*)", h)
        if m:
            if has_body and public_scope():
                record("enum", m.group(1), start, end)
            return None
        name = _function_name(h)
        if name is None or not public_scope():
            return None
        if re.fullmatch(r"[A-Z][A-Z0-9_]*", name):  # a macro invocation
            return None
        scope_kind, info = scopes[-1]
        if scope_kind == "class":
            class_name, _, class_documented = info
            if name in (class_name, "~" + class_name):
                return None  # constructors and destructors
            if name in TRIVIAL_OVERRIDES and class_documented:
                return None
            if name == "operator=" and re.search(r"\b%s\s*(&&|&)" % re.escape(class_name), h.split("operator=", 1)[1]):
                return None  # copy and move assignment
        if re.search(r"=\s*(default|delete)\s*$", h):
            return None
        record("function", name, start, end)
        return None

    while i < n:
        c = code[i]
        if c.isspace():
            i += 1
            continue
        if head_start is None:
            if c in ";":
                i += 1
                continue
            head_start = i
        if c == "(":
            macro = re.fullmatch(r"\s*[A-Z][A-Z0-9_]*\s*", code[head_start:i])
            i = _skip_balanced(code, i, "(", ")")
            if macro:  # a macro invocation is a statement of its own, with or without a `;`
                head_start, prev = None, None
            continue
        head = code[head_start:i]
        if c == ":" and code[i + 1 : i + 2] != ":" and code[i - 1] != ":" and scopes[-1][0] == "class":
            word = head.strip()
            if word in ("public", "private", "protected"):
                scopes[-1][1][1] = word
                head_start, prev = None, None
                i += 1
                continue
        if c == ";":
            classify(head, head_start, i, has_body=False)
            head_start = None
            i += 1
            continue
        if c == "{":
            stripped = head.strip()
            ns = re.fullmatch(r"(inline\s+)?namespace\s*([\w:]*)", stripped)
            if ns:
                if ns.group(2) and not re.search(r"(^|::)detail$", ns.group(2)):
                    scopes.append(("namespace", None))
                    head_start, prev = None, None
                    i += 1
                else:  # anonymous or detail namespace: skip it whole
                    i = _skip_balanced(code, i, "{", "}")
                    head_start, prev = None, None
                continue
            is_function_body = (
                "(" in stripped
                and not stripped.endswith("=")
                and not re.search(r"\brequires\s*\([^()]*\)\s*$", stripped)
                and _function_name(_strip_template_prefix(stripped)) is not None
            )
            is_type = re.match(r"(class|struct|union|enum)\b", _strip_template_prefix(stripped).strip())
            if is_type and "(" not in stripped.split(":")[0] and not stripped.endswith("="):
                info = classify(head, head_start, i, has_body=True)
                if info is not None and (public_scope()):
                    scopes.append(("class", info))
                    head_start, prev = None, None
                    i += 1
                else:
                    i = _skip_balanced(code, i, "{", "}")
                    # `};` or `} var;` follows: the statement goes on to its `;`.
                    head_start = None
                    j = i
                    while j < n and code[j].isspace():
                        j += 1
                    if j < n and code[j] == ";":
                        i = j + 1
                continue
            if is_function_body:
                n_decls = len(decls)
                classify(head, head_start, i, has_body=True)
                i = _skip_balanced(code, i, "{", "}")
                if len(decls) > n_decls:  # an overload may follow on the line after the body
                    decls[-1].end_line = line_of(i - 1)
                head_start = None
                continue
            i = _skip_balanced(code, i, "{", "}")  # an initializer or a requires-expression: part of the head
            continue
        if c == "}":
            if len(scopes) > 1:
                scopes.pop()
            head_start, prev = None, None
            i += 1
            j = i
            while j < n and code[j].isspace():
                j += 1
            if j < n and code[j] == ";":
                i = j + 1
            continue
        i += 1
    return decls


def undocumented(text):
    return [(d.line, d.kind, d.name) for d in parse_header(text) if not d.documented]


HEADERS = sorted(INCLUDE.rglob("*.h"))


def test_headers_found():
    assert len(HEADERS) > 50
    assert INCLUDE / "tensor.h" in HEADERS


def test_checker_sees_the_real_declarations():
    # A parser that silently skipped whole headers would pass the documentation test vacuously.
    decls = {path: parse_header(path.read_text()) for path in HEADERS}
    assert sum(len(d) for d in decls.values()) > 1000
    names = lambda rel: {(d.kind, d.name) for d in decls[INCLUDE / rel]}
    assert {("class", "Tensor"), ("function", "view"), ("function", "add_"), ("function", "operator<<")} <= names(
        "tensor.h"
    )
    assert {("function", "add"), ("function", "operator+="), ("function", "where")} <= names("ops/binary.h")
    assert {("class", "Linear"), ("class", "LinearOptions")} <= names("nn/modules/linear.h")
    assert ("function", "forward") not in names("nn/modules/linear.h")  # exempt: Linear has a class comment
    assert ("function", "step") in names("optim/lr_scheduler.h")


def test_every_public_declaration_is_documented():
    missing = []
    for path in HEADERS:
        for line, kind, name in undocumented(path.read_text()):
            missing.append(f"{path.relative_to(ROOT)}:{line}: {kind} {name}")
    assert not missing, f"{len(missing)} undocumented public declarations:\n" + "\n".join(missing)


# The checker itself, on small samples.

SAMPLE = """
// A file comment is not a doc comment.
#pragma once
#define FL_MACRO(x) \\
  void x##_fn();
namespace fl {

/// Documented.
Tensor good(const Tensor& a, int64_t dim = -1);
Tensor bad_free(const Tensor& a);
// A plain comment does not count.
Tensor plain_comment(const Tensor& a);

/// Documented template.
template <typename T>
  requires requires(const T& t) { t.items(); }
void templated(const T& t, const std::map<int, int>& m = {}) {
  if (true) { bad_inside_body(); }
}

template <typename T>
T bad_template();

/// torch.add, overloads for a Tensor or a Scalar other.
Tensor add(const Tensor& a, const Tensor& b);
Tensor add(const Tensor& a, Scalar b);
inline Tensor add(const Tensor& a, double b) {
  return add(a, Scalar(b));
}
Tensor add(const Tensor& a, int b);

Tensor add(const Tensor& a, bool b);

/// No mention of the group.
Tensor sub(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, Scalar b);

std::function<std::pair<Tensor, int>(const Tensor&)> bad_returns_function(int x);
decltype(auto) bad_decltype(int x);
struct Forward;
FL_MACRO(relu);
FL_MACRO(gelu)
Tensor bad_after_macro(const Tensor& x);
inline constexpr int kConstant = f(3);
using Alias = std::function<void(int)>;

enum class BadEnum : uint8_t { A, B };

/// A documented struct.
struct Options {
  int field = 0;
  Options() = default;
  Options(int f) : field(f) {}
  /// Documented method.
  Options& set(int f) { field = f; return *this; }
  int bad_method() const { return field; }
  bool operator==(const Options& o) const;

 private:
  void hidden();
};

class BadClass : public Base {
  void private_by_default();

 public:
  ~BadClass() override;
  Tensor forward(const Tensor& x);
  struct BadNested {
    int x;
  };
  BadClass& operator=(const BadClass&) = delete;
  BadClass& operator=(BadClass&&) noexcept;
  BadClass& operator=(const Tensor& t);

 protected:
  void hidden();
};

/// A documented module.
class Module : public Base {
 public:
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  Tensor bad_other(const Tensor& x);
};

namespace detail {
void hidden_detail();
}  // namespace detail

namespace nn::functional {
Tensor bad_nested_namespace(const Tensor& x, const std::string& s = "a{b;c");
}  // namespace nn::functional

}  // namespace fl
"""


def test_checker_flags_exactly_the_undocumented_sample_declarations():
    found = {(kind, name) for _, kind, name in undocumented(SAMPLE)}
    assert found == {
        ("function", "bad_free"),
        ("function", "plain_comment"),
        ("function", "bad_template"),
        ("function", "add"),  # a blank line ends the overload group
        ("function", "sub"),  # the second overload: its group comment does not say it covers overloads
        ("function", "bad_returns_function"),
        ("function", "bad_decltype"),
        ("enum", "BadEnum"),
        ("function", "bad_method"),
        ("function", "operator=="),
        ("class", "BadClass"),
        ("function", "forward"),  # BadClass has no class comment, so its forward is not exempt
        ("class", "BadNested"),
        ("function", "operator="),  # an assignment from another type is no copy or move
        ("function", "bad_other"),
        ("function", "bad_nested_namespace"),
        ("function", "bad_after_macro"),
    }


def test_checker_reports_line_numbers():
    lines = {name: line for line, _, name in undocumented(SAMPLE)}
    sample_lines = SAMPLE.split("\n")
    for name, line in lines.items():
        assert name in sample_lines[line - 1] or "template" in sample_lines[line - 1], (name, line)


@pytest.mark.parametrize(
    "added",
    [
        "Tensor newly_added(const Tensor& x);",
        "inline int newly_added() { return 1; }",
        "template <typename T>\nT newly_added(T x);",
    ],
)
def test_checker_catches_a_newly_added_undocumented_function(added):
    base = "namespace fl {\n/// Documented.\nTensor existing(const Tensor& x);\n\n%s\n}  // namespace fl\n"
    assert undocumented(base % "") == []
    assert [name for _, _, name in undocumented(base % added)] == ["newly_added"]
    assert undocumented(base % ("/// Now documented.\n" + added)) == []
