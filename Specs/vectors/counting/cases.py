#!/usr/bin/env python3
"""Writes the counting vectors (*.json here). The expectations of the named cases are worked
out by hand (see each case's description); check.py then recomputes every vector
independently. Only the two "random-*" cases take their expectations from check.py.

    python3 cases.py && python3 check.py
"""
import json
import random
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # keep __pycache__ out of the vectors folder
import check  # noqa: E402

HERE = Path(__file__).resolve().parent
OPENS, CLOSES = "2026-12-01T00:00:00Z", "2026-12-11T00:00:00Z"


def flat(number, area, *stakes, kind="residential"):
    return {"number": number, "kind": kind, "area": area, "stakes": list(stakes)}


def stake(share, *holders):
    return {"holders": list(holders), "share": share}


def sole(number, area, owner, kind="residential"):
    return flat(number, area, stake("1", owner), kind=kind)


class Ballots:
    """Ballots in ledger order, one minute apart unless a time is given."""

    def __init__(self):
        self.list = []
        self.minute = 0

    def add(self, owner, choices, source="own", time=None):
        if time is None:
            self.minute += 1
            time = f"2026-12-02T{10 + self.minute // 60:02d}:{self.minute % 60:02d}:00.000Z"
        self.list.append({"owner": owner, "source": source, "time": time, "choices": choices})
        return self


def item(number, threshold):
    return {"item": number, "threshold": threshold}


PM, AM, TT, UN = "participants-majority", "all-majority", "all-two-thirds", "all-unanimous"


def expected(total, participating, reached, ballots, items, required="1/2", refusals=(), meeting="M1", rules="ru-zhk-2024"):
    return {
        "result": {
            "meeting": meeting, "rules": rules, "total": total, "participating": participating,
            "quorum": {"required": required, "reached": reached}, "ballots": ballots,
            "items": [{"item": i, "threshold": t, "for": f, "against": a, "abstain": ab, "invalid": inv, "blank": bl,
                       "adopted": ad} for (i, t, f, a, ab, inv, bl, ad) in items],
        },
        "refusals": [{"index": i, "reason": r} for i, r in refusals],
    }


CASES = []


def case(name, description, premises, agenda, ballots, expect, revote="forbidden", rules="ru-zhk-2024", quorum=None,
         opens=OPENS, closes=CLOSES):
    meeting = {"meeting": "M1", "rules": rules, "revote": revote, "opens_at": opens, "closes_at": closes, "agenda": agenda}
    if quorum is not None:
        meeting["quorum"] = quorum
    CASES.append({
        "name": name, "description": description,
        "register": {"building": "b-test-1", "address": "г. Казань, ул. Тестовая, д. 1", "premises": premises},
        "meeting": meeting, "ballots": ballots.list, "expect": expect,
    })


case("01-weights-area-times-share",
     "Vote weight = area × share (ЖК РФ ст. 48 ч.3). Flat 1 is 54.3 m² (o1), flat 2 is 45.7 m² held 1/2 + 1/2 "
     "(o2, o3), so o2 and o3 carry 22.85 each. Total 100; all vote: for 54.3 > 100/2 → adopted.",
     [sole("1", "54.3", "o1"), flat("2", "45.7", stake("1/2", "o2"), stake("1/2", "o3"))],
     [item("1", PM)],
     Ballots().add("o1", {"1": "for"}).add("o2", {"1": "against"}).add("o3", {"1": "abstain"}),
     expected("100", "100", True, 3, [("1", PM, "543/10", "457/20", "457/20", "0", "0", True)]))

case("02-quorum-exactly-half-not-reached",
     "Quorum needs MORE than half of all votes (ст. 45 ч.3). Two flats of 50; only o1 votes: participating 50 = "
     "1/2 × 100, not more → no quorum, so nothing is adopted although every participant voted for.",
     [sole("1", "50", "o1"), sole("2", "50", "o2")],
     [item("1", PM)],
     Ballots().add("o1", {"1": "for"}),
     expected("100", "50", False, 1, [("1", PM, "50", "0", "0", "0", "0", False)]))

case("03-quorum-one-hundredth-over-half",
     "Flat 1 is 50.01 m², flat 2 is 50 m²: total 100.01, half is 50.005. o1 alone participates with 50.01 > 50.005 → "
     "quorum reached, though a display rounded to 2 places shows 50.00 % (rounding never decides).",
     [sole("1", "50.01", "o1"), sole("2", "50", "o2")],
     [item("1", PM)],
     Ballots().add("o1", {"1": "for"}),
     expected("10001/100", "5001/100", True, 1, [("1", PM, "5001/100", "0", "0", "0", "0", True)]))

