/// An instant in UTC with millisecond resolution: milliseconds since 1970-01-01T00:00:00Z.
///
/// Ledger times, `opens_at` and `closes_at` are all `Timestamp`s, so the voting window and the
/// legal periods compare as integers. Conversion to and from the calendar uses Howard Hinnant's
/// days-from-civil algorithm (proleptic Gregorian calendar), with no Foundation and no time zones.
/// Only years 0000–9999 are representable, as RFC 3339 allows.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since the Unix epoch (negative before 1970).
    public let milliseconds: Int64

    /// One day in milliseconds (a UTC day; RFC 3339 times here carry no leap seconds).
    public static let millisecondsPerDay: Int64 = 86_400_000

    /// 0000-01-01T00:00:00.000Z.
    public static let earliest = Timestamp(unchecked: -62_167_219_200_000)
    /// 9999-12-31T23:59:59.999Z.
    public static let latest = Timestamp(unchecked: 253_402_300_799_999)

    init(unchecked milliseconds: Int64) { self.milliseconds = milliseconds }

    /// The instant `milliseconds` after the epoch. Precondition: within years 0000–9999
    /// (any clock reading or stored ledger time is).
    public init(milliseconds: Int64) {
        precondition(milliseconds >= Timestamp.earliest.milliseconds && milliseconds <= Timestamp.latest.milliseconds,
                     "Timestamp outside years 0000–9999")
        self.milliseconds = milliseconds
    }

    /// The instant `milliseconds` after the epoch, or nil outside years 0000–9999.
    public init?(exactly milliseconds: Int64) {
        guard milliseconds >= Timestamp.earliest.milliseconds && milliseconds <= Timestamp.latest.milliseconds else { return nil }
        self.milliseconds = milliseconds
    }

    /// a < b.
    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.milliseconds < b.milliseconds }

    /// self − earlier, in milliseconds (exact: both lie within years 0000–9999).
    public func milliseconds(since earlier: Timestamp) -> Int64 { milliseconds - earlier.milliseconds }

    /// The ledger form, `2026-11-21T10:00:00.123Z`.
    public var description: String { ledgerString }
}

// MARK: - Text

extension Timestamp {
    /// Parses RFC 3339 UTC as WIRE.md writes `opens_at` and `closes_at`:
    /// `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.mmmZ` — upper-case `T` and `Z`, no offset,
    /// 0 or 3 fraction digits, real calendar dates (leap years), hours 00–23, seconds 00–59
    /// (no leap second: the ledger's clock never shows one).
    public static func parse(_ text: String, at path: [PathComponent] = [.key("time")]) throws(DomainError) -> Timestamp {
        try parse(text, at: path, fractionRequired: false)
    }

    /// Parses a ledger entry's `time`: as `parse`, but exactly 3 fraction digits are required,
    /// so each ledger time has exactly one spelling.
    public static func parseLedger(_ text: String, at path: [PathComponent] = [.key("time")]) throws(DomainError) -> Timestamp {
        try parse(text, at: path, fractionRequired: true)
    }

    static func parse(_ text: String, at path: [PathComponent], fractionRequired: Bool) throws(DomainError) -> Timestamp {
        let field = DomainError.fieldName(path, default: "time")
        func refuse(_ reason: String) -> DomainError {
            DomainError(.malformed, at: path, "\(field) \(DomainError.quote(text)) \(reason)")
        }
        let bytes = Array(text.utf8)
        let shape = fractionRequired ? "YYYY-MM-DDTHH:MM:SS.mmmZ" : "YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DDTHH:MM:SS.mmmZ"
        guard bytes.count == 20 || bytes.count == 24, !(fractionRequired && bytes.count == 20) else {
            throw refuse("must be an RFC 3339 UTC time \(shape)")
        }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                guard Grammar.isDigit(bytes[index]) else { return nil }
                value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
            }
            return value
        }
        let punctuation: [(Int, UInt8)] = [(4, 0x2D), (7, 0x2D), (10, 0x54), (13, 0x3A), (16, 0x3A), (bytes.count - 1, 0x5A)]
        guard punctuation.allSatisfy({ bytes[$0.0] == $0.1 }), bytes.count == 20 || bytes[19] == 0x2E,
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19) else {
            throw refuse("must be an RFC 3339 UTC time \(shape)")
        }
        var millisecond: Int64 = 0
        if bytes.count == 24 {
            guard let fraction = number(20..<23) else { throw refuse("must be an RFC 3339 UTC time \(shape)") }
            millisecond = fraction
        }
        guard (1...12).contains(month) else { throw refuse("has month \(month), not 01–12") }
        guard (1...daysInMonth(year: year, month: month)).contains(day) else {
            throw refuse("has day \(day), which month \(month) of \(year) does not have")
        }
        guard hour <= 23 else { throw refuse("has hour \(hour), not 00–23") }
        guard minute <= 59 else { throw refuse("has minute \(minute), not 00–59") }
        guard second <= 59 else { throw refuse("has second \(second), not 00–59 (no leap seconds)") }
        let days = daysFromCivil(year: year, month: month, day: day)
        return Timestamp(unchecked: ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millisecond)
    }

    /// The ledger form: always 3 fraction digits, `2026-11-21T10:00:00.000Z`.
    public var ledgerString: String { format(alwaysFraction: true) }

    /// RFC 3339 as `opens_at` is usually written: no fraction on whole seconds
    /// (`2026-11-21T10:00:00Z`), otherwise 3 digits.
    public var rfc3339String: String { format(alwaysFraction: false) }

    func format(alwaysFraction: Bool) -> String {
        let (days, millisOfDay) = floorDivide(milliseconds, Timestamp.millisecondsPerDay)
        let (year, month, day) = Timestamp.civilFromDays(days)
        let hour = millisOfDay / 3_600_000
        let minute = millisOfDay / 60_000 % 60
        let second = millisOfDay / 1000 % 60
        let millisecond = millisOfDay % 1000
        var text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        text += "T" + pad(hour, 2) + ":" + pad(minute, 2) + ":" + pad(second, 2)
        if alwaysFraction || millisecond != 0 { text += "." + pad(millisecond, 3) }
        return text + "Z"
    }

    private func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let (quotient, remainder) = a.quotientAndRemainder(dividingBy: b)
        return remainder < 0 ? (quotient - 1, remainder + b) : (quotient, remainder)
    }

    /// Whether `year` is a Gregorian leap year.
    public static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant, "chrono-Compatible Low-Level Date Algorithms").
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (inverse of `daysFromCivil`).
    static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
