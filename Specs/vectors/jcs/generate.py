#!/usr/bin/env python3
"""Generates the canonical JSON (RFC 8785) vectors in this folder.

Independent of Veche's Swift code: the expected canonical forms come from the small JCS
written below (Python's json module parses the inputs; sorting and escaping are our own
reading of RFC 8785 section 3.2). Run from anywhere: python3 generate.py

  canonical.json  documents that must parse; "expected" is their canonical text
  reject.json     byte strings that must be refused, with the error kind and byte offset
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_SAFE = 2**53 - 1


def jcs(value):
    """RFC 8785 for Veche's subset: str, int (|n| <= 2^53-1), bool, list, dict."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        assert -MAX_SAFE <= value <= MAX_SAFE
        return str(value)
    if isinstance(value, str):
        return jcs_string(value)
    if isinstance(value, list):
        return "[" + ",".join(jcs(v) for v in value) + "]"
    if isinstance(value, dict):
        # Sort by UTF-16 code units: big-endian UTF-16 bytes compare the same way.
        keys = sorted(value, key=lambda k: k.encode("utf-16-be", "surrogatepass"))
        return "{" + ",".join(jcs_string(k) + ":" + jcs(value[k]) for k in keys) + "}"
    raise TypeError(type(value))


def jcs_string(text):
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\f":
            out.append("\\f")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20:
            out.append("\\u%04x" % code)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def strict_load(text):
    """Parses with Python's json, refusing what our subset refuses, so inputs are checked."""
    def pairs(items):
        keys = [k for k, _ in items]
        assert len(keys) == len(set(keys)), "duplicate key in an accept vector"
        return dict(items)

    def bad_constant(name):
        raise AssertionError("constant " + name + " in an accept vector")

    def bad_float(text):
        raise AssertionError("float in an accept vector")

    return json.loads(text, object_pairs_hook=pairs, parse_float=bad_float, parse_constant=bad_constant)


ACCEPT = [
    ("members are sorted", '{"b":2,"a":1,"c":3}'),
    ("insignificant whitespace of all four kinds is dropped", ' \t\r\n{ "a" : [ 1 , 2 , { } , [ ] ] ,\n\t"b":true }\r\n'),
    ("nested objects are sorted at every level", '{"z":{"y":{"b":1,"a":2},"x":[{"d":4,"c":3}]},"a":{"k":[]}}'),
    ("empty containers", '{"a":{},"b":[],"c":[{},[]]}'),
    ("top-level empty object", "{}"),
    ("top-level array", '[3,2,1,"x",false]'),
    ("top-level string", '"just a string"'),
    ("top-level integer", "42"),
    ("integers at the limits", '{"max":9007199254740991,"min":-9007199254740991,"zero":0,"neg":-1,"ten":10}'),
    ("booleans", '{"t":true,"f":false}'),
    (
        "keys above U+FFFF sort before U+E000-U+FFFF (UTF-16 order, not code points)",
        '{"\\uffff":1,"\\ue000":2,"\\ud83d\\ude00":3,"a":4,"\\u00e9":5,"\\ud800\\udc00":6,"\\uff21":7}',
    ),
    (
        "RFC 8785 section 3.2.3 sorting example",
        '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh",'
        '"1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control",'
        '"\\u00f6":"Latin Small Letter O With Diaeresis"}',
    ),
    ("literal astral and private-use keys", '{"\U0001F600":"grin","\ue000":"pua","\U00010000":"linear b","\ufffd":"replacement"}'),
    ("keys that are prefixes of each other", '{"ab":1,"a":2,"":3,"aa":4,"b":5,"A":6}'),
    (
        "every control character is escaped minimally",
        '"' + "".join("\\u%04x" % c for c in range(0x20)) + '"',
    ),
    ("quote, backslash and solidus", '{"s":"\\"quoted\\" back\\\\slash \\/solidus/"}'),
    ("escaped non-ASCII becomes literal UTF-8", '{"s":"\\u00e9\\u0416\\u20AC\\uD83D\\uDE00"}'),
    ("DEL, U+2028 and U+2029 stay literal", '{"s":"\x7f\u2028\u2029"}'),
    ("Cyrillic text and keys", '{"адрес":"г. Казань, ул. Баумана, д. 1","номер":"12А","владелец":"н1"}'),
    ("canonically equivalent strings keep their own code points", '{"nfd":"e\\u0301","nfc":"\\u00e9"}'),
    (
        "a realistic command",
        '{\n  "type": "ballot.cast",\n  "id": "b-7f3c2a91d4e8",\n  "ledger": "vote.example.ru/16",\n'
        '  "meeting": "M-2026-11",\n  "owner": "owner-0042",\n'
        '  "choices": {"10": "for", "2": "against", "1": "abstain"}\n}',
    ),
    ("deep nesting within the limit (32 levels)", "[" * 32 + "]" * 32),
]