case("04-participants-majority-exactly-half-not-adopted",
     "Flats 50 (o1), 30 (o2), 20 (o3), 40 (o4); total 140. o1 for, o2 against, o3 abstains: participating 100 > 70. "
     "for 50 is exactly half of 100, not more → not adopted (ст. 46 ч.1: «более 50%»).",
     [sole("1", "50", "o1"), sole("2", "30", "o2"), sole("3", "20", "o3"), sole("4", "40", "o4")],
     [item("1", PM)],
     Ballots().add("o1", {"1": "for"}).add("o2", {"1": "against"}).add("o3", {"1": "abstain"}),
     expected("140", "100", True, 3, [("1", PM, "50", "30", "20", "0", "0", False)]))

case("05-abstentions-stay-in-participants-base",
     "Flats 45 (o1), 40 (o2), 15 (o3), 20 (o4); total 120. for 45, against 40, abstain 15 of participating 100: more "
     "for than against, but 45 is not more than 100/2 because abstentions stay in the base → not adopted.",
     [sole("1", "45", "o1"), sole("2", "40", "o2"), sole("3", "15", "o3"), sole("4", "20", "o4")],
     [item("1", PM)],
     Ballots().add("o1", {"1": "for"}).add("o2", {"1": "against"}).add("o3", {"1": "abstain"}),
     expected("120", "100", True, 3, [("1", PM, "45", "40", "15", "0", "0", False)]))

case("06-all-majority-exactly-half-vs-participants-majority",
     "Flats 100 (o1), 50 (o2), 50 (o3); total 200. o1 for, o2 against on both items; participating 150. Item 1 "
     "(all-majority): for 100 = 200/2, not more → not adopted. Item 2 (participants-majority): 100 > 150/2 → adopted. "
     "The two bases are never mixed (LAW.md pitfall 7).",
     [sole("1", "100", "o1"), sole("2", "50", "o2"), sole("3", "50", "o3")],
     [item("1", AM), item("2", PM)],
     Ballots().add("o1", {"1": "for", "2": "for"}).add("o2", {"1": "against", "2": "against"}),
     expected("200", "150", True, 2, [("1", AM, "100", "50", "0", "0", "0", False),
                                      ("2", PM, "100", "50", "0", "0", "0", True)]))

case("07-all-two-thirds-exactly-adopted",
     "Flats 100 (o1), 50 (o2); total 150. o1 for: 3 × 100 = 300 ≥ 2 × 150 = 300 → the two-thirds item is adopted "
     "(«не менее 2/3»: ≥). The all-majority item: 100 > 75 → adopted.",
     [sole("1", "100", "o1"), sole("2", "50", "o2")],
     [item("1", TT), item("2", AM)],
     Ballots().add("o1", {"1": "for", "2": "for"}),
     expected("150", "100", True, 1, [("1", TT, "100", "0", "0", "0", "0", True),
                                      ("2", AM, "100", "0", "0", "0", "0", True)]))

case("08-two-thirds-short-though-display-rounds-up",
     "Flats 1999.99 (o1), 1000.01 (o2); total 3000, two thirds = 2000. o1 for: 1999.99 / 3000 = 66.6663 %, which "
     "displays as 66.67 %, but 3 × 1999.99 = 5999.97 < 6000 → not adopted (LAW.md pitfall 6).",
     [sole("1", "1999.99", "o1"), sole("2", "1000.01", "o2")],
     [item("1", TT)],
     Ballots().add("o1", {"1": "for"}),
     expected("3000", "199999/100", True, 1, [("1", TT, "199999/100", "0", "0", "0", "0", False)]))

case("09-unanimous-one-stake-short",
     "Flat 1 is 50 (o1); flat 2 is 50 held 2/3 (o2) and 1/3 (o3); total 100. o1 and o2 vote for, o3 against: for = "
     "50 + 100/3 = 250/3 ≠ 100 → the unanimous item fails; the same votes pass a two-thirds item (250 ≥ 200). A 100 % "
     "item is never passed by 2/3 (LAW.md pitfall 9).",
     [sole("1", "50", "o1"), flat("2", "50", stake("2/3", "o2"), stake("1/3", "o3"))],
     [item("1", UN), item("2", TT)],
     Ballots().add("o1", {"1": "for", "2": "for"}).add("o2", {"1": "for", "2": "for"}).add("o3", {"1": "against", "2": "against"}),
     expected("100", "100", True, 3, [("1", UN, "250/3", "50/3", "0", "0", "0", False),
                                      ("2", TT, "250/3", "50/3", "0", "0", "0", True)]))

