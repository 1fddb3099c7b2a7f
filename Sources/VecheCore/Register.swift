/// Whether premises are a dwelling or not (both vote; WIRE.md `kind`).
public enum PremisesKind: String, Sendable, Hashable, CaseIterable {
    /// A flat (жилое помещение).
    case residential
    /// Shops, offices, parking (нежилое помещение).
    case nonResidential = "non-residential"
}

/// A share of one premises held by one owner, or jointly by several (совместная собственность).
///
/// Joint holders vote the stake as a whole: any one of them may cast it (ГК РФ ст. 253),
/// which is why a stake, not an owner, is the unit of counting.
public struct Stake: Sendable, Hashable {
    /// Owner ids; one for sole or долевая ownership, several for joint ownership.
    public var holders: [String]
    /// The share of the premises, exact.
    public var share: Rational
    /// The share as written in the register (`"1/2"`), kept for the canonical wire form.
    public var shareText: String

    /// A stake with an already parsed share.
    public init(holders: [String], share: Rational, shareText: String) {
        self.holders = holders
        self.share = share
        self.shareText = shareText
    }

    /// A stake whose share is parsed from its wire text (400 on a bad share).
    public init(holders: [String], shareText: String, at path: [PathComponent] = [.key("share")]) throws(DomainError) {
        self.init(holders: holders, share: try Share.parse(shareText, at: path), shareText: shareText)
    }
}

/// One premises of the building with its stakes.
public struct Premises: Sendable, Hashable {
    /// The premises number as the register writes it (`"12"`, `"12А"`, `"н1"`).
    public var number: String
    /// Residential or not.
    public var kind: PremisesKind
    /// Area in m², exact.
    public var area: Rational
    /// The area as written in the register (`"54.30"`).
    public var areaText: String
    /// The cadastral number, when the register gives one.
    public var cadastral: String?
    /// Who holds it, in shares summing to 1.
    public var stakes: [Stake]

    /// Premises with an already parsed area.
    public init(number: String, kind: PremisesKind, area: Rational, areaText: String, cadastral: String? = nil, stakes: [Stake]) {
        self.number = number
        self.kind = kind
        self.area = area
        self.areaText = areaText
        self.cadastral = cadastral
        self.stakes = stakes
    }

    /// Premises whose area is parsed from its wire text (400 on a bad area).
    public init(number: String, kind: PremisesKind, areaText: String, cadastral: String? = nil, stakes: [Stake],
                at path: [PathComponent] = [.key("area")]) throws(DomainError) {
        self.init(number: number, kind: kind, area: try Area.parse(areaText, at: path), areaText: areaText,
                  cadastral: cadastral, stakes: stakes)
    }
}

/// Where a stake sits in a register: premises index and stake index within it.
public struct StakeRef: Sendable, Hashable, Comparable {
    /// Index into `Register.premises`.
    public var premises: Int
    /// Index into that premises' `stakes`.
    public var stake: Int

    /// A reference to `premises[premises].stakes[stake]`.
    public init(premises: Int, stake: Int) {
        self.premises = premises
        self.stake = stake
    }

    /// Register order.
    public static func < (a: StakeRef, b: StakeRef) -> Bool {
        (a.premises, a.stake) < (b.premises, b.stake)
    }
}

/// The owner register of one building: the electorate of its meetings.
///
/// The total of votes is derived from the premises (never typed in), so it cannot disagree with them.
public struct Register: Sendable, Hashable {
    /// The building id (GAR/FIAS GUID or cadastral number).
    public var building: String
    /// The postal address.
    public var address: String
    /// Every premises of the building, residential and not, private and public.
    public var premises: [Premises]

    /// A register; call `validate()` before using it as an electorate.
    public init(building: String, address: String, premises: [Premises]) {
        self.building = building
        self.address = address
        self.premises = premises
    }

    /// Total votes = the sum of all premises' areas (ЖК РФ ст. 48 ч.3, ст. 37 ч.1: 1 m² = 1 vote).
    public var totalArea: Rational {
        var sum = RationalSum()
        for item in premises { sum.add(item.area) }
        return sum.value
    }

    /// The votes of one stake: area × share.
    public func weight(of ref: StakeRef) -> Rational {
        let item = premises[ref.premises]
        return item.area * item.stakes[ref.stake].share
    }

    /// Owner → the stakes they hold, in register order. A holder of a joint stake holds all of it.
    public var stakesByOwner: [String: [StakeRef]] {
        var result: [String: [StakeRef]] = [:]
        for (premisesIndex, item) in premises.enumerated() {
            for (stakeIndex, stake) in item.stakes.enumerated() {
                for holder in stake.holders {
                    result[holder, default: []].append(StakeRef(premises: premisesIndex, stake: stakeIndex))
                }
            }
        }
        return result
    }