# (name, input bytes, kind, offset). Offsets are zero-based byte positions as Veche reports
# them: the offending byte, or the start of the offending token.
def reject_cases():
    cases = []

    def add(name, data, kind, offset):
        if isinstance(data, str):
            data = data.encode("utf-8")
        cases.append({"name": name, "inputHex": data.hex(), "kind": kind, "offset": offset})

    add("empty document", b"", "unexpectedEnd", 0)
    add("only whitespace", b" \n\t", "unexpectedEnd", 3)
    add("byte order mark", b"\xef\xbb\xbf{}", "byteOrderMark", 0)
    add("trailing garbage", '{"a":1}x', "trailingGarbage", 7)
    add("two values", "1 2", "trailingGarbage", 2)
    add("fraction", '{"a":1.5}', "fraction", 6)
    add("zero fraction", '{"a":1.0}', "fraction", 6)
    add("exponent", '{"a":1e5}', "exponent", 6)
    add("capital exponent", "[2E3]", "exponent", 2)
    add("negative zero", '{"a":-0}', "negativeZero", 5)
    add("negative zero with fraction", "-0.0", "fraction", 2)
    add("leading zero", '{"a":01}', "leadingZero", 5)
    add("negative leading zero", "[-01]", "leadingZero", 1)
    add("2^53 is out of range", '{"a":9007199254740992}', "integerOutOfRange", 5)
    add("-2^53 is out of range", "[-9007199254740992]", "integerOutOfRange", 1)
    add("huge integer", "[" + "9" * 400 + "]", "integerOutOfRange", 1)
    add("minus without digits", "[-]", "invalidNumber", 1)
    add("plus sign", "[+1]", "unexpectedCharacter", 1)
    add("hexadecimal number", "[0x10]", "unexpectedCharacter", 2)
    add("NaN", "[NaN]", "unexpectedCharacter", 1)
    add("Infinity", "[Infinity]", "unexpectedCharacter", 1)
    add("null at top level", "null", "null", 0)
    add("null member", '{"a":null}', "null", 5)
    add("misspelt literal", "[tru]", "invalidLiteral", 1)
    add("duplicate key", '{"a":1,"a":2}', "duplicateKey", 7)
    add("duplicate key through an escape", '{"a":1,"\\u0061":2}', "duplicateKey", 7)
    add("duplicate key in a nested object", '{"x":{"k":1,"j":2,"k":3}}', "duplicateKey", 18)
    add("lone high surrogate", '["\\ud800"]', "loneSurrogate", 2)
    add("lone low surrogate", '["\\udc00"]', "loneSurrogate", 2)
    add("high surrogate followed by a non-surrogate escape", '["\\ud83d\\u0041"]', "loneSurrogate", 2)
    add("high surrogate followed by a plain character", '["\\ud83dx"]', "loneSurrogate", 2)
    add("two high surrogates", '["\\ud83d\\ud83d"]', "loneSurrogate", 2)
    add("raw control character in a string", b'["a\x01b"]', "controlCharacter", 3)
    add("raw tab in a string", b'["a\tb"]', "controlCharacter", 3)
    add("raw newline in a string", b'{"a":"x\ny"}', "controlCharacter", 7)
    add("unknown escape", '["\\x41"]', "invalidEscape", 2)
    add("escaped single quote", "[\"\\'\"]", "invalidEscape", 2)
    add("short unicode escape", '["\\u12G4"]', "invalidEscape", 2)
    add("lone continuation byte", b'["\x80"]', "invalidUTF8", 2)
    add("overlong two-byte slash", b'["\xc0\xaf"]', "invalidUTF8", 2)
    add("overlong three-byte form", b'["\xe0\x80\xaf"]', "invalidUTF8", 2)
    add("overlong four-byte form", b'["\xf0\x80\x80\xaf"]', "invalidUTF8", 2)
    add("UTF-8 encoded surrogate", b'["\xed\xa0\x80"]', "invalidUTF8", 2)
    add("code point above U+10FFFF", b'["\xf4\x90\x80\x80"]', "invalidUTF8", 2)
    add("lead byte F5", b'["\xf5\x80\x80\x80"]', "invalidUTF8", 2)
    add("byte FF", b'["\xff"]', "invalidUTF8", 2)
    add("truncated sequence", b'["\xe2\x82"]', "invalidUTF8", 2)
    add("truncated sequence at the end", b'["\xe2\x82', "invalidUTF8", 2)
    add("invalid UTF-8 in a key", b'{"k\xc3":1}', "invalidUTF8", 3)
    add("unterminated string", '["abc', "unexpectedEnd", 1)
    add("unclosed object", '{"a":1', "unexpectedEnd", 6)
    add("unclosed array", "[1,2", "unexpectedEnd", 4)
    add("trailing comma in an object", '{"a":1,}', "unexpectedCharacter", 7)
    add("trailing comma in an array", "[1,]", "unexpectedCharacter", 3)
    add("missing colon", '{"a" 1}', "unexpectedCharacter", 5)
    add("unquoted key", "{a:1}", "unexpectedCharacter", 1)
    add("single-quoted string", "['a']", "unexpectedCharacter", 1)
    add("comment", "[1/*c*/]", "unexpectedCharacter", 2)
    add("non-breaking space as whitespace", b"[1,\xc2\xa02]", "unexpectedCharacter", 3)
    add("form feed as whitespace", b"[1,\x0c2]", "unexpectedCharacter", 3)
    add("33 levels of nesting", "[" * 33 + "]" * 33, "tooDeep", 32)
    return cases


def main():
    vectors = []
    for name, text in ACCEPT:
        value = strict_load(text)
        vectors.append({"name": name, "input": text, "expected": jcs(value)})
    with open(os.path.join(HERE, "canonical.json"), "w", encoding="utf-8") as f:
        json.dump({"about": "input parses; its canonical (RFC 8785) form is expected; texts as JSON strings",
                   "vectors": vectors}, f, ensure_ascii=True, indent=2)
        f.write("\n")
    with open(os.path.join(HERE, "reject.json"), "w", encoding="utf-8") as f:
        json.dump({"about": "inputHex must be refused with this error kind at this zero-based byte offset",
                   "vectors": reject_cases()}, f, ensure_ascii=True, indent=2)
        f.write("\n")
    print(len(vectors), "canonical vectors,", len(reject_cases()), "reject vectors")


if __name__ == "__main__":
    main()