case("10-unanimous-adopted-with-joint-municipal-and-non-residential",
     "Flat 1 (40) is held jointly by o1 and o2; flat 2 (35.5) is municipal; н1 (120.25) is a shop. Total 195.75 = 783/4. "
     "o1 votes for the joint flat, the municipality and the shop owner vote for: for = total → unanimous item adopted.",
     [flat("1", "40", stake("1", "o1", "o2")), sole("2", "35.5", "municipality"),
      sole("н1", "120.25", "o-shop", kind="non-residential")],
     [item("1", UN)],
     Ballots().add("o1", {"1": "for"}).add("municipality", {"1": "for"}).add("o-shop", {"1": "for"}),
     expected("783/4", "783/4", True, 3, [("1", UN, "783/4", "0", "0", "0", "0", True)]))

case("11-double-mark-voids-only-that-item",
     "Flats 60 (o1), 40 (o2). o1's paper ballot marks item 1 for AND against, item 2 for, item 3 all three marks; o2 "
     "votes against, against, for. Item 1: 60 invalid, against 40 → not adopted; item 2 counts o1's for 60 → adopted; "
     "item 3: 60 invalid, for 40 → not adopted. o1 still participates (ст. 48 ч.6; LAW.md pitfall 4).",
     [sole("1", "60", "o1"), sole("2", "40", "o2")],
     [item("1", PM), item("2", PM), item("3", PM)],
     Ballots().add("o1", {"1": ["for", "against"], "2": "for", "3": ["for", "against", "abstain"]}, source="paper")
              .add("o2", {"1": "against", "2": "against", "3": "for"}),
     expected("100", "100", True, 2, [("1", PM, "0", "40", "0", "60", "0", False),
                                      ("2", PM, "60", "40", "0", "0", "0", True),
                                      ("3", PM, "40", "0", "0", "60", "0", False)]))

case("12-blank-item-stays-in-base",
     "Flats 60 (o1), 40 (o2), 20 (o3); total 120. o1 marks only item 1 (for); o2 marks both for. Participating 100. "
     "Item 1: for 100 → adopted. Item 2: for 40, blank 60; 40 is not more than 100/2 → not adopted.",
     [sole("1", "60", "o1"), sole("2", "40", "o2"), sole("3", "20", "o3")],
     [item("1", PM), item("2", PM)],
     Ballots().add("o1", {"1": "for"}).add("o2", {"1": "for", "2": "for"}),
     expected("120", "100", True, 2, [("1", PM, "100", "0", "0", "0", "0", True),
                                      ("2", PM, "40", "0", "0", "0", "60", False)]))

case("13-empty-ballot-participates",
     "Flats 70 (o1), 30 (o2). o1 casts a ballot with no marks at all, o2 votes for. o1 counts toward the quorum "
     "and the base: participating 100, for 30, blank 70 → not adopted.",
     [sole("1", "70", "o1"), sole("2", "30", "o2")],
     [item("1", PM)],
     Ballots().add("o1", {}).add("o2", {"1": "for"}),
     expected("100", "100", True, 2, [("1", PM, "30", "0", "0", "0", "70", False)]))

case("14-shared-ownership-each-votes-own-fraction",
     "Flat 1 (90) is held 1/3 by o1 and 2/3 by o2 (долевая); flat 2 (10) by o3. o1 for (30), o2 against (60). "
     "Neither co-owner counts the whole flat (LAW.md pitfall 3): for 30, against 60 of 90 → not adopted.",
     [flat("1", "90", stake("1/3", "o1"), stake("2/3", "o2")), sole("2", "10", "o3")],
     [item("1", PM)],
     Ballots().add("o1", {"1": "for"}).add("o2", {"1": "against"}),
     expected("100", "90", True, 2, [("1", PM, "30", "60", "0", "0", "0", False)]))

