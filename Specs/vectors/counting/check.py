#!/usr/bin/env python3
"""Independent checker for the counting vectors (Specs/counting.md, "Vectors").

It re-implements the rules of WIRE.md "Ballots, proxies and revotes" and "Result" with
Python's fractions.Fraction, written declaratively (each decision looks at the whole list
of ballots accepted so far) rather than incrementally like the Swift engine, and compares
its answer with each vector's "expect". It shares no code with the engine.

    python3 check.py            # check every *.json here; exit 1 on any mismatch
    python3 check.py FILE...    # check the given files
"""
import json
import re
import sys
from datetime import datetime, timezone
from fractions import Fraction
from pathlib import Path

AREA = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]{1,2})?")
SHARE = re.compile(r"([1-9][0-9]{0,17})/([1-9][0-9]{0,17})")
TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z")
MARKS = ("for", "against", "abstain")


def area(text):
    assert AREA.fullmatch(text) and len(text) <= 15, f"bad area {text!r}"
    value = Fraction(text)
    assert value > 0, f"bad area {text!r}"
    return value


def share(text, quorum=False):
    if text == "1" or (quorum and text == "0"):
        return Fraction(int(text))
    match = SHARE.fullmatch(text)
    assert match, f"bad share {text!r}"
    p, q = int(match[1]), int(match[2])
    assert 0 < p < q and Fraction(p, q).denominator == q, f"bad share {text!r}"
    return Fraction(p, q)


def instant(text):
    assert TIME.fullmatch(text), f"bad time {text!r}"
    return datetime.strptime(text.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z" if "." in text else "%Y-%m-%dT%H:%M:%S%z")


def exact(value):
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def count(vector):
    """The result and refusals WIRE.md prescribes for the vector's register, meeting and ballots."""
    register, meeting = vector["register"], vector["meeting"]
    stakes = []  # (weight, holders)
    total = Fraction(0)
    numbers = set()
    for premises in register["premises"]:
        assert premises["number"] not in numbers, "repeated premises number"
        numbers.add(premises["number"])
        assert premises["kind"] in ("residential", "non-residential")
        a = area(premises["area"])
        total += a
        assert sum(share(s["share"]) for s in premises["stakes"]) == 1, "stakes do not sum to 1"
        for s in premises["stakes"]:
            assert s["holders"] and len(set(s["holders"])) == len(s["holders"])
            stakes.append((a * share(s["share"]), set(s["holders"])))
    owners = set().union(*(holders for _, holders in stakes))
    rules = meeting["rules"]
    assert rules in ("ru-zhk-2024", "generic")
    if rules == "ru-zhk-2024":
        assert "quorum" not in meeting
        quorum = Fraction(1, 2)
    else:
        quorum = share(meeting.get("quorum", "1/2"), quorum=True)
    revote = meeting["revote"]
    assert revote in ("forbidden", "last-counts")
    opens, closes = instant(meeting["opens_at"]), instant(meeting["closes_at"])
    agenda = meeting["agenda"]
    items = [entry["item"] for entry in agenda]

    accepted = []  # (ballot index, ballot)
    refusals = []

    def is_own(ballot):
        return ballot["source"] in ("own", "paper")

    def judge(ballot):
        owner = ballot["owner"]
        if owner not in owners:
            return "unknown-owner"
        if any(item not in items for item in ballot["choices"]):
            return "unknown-item"
        time = instant(ballot["time"])
        if time < opens:
            return "not-open-yet"
        if time >= closes:
            return "closed"
        mine = [holders for _, holders in stakes if owner in holders]
        all_own = all(any(is_own(b) and b["owner"] in holders for _, b in accepted) for holders in mine)
        has_own = any(is_own(b) and b["owner"] == owner for _, b in accepted)
        has_proxy = any(not is_own(b) and b["owner"] == owner for _, b in accepted)
        if revote == "forbidden":
            if is_own(ballot):
                if has_own:
                    return "second-own-ballot"
                if all_own:
                    return "own-ballot-covers-nothing-new"
            else:
                if has_own:
                    return "proxy-after-own-ballot"
                if has_proxy:
                    return "second-proxy-ballot"
                if all_own:
                    return "proxy-covered-by-own"
        elif not is_own(ballot) and all_own:
            return "proxy-covered-by-own"
        return None

    for index, ballot in enumerate(vector["ballots"]):
        assert ballot["source"] in ("own", "paper", "proxy")
        reason = judge(ballot)
        if reason:
            refusals.append({"index": index, "reason": reason})
        else:
            accepted.append((index, ballot))

    # Stake by stake: own ballots of any holder beat proxy ballots; first or latest by policy.
    effective = []  # (weight, ballot index, ballot)
    for weight, holders in stakes:
        covering = [(i, b) for i, b in accepted if b["owner"] in holders]
        pool = [(i, b) for i, b in covering if is_own(b)] or covering
        if pool:
            i, b = pool[0] if revote == "forbidden" else pool[-1]
            effective.append((weight, i, b))
    participating = sum((w for w, _, _ in effective), Fraction(0))
    reached = participating > quorum * total

    results = []
    for entry in agenda:
        item, threshold = entry["item"], entry["threshold"]
        sums = {"for": Fraction(0), "against": Fraction(0), "abstain": Fraction(0), "invalid": Fraction(0), "blank": Fraction(0)}
        for weight, _, ballot in effective:
            choice = ballot["choices"].get(item)
            if choice is None:
                sums["blank"] += weight
            elif isinstance(choice, list):
                assert 2 <= len(choice) <= 3 and len(set(choice)) == len(choice) and set(choice) <= set(MARKS)
                assert ballot["source"] == "paper", "only paper ballots carry several marks"
                sums["invalid"] += weight
            else:
                assert choice in MARKS
                sums[choice] += weight
        assert sum(sums.values()) == participating
        votes_for = sums["for"]
        met = {
            "participants-majority": votes_for > participating / 2,
            "all-majority": votes_for > total / 2,
            "all-two-thirds": 3 * votes_for >= 2 * total,
            "all-unanimous": votes_for == total,
        }[threshold]
        results.append({"item": item, "threshold": threshold, **{k: exact(v) for k, v in sums.items()},
                        "adopted": reached and met})
    result = {
        "meeting": meeting["meeting"], "rules": rules, "total": exact(total), "participating": exact(participating),
        "quorum": {"required": exact(quorum), "reached": reached},
        "ballots": len({i for _, i, _ in effective}), "items": results,
    }
    return {"result": result, "refusals": refusals}


def main(paths):
    folder = Path(__file__).resolve().parent
    files = [Path(p) for p in paths] or sorted(folder.glob("*.json"))
    failures = 0
    for path in files:
        vector = json.loads(path.read_text(encoding="utf-8"))
        computed = count(vector)
        if computed != vector["expect"]:
            failures += 1
            print(f"MISMATCH {path.name}\n  expect:   {json.dumps(vector['expect'], ensure_ascii=False)}\n  computed: {json.dumps(computed, ensure_ascii=False)}")
    print(f"{len(files) - failures}/{len(files)} vectors agree")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