    /// The stakes `owner` holds, in register order (empty for an owner not in the register).
    public func stakes(of owner: String) -> [StakeRef] {
        var result: [StakeRef] = []
        for (premisesIndex, item) in premises.enumerated() {
            for (stakeIndex, stake) in item.stakes.enumerated() where stake.holders.contains(owner) {
                result.append(StakeRef(premises: premisesIndex, stake: stakeIndex))
            }
        }
        return result
    }

    /// Owner → the votes they can cast: the sum of area × share over their stakes. A joint stake
    /// counts in full for each of its holders (any one may cast it), so these may sum past the total.
    public var weightsByOwner: [String: Rational] {
        var sums: [String: RationalSum] = [:]
        for item in premises {
            for stake in item.stakes {
                let weight = item.area * stake.share
                for holder in stake.holders { sums[holder, default: RationalSum()].add(weight) }
            }
        }
        return sums.mapValues(\.value)
    }

    /// Checks the register as a whole, first the grammars (`.malformed`, 400), then the rules
    /// (`.rule`, 422), so the order matches the ledger's: a malformed field answers before a rule.
    ///
    /// Grammars: building id, address, premises numbers, cadastral numbers, holder ids, and that
    /// `area`/`share` agree with their texts. Rules: at least one premises; unique premises
    /// numbers (compared scalar by scalar, without Unicode normalisation); each premises has
    /// stakes; each stake has holders, none repeated; the stakes of each premises sum to exactly 1.
    /// Paths are relative to the `building.register` command: `premises/3/stakes/1/holders/0`.
    public func validate() throws(DomainError) {
        try TextRules.check(building, .identifier, at: [.key("building")])
        try TextRules.check(address, .freeText, at: [.key("address")])
        for (index, item) in premises.enumerated() {
            let base: [PathComponent] = [.key("premises"), .index(index)]
            try TextRules.check(item.number, .premisesNumber, at: base + [.key("number")])
            let area = try Area.parse(item.areaText, at: base + [.key("area")])
            guard area == item.area else {
                throw DomainError(.malformed, at: base + [.key("area")], "area \(item.area) differs from its text \(DomainError.quote(item.areaText))")
            }
            if let cadastral = item.cadastral {
                try TextRules.check(cadastral, .cadastral, at: base + [.key("cadastral")])
            }
            for (stakeIndex, stake) in item.stakes.enumerated() {
                let stakePath = base + [.key("stakes"), .index(stakeIndex)]
                for (holderIndex, holder) in stake.holders.enumerated() {
                    try TextRules.check(holder, .identifier, at: stakePath + [.key("holders"), .index(holderIndex)])
                }
                let share = try Share.parse(stake.shareText, at: stakePath + [.key("share")])
                guard share == stake.share else {
                    throw DomainError(.malformed, at: stakePath + [.key("share")], "share \(stake.share) differs from its text \(DomainError.quote(stake.shareText))")
                }
            }
        }

        guard !premises.isEmpty else {
            throw DomainError(.rule, at: [.key("premises")], "premises must not be empty: a register lists every premises of the building")
        }
        var seenNumbers: [[UInt8]: Int] = [:]
        for (index, item) in premises.enumerated() {
            let base: [PathComponent] = [.key("premises"), .index(index)]
            if let first = seenNumbers.updateValue(index, forKey: Array(item.number.utf8)) {
                throw DomainError(.rule, at: base + [.key("number")], "premises number \(DomainError.quote(item.number)) repeats premises \(first)")
            }
            guard !item.stakes.isEmpty else {
                throw DomainError(.rule, at: base + [.key("stakes")], "stakes of premises \(DomainError.quote(item.number)) must not be empty: every premises has an owner")
            }
            var sum = RationalSum()
            for (stakeIndex, stake) in item.stakes.enumerated() {
                let stakePath = base + [.key("stakes"), .index(stakeIndex)]
                guard !stake.holders.isEmpty else {
                    throw DomainError(.rule, at: stakePath + [.key("holders")], "holders of a stake of premises \(DomainError.quote(item.number)) must not be empty")
                }
                var seenHolders: Set<String> = []
                for (holderIndex, holder) in stake.holders.enumerated() where !seenHolders.insert(holder).inserted {
                    throw DomainError(.rule, at: stakePath + [.key("holders"), .index(holderIndex)], "holder \(DomainError.quote(holder)) is repeated in one stake of premises \(DomainError.quote(item.number))")
                }
                sum.add(stake.share)
            }
            let total = sum.value
            guard total == .one else {
                throw DomainError(.rule, at: base + [.key("stakes")], "shares of premises \(DomainError.quote(item.number)) sum to \(total.exactString), not 1")
            }
        }
    }
}