case("15-joint-ownership-one-holder-votes-whole-stake",
     "Flat 1 (80) is held jointly by o1 and o2 (совместная, ГК ст. 253); flat 2 (20) by o3. o1 alone votes for: the "
     "whole stake of 80 counts → adopted.",
     [flat("1", "80", stake("1", "o1", "o2")), sole("2", "20", "o3")],
     [item("1", PM)],
     Ballots().add("o1", {"1": "for"}),
     expected("100", "80", True, 1, [("1", PM, "80", "0", "0", "0", "0", True)]))

case("16-joint-coholder-second-own-refused-under-forbidden",
     "As case 15 under revote forbidden: o1 votes for, then co-holder o2 votes against. Every stake of o2 already has "
     "an own ballot → refused (own-ballot-covers-nothing-new); o1's ballot counts.",
     [flat("1", "80", stake("1", "o1", "o2")), sole("2", "20", "o3")],
     [item("1", PM)],
     Ballots().add("o1", {"1": "for"}).add("o2", {"1": "against"}),
     expected("100", "80", True, 1, [("1", PM, "80", "0", "0", "0", "0", True)], refusals=[(1, "own-ballot-covers-nothing-new")]))

case("17-joint-coholders-latest-own-counts-under-last-counts",
     "As case 16 under last-counts: o2's later own ballot supersedes o1's on the joint stake. against 80; o1's ballot is "
     "effective for no stake, so ballots = 1.",
     [flat("1", "80", stake("1", "o1", "o2")), sole("2", "20", "o3")],
     [item("1", PM)],
     Ballots().add("o1", {"1": "for"}).add("o2", {"1": "against"}),
     expected("100", "80", True, 1, [("1", PM, "0", "80", "0", "0", "0", False)]), revote="last-counts")

case("18-joint-coholder-with-sole-stake-under-forbidden",
     "Flat 1 (80) joint o1+o2; flat 2 (20) o2 alone; flat 3 (50) o3; total 150. Forbidden: o1 votes for (flat 1); o2's "
     "later ballot (against) still covers flat 2, so it is accepted, but flat 1 keeps o1's first own ballot. for 80, "
     "against 20 → adopted; both ballots effective.",
     [flat("1", "80", stake("1", "o1", "o2")), sole("2", "20", "o2"), sole("3", "50", "o3")],
     [item("1", PM)],
     Ballots().add("o1", {"1": "for"}).add("o2", {"1": "against"}),
     expected("150", "100", True, 2, [("1", PM, "80", "20", "0", "0", "0", True)]))

case("19-own-ballot-overrides-earlier-proxy",
     "Flats 60 (o1), 40 (o2). Forbidden. A representative votes for o1 (for), then o1 votes himself (against): the own "
     "ballot beats the proxy whatever the order. against 60; the proxy ballot is effective nowhere → ballots 1.",
     [sole("1", "60", "o1"), sole("2", "40", "o2")],
     [item("1", PM)],
     Ballots().add("o1", {"1": "for"}, source="proxy").add("o1", {"1": "against"}),
     expected("100", "60", True, 1, [("1", PM, "0", "60", "0", "0", "0", False)]))

case("20-proxy-after-own-refused-under-forbidden",
     "Flats 60 (o1), 40 (o2). Forbidden. o1 votes against, then a representative tries to vote for o1 → refused "
     "(proxy-after-own-ballot).",
     [sole("1", "60", "o1"), sole("2", "40", "o2")],
     [item("1", PM)],
     Ballots().add("o1", {"1": "against"}).add("o1", {"1": "for"}, source="proxy"),
     expected("100", "60", True, 1, [("1", PM, "0", "60", "0", "0", "0", False)], refusals=[(1, "proxy-after-own-ballot")]))

case("21-proxy-after-own-refused-under-last-counts",
     "As case 20 under last-counts: the proxy ballot could never count → refused (proxy-covered-by-own). o1 then votes "
     "again (for): a second own ballot is fine under last-counts and the latest counts → for 60, adopted.",
     [sole("1", "60", "o1"), sole("2", "40", "o2")],
     [item("1", PM)],
     Ballots().add("o1", {"1": "against"}).add("o1", {"1": "for"}, source="proxy").add("o1", {"1": "for"}),
     expected("100", "60", True, 1, [("1", PM, "60", "0", "0", "0", "0", True)], refusals=[(1, "proxy-covered-by-own")]),
     revote="last-counts")

case("22-coholder-own-beats-proxy-for-other-coholder",
     "Flat 1 (50) joint o-a+o-b; flat 2 (30) o-a alone; flat 3 (40) o3; total 120. Forbidden. A representative votes "
     "for o-a (for: flats 1 and 2); then o-b votes himself (against). o-b's own ballot beats the proxy on the joint "
     "flat; the proxy still counts for flat 2. for 30, against 50 of 80 → not adopted; both ballots effective.",
     [flat("1", "50", stake("1", "o-a", "o-b")), sole("2", "30", "o-a"), sole("3", "40", "o3")],
     [item("1", PM)],
     Ballots().add("o-a", {"1": "for"}, source="proxy").add("o-b", {"1": "against"}),
     expected("120", "80", True, 2, [("1", PM, "30", "50", "0", "0", "0", False)]))

case("23-second-own-ballot-refused-under-forbidden",
     "Flats 60 (o1), 40 (o2). Forbidden. o1 votes for, then against (refused), then a paper ballot for o1 arrives "
     "(refused too: paper counts as own). o2 votes against. for 60, against 40 → adopted.",
     [sole("1", "60", "o1"), sole("2", "40", "o2")],
     [item("1", PM)],
     Ballots().add("o1", {"1": "for"}).add("o1", {"1": "against"}).add("o1", {"1": "abstain"}, source="paper")
              .add("o2", {"1": "against"}),
     expected("100", "100", True, 2, [("1", PM, "60", "40", "0", "0", "0", True)],
              refusals=[(1, "second-own-ballot"), (2, "second-own-ballot")]))

case("24-last-counts-latest-own-counts",
     "Flats 60 (o1), 40 (o2). Last-counts. o1 votes for, against, then abstain on paper: the latest counts (abstain 60). "
     "o2 votes for. for 40 of 100 → not adopted; ballots 2 (o1's first two are superseded).",
     [sole("1", "60", "o1"), sole("2", "40", "o2")],
     [item("1", PM)],
     Ballots().add("o1", {"1": "for"}).add("o1", {"1": "against"}).add("o1", {"1": "abstain"}, source="paper")
              .add("o2", {"1": "for"}),
     expected("100", "100", True, 2, [("1", PM, "40", "0", "60", "0", "0", False)]), revote="last-counts")

case("25-second-proxy-refused-under-forbidden",
     "Flats 60 (o1), 40 (o2). Forbidden. A representative votes for o1 (for), then again (against) → refused "
     "(second-proxy-ballot). for 60 → adopted.",
     [sole("1", "60", "o1"), sole("2", "40", "o2")],
     [item("1", PM)],
     Ballots().add("o1", {"1": "for"}, source="proxy").add("o1", {"1": "against"}, source="proxy"),
     expected("100", "60", True, 1, [("1", PM, "60", "0", "0", "0", "0", True)], refusals=[(1, "second-proxy-ballot")]))

case("26-last-counts-latest-proxy-counts",
     "As case 25 under last-counts: the second proxy ballot supersedes the first → against 60, not adopted.",
     [sole("1", "60", "o1"), sole("2", "40", "o2")],
     [item("1", PM)],
     Ballots().add("o1", {"1": "for"}, source="proxy").add("o1", {"1": "against"}, source="proxy"),
     expected("100", "60", True, 1, [("1", PM, "0", "60", "0", "0", "0", False)]), revote="last-counts")

case("27-proxy-covered-by-coholder-own-refused",
     "Flat 1 (50) joint o-a+o-b; flat 2 (40) o3; total 90. Last-counts. o-b votes for; a representative of o-a then "
     "votes against: every stake of o-a already has an own ballot → refused (proxy-covered-by-own). for 50 > 45 → adopted.",
     [flat("1", "50", stake("1", "o-a", "o-b")), sole("2", "40", "o3")],
     [item("1", PM)],
     Ballots().add("o-b", {"1": "for"}).add("o-a", {"1": "against"}, source="proxy"),
     expected("90", "50", True, 1, [("1", PM, "50", "0", "0", "0", "0", True)], refusals=[(1, "proxy-covered-by-own")]),
     revote="last-counts")

case("28-voting-window-is-half-open",
     "Four flats of 25. The window is [2026-12-01T00:00:00Z, 2026-12-11T00:00:00Z). o1 at 1 ms before opening → refused; "
     "o1 exactly at opening → counts; o2 1 ms before closing → counts; o3 exactly at closes_at and o4 1 ms later → "
     "refused (LAW.md pitfall 5). participating 50 = half → no quorum; the late ballots would have made it.",
     [sole("1", "25", "o1"), sole("2", "25", "o2"), sole("3", "25", "o3"), sole("4", "25", "o4")],
     [item("1", PM)],
     Ballots().add("o1", {"1": "for"}, time="2026-11-30T23:59:59.999Z").add("o1", {"1": "for"}, time="2026-12-01T00:00:00.000Z")
              .add("o2", {"1": "for"}, time="2026-12-10T23:59:59.999Z").add("o3", {"1": "for"}, time="2026-12-11T00:00:00.000Z")
              .add("o4", {"1": "for"}, time="2026-12-11T00:00:00.001Z"),
     expected("100", "50", False, 2, [("1", PM, "50", "0", "0", "0", "0", False)],
              refusals=[(0, "not-open-yet"), (3, "closed"), (4, "closed")]))

case("29-unknown-owner-and-unknown-item-refused",
     "Flats 60 (o1), 40 (o2). A ballot for o9 (no stakes) is refused (unknown-owner, LAW.md pitfall 2); o1's ballot "
     "naming item 7, which is not on the agenda, is refused whole (unknown-item) and does not use up o1's vote; o1's "
     "next ballot counts. for 60, against 40 → adopted.",
     [sole("1", "60", "o1"), sole("2", "40", "o2")],
     [item("1", PM)],
     Ballots().add("o9", {"1": "for"}).add("o1", {"1": "for", "7": "for"}).add("o1", {"1": "for"}).add("o2", {"1": "against"}),
     expected("100", "100", True, 2, [("1", PM, "60", "40", "0", "0", "0", True)],
              refusals=[(0, "unknown-owner"), (1, "unknown-item")]))

case("30-denominator-includes-municipal-and-non-residential",
     "Total votes are the sum of ALL premises (LAW.md pitfall 1): flats 52.4 (o1), 47.6 (o2), 61.2 (municipal), shop н1 "
     "150.8 (o-shop), storage н2 88 (municipal) → 400. o1, o2 and the municipality vote for: 52.4 + 47.6 + 61.2 + 88 = "
     "249.2 = 1246/5 > 200. all-majority: 498.4 > 400 → adopted; all-two-thirds: 747.6 < 800 → not adopted.",
     [sole("1", "52.4", "o1"), sole("2", "47.6", "o2"), sole("3", "61.2", "municipality"),
      sole("н1", "150.8", "o-shop", kind="non-residential"), sole("н2", "88", "municipality", kind="non-residential")],
     [item("1", AM), item("2", TT)],
     Ballots().add("o1", {"1": "for", "2": "for"}).add("o2", {"1": "for", "2": "for"}).add("municipality", {"1": "for", "2": "for"}),
     expected("400", "1246/5", True, 3, [("1", AM, "1246/5", "0", "0", "0", "0", True),
                                         ("2", TT, "1246/5", "0", "0", "0", "0", False)]))

case("31-generic-quorum-zero",
     "Rule set generic with quorum \"0\": any participation is a quorum. Flats 10 (o1), 90 (o2); o1 alone votes for: "
     "10 > 0 → reached, for 10 of 10 → adopted.",
     [sole("1", "10", "o1"), sole("2", "90", "o2")],
     [item("1", PM)],
     Ballots().add("o1", {"1": "for"}),
     expected("100", "10", True, 1, [("1", PM, "10", "0", "0", "0", "0", True)], required="0", rules="generic"),
     rules="generic", quorum="0", opens="2026-01-01T00:00:00Z")

case("32-generic-quorum-two-thirds-exactly-not-reached",
     "Generic with quorum \"2/3\": three flats of 40; o1 and o2 vote for: 80 = 2/3 × 120, not more → no quorum.",
     [sole("1", "40", "o1"), sole("2", "40", "o2"), sole("3", "40", "o3")],
     [item("1", PM)],
     Ballots().add("o1", {"1": "for"}).add("o2", {"1": "for"}),
     expected("120", "80", False, 2, [("1", PM, "80", "0", "0", "0", "0", False)], required="2/3", rules="generic"),
     rules="generic", quorum="2/3")

case("33-generic-quorum-zero-without-ballots",
     "Generic with quorum \"0\" and no ballots: participating 0 is not more than 0 → no quorum; every amount is 0.",
     [sole("1", "10", "o1"), sole("2", "90", "o2")],
     [item("1", PM), item("2", UN)],
     Ballots(),
     expected("100", "0", False, 0, [("1", PM, "0", "0", "0", "0", "0", False), ("2", UN, "0", "0", "0", "0", "0", False)],
              required="0", rules="generic"),
     rules="generic", quorum="0")

case("34-distinct-denominators-stay-exact",
     "Three flats of 10 held 2/7+5/7, 3/11+8/11, 4/13+9/13. o1 (20/7), o3 (30/11), o5 (40/13) vote for; o2 (50/7) "
     "against; o4 (80/11) abstains; o6 (90/13) does not vote. for = (2860 + 2730 + 3080)/1001 = 8670/1001; participating "
     "= 30 − 90/13 = 300/13 = 23100/1001; 2 × 8670 = 17340 < 23100 → not adopted.",
     [flat("1", "10", stake("2/7", "o1"), stake("5/7", "o2")), flat("2", "10", stake("3/11", "o3"), stake("8/11", "o4")),
      flat("3", "10", stake("4/13", "o5"), stake("9/13", "o6"))],
     [item("1", PM)],
     Ballots().add("o1", {"1": "for"}).add("o3", {"1": "for"}).add("o5", {"1": "for"}).add("o2", {"1": "against"})
              .add("o4", {"1": "abstain"}),
     expected("30", "300/13", True, 5, [("1", PM, "8670/1001", "50/7", "80/11", "0", "0", False)]))

case("35-last-counts-own-beats-proxy-either-order",
     "Flats 60 (o1), 40 (o2). Last-counts. A representative votes for o1 (for); o1 votes against; the representative "
     "tries again (for) → refused (proxy-covered-by-own): a proxy never supersedes an own ballot, even a later one. "
     "o2 votes for. for 40, against 60 → not adopted.",
     [sole("1", "60", "o1"), sole("2", "40", "o2")],
     [item("1", PM)],
     Ballots().add("o1", {"1": "for"}, source="proxy").add("o1", {"1": "against"}).add("o1", {"1": "for"}, source="proxy")
              .add("o2", {"1": "for"}),
     expected("100", "100", True, 2, [("1", PM, "40", "60", "0", "0", "0", False)], refusals=[(2, "proxy-covered-by-own")]),
     revote="last-counts")

case("36-proxies-for-both-joint-holders-under-forbidden",
     "Flat 1 (50) joint o-a+o-b; flat 2 (40) o3; total 90. Forbidden. Representatives vote for o-a (for) and for o-b "
     "(against): no rule refuses the second (different owners), but the first proxy ballot keeps the joint stake, so "
     "the second is effective nowhere. Then o-b votes himself (abstain): his own ballot beats both. abstain 50, ballots 1.",
     [flat("1", "50", stake("1", "o-a", "o-b")), sole("2", "40", "o3")],
     [item("1", PM)],
     Ballots().add("o-a", {"1": "for"}, source="proxy").add("o-b", {"1": "against"}, source="proxy").add("o-b", {"1": "abstain"}),
     expected("90", "50", True, 1, [("1", PM, "0", "0", "50", "0", "0", False)]))

case("37-all-majority-one-hundredth-over-half",
     "Flats 100.01 (o1), 100 (o2); total 200.01. o1 votes for: 2 × 100.01 = 200.02 > 200.01 → all-majority adopted.",
     [sole("1", "100.01", "o1"), sole("2", "100", "o2")],
     [item("1", AM)],
     Ballots().add("o1", {"1": "for"}),
     expected("20001/100", "10001/100", True, 1, [("1", AM, "10001/100", "0", "0", "0", "0", True)]))

case("38-no-quorum-nothing-adopted",
     "Flats 30 (o1), 30 (o2), 40 (o3). Only o1 votes, for everything: 100 % of participants, but 30 < 50 → no quorum, "
     "so neither item is adopted.",
     [sole("1", "30", "o1"), sole("2", "30", "o2"), sole("3", "40", "o3")],
     [item("1", PM), item("2", AM)],
     Ballots().add("o1", {"1": "for", "2": "for"}),
     expected("100", "30", False, 1, [("1", PM, "30", "0", "0", "0", "0", False), ("2", AM, "30", "0", "0", "0", "0", False)]))

case("39-paper-ballot-overrides-proxy-and-counts-as-own",
     "Flats 60 (o1), 40 (o2). Forbidden. A representative votes for o1 (for); the administrator enters o1's paper ballot "
     "(against), which beats the proxy; o1's later electronic ballot is a second own ballot → refused. against 60.",
     [sole("1", "60", "o1"), sole("2", "40", "o2")],
     [item("1", PM)],
     Ballots().add("o1", {"1": "for"}, source="proxy").add("o1", {"1": "against"}, source="paper").add("o1", {"1": "for"}),
     expected("100", "60", True, 1, [("1", PM, "0", "60", "0", "0", "0", False)], refusals=[(2, "second-own-ballot")]))

case("40-owner-with-several-premises-votes-all-at-once",
     "o1 owns flat 1 (35.5) and half of flat 2 (70, with o2) and parking н1 (14.25, non-residential); one ballot covers "
     "all three stakes: 35.5 + 35 + 14.25 = 84.75 = 339/4. o2 votes against (35). Total 119.75 = 479/4; "
     "participating 479/4 → for 339/4 adopted on every threshold except unanimity.",
     [sole("1", "35.5", "o1"), flat("2", "70", stake("1/2", "o1"), stake("1/2", "o2")),
      sole("н1", "14.25", "o1", kind="non-residential")],
     [item("1", PM), item("2", AM), item("3", TT), item("4", UN)],
     Ballots().add("o1", {"1": "for", "2": "for", "3": "for", "4": "for"}).add("o2", {"1": "against", "2": "against", "3": "against", "4": "against"}),
     expected("479/4", "479/4", True, 2, [("1", PM, "339/4", "35", "0", "0", "0", True), ("2", AM, "339/4", "35", "0", "0", "0", True),
                                          ("3", TT, "339/4", "35", "0", "0", "0", True), ("4", UN, "339/4", "35", "0", "0", "0", False)]))


def random_case(name, seed, revote):
    """A larger register and ballot stream; its expectation comes from check.py, not by hand."""
    rng = random.Random(seed)
    premises = []
    owners = []
    for n in range(1, 41):
        area = f"{rng.randint(25, 99)}.{rng.randint(0, 99):02d}"
        kind = "non-residential" if n > 37 else "residential"
        shape = rng.random()
        if shape < 0.5:
            o = f"o-{n:03d}"
            stakes = [stake("1", o)]
            owners.append(o)
        elif shape < 0.75:
            a, b = f"o-{n:03d}a", f"o-{n:03d}b"
            stakes = [stake("1", a, b)]
            owners += [a, b]
        else:
            q = rng.choice([2, 3, 5, 7])
            p = rng.randint(1, q - 1)
            from fractions import Fraction
            x, y = Fraction(p, q), Fraction(q - p, q)
            a, b = f"o-{n:03d}x", f"o-{n:03d}y"
            stakes = [stake(f"{x.numerator}/{x.denominator}", a), stake(f"{y.numerator}/{y.denominator}", b)]
            owners += [a, b]
        if n in (5, 17):
            stakes = [stake("1", "municipality")]
        premises.append(flat(str(n) if kind == "residential" else f"н{n - 37}", area, *stakes, kind=kind))
    owners.append("municipality")
    agenda = [item("1", PM), item("2", AM), item("3", TT), item("4", UN)]
    ballots = Ballots()
    for _ in range(70):
        owner = rng.choice(owners + ["o-999"])
        source = rng.choices(["own", "paper", "proxy"], weights=[6, 1, 3])[0]
        choices = {}
        for it in "1234":
            r = rng.random()
            if r < 0.6:
                choices[it] = "for"
            elif r < 0.75:
                choices[it] = "against"
            elif r < 0.85:
                choices[it] = "abstain"
            elif r < 0.9 and source == "paper":
                choices[it] = ["for", "against"]
        if rng.random() < 0.03:
            choices["9"] = "for"
        ballots.add(owner, choices, source=source)
    case(name, f"A 40-premises register with joint, shared and municipal stakes and 70 random ballots (seed {seed}); "
         "expectation computed by check.py.", premises, agenda, ballots, None, revote=revote)
    CASES[-1]["expect"] = check.count(CASES[-1])


random_case("90-random-forbidden", 2026, "forbidden")
random_case("91-random-last-counts", 1147, "last-counts")

if __name__ == "__main__":
    for old in HERE.glob("*.json"):
        old.unlink()
    for vector in CASES:
        (HERE / f"{vector['name']}.json").write_text(json.dumps(vector, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(CASES)} vectors")
