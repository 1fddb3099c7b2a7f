/// The checks a rule set makes when a meeting is created (`meeting.create`, HTTP 422 when broken).
public enum MeetingRules {
    /// Shortest notice under `ru-zhk-2024`: 10 days between creation and opening (ЖК РФ ст. 45 ч.4).
    public static let minimumNotice: Int64 = 10 * Timestamp.millisecondsPerDay
    /// Shortest electronic voting under `ru-zhk-2024`: 7 days (ст. 47.1).
    public static let minimumElectronicDuration: Int64 = 7 * Timestamp.millisecondsPerDay
    /// Longest electronic voting under `ru-zhk-2024`: 60 days (ст. 47.1).
    public static let maximumElectronicDuration: Int64 = 60 * Timestamp.millisecondsPerDay

    /// Checks a new meeting against its rule set, in this order (the first failure is thrown,
    /// code `.rule`, path to the field):
    ///
    /// 1. both rule sets: `closes_at` > `opens_at`; at least one agenda item; unique item numbers
    ///    (compared byte for byte); a quorum share between 0 and 1;
    /// 2. `ru-zhk-2024`: no `quorum` given (the law fixes it; `meeting.quorum` must be 1/2);
    ///    notice: `opens_at` − `createdAt` ≥ 10 × 86 400 000 ms; for the electronic form, the
    ///    voting window `closes_at` − `opens_at` lies within [7, 60] × 86 400 000 ms (the window is
    ///    [opens_at, closes_at), so exactly 7 × 24 h is 7 full days and is accepted).
    ///
    /// `generic` makes no notice or duration check (opens_at may even precede creation).
    /// - Parameters:
    ///   - createdAt: the ledger time of the `meeting.create` entry.
    ///   - quorumGiven: whether the command carried a `quorum` field.
    public static func check(meeting: MeetingSpec, form: MeetingForm, createdAt: Timestamp, quorumGiven: Bool) throws(DomainError) {
        guard meeting.closesAt > meeting.opensAt else {
            throw DomainError(.rule, at: [.key("closes_at")], "closes_at \(meeting.closesAt.rfc3339String) must be later than opens_at \(meeting.opensAt.rfc3339String)")
        }
        guard !meeting.items.isEmpty else {
            throw DomainError(.rule, at: [.key("agenda")], "agenda must hold at least one item")
        }
        var seen: [[UInt8]: Int] = [:]
        for (index, item) in meeting.items.enumerated() {
            if let first = seen.updateValue(index, forKey: Array(item.item.utf8)) {
                throw DomainError(.rule, at: [.key("agenda"), .index(index), .key("item")], "item number \(DomainError.quote(item.item)) repeats agenda item \(first)")
            }
        }
        guard !meeting.quorum.isNegative, meeting.quorum <= .one else {
            throw DomainError(.rule, at: [.key("quorum")], "quorum \(meeting.quorum.exactString) must lie between 0 and 1")
        }
        switch meeting.rules {
        case .generic:
            return
        case .ruZhk2024:
            guard !quorumGiven, meeting.quorum == RuleSet.defaultQuorum else {
                throw DomainError(.rule, at: [.key("quorum")], "quorum must not be given under ru-zhk-2024: the law fixes it at more than 1/2 of all votes (ЖК РФ ст. 45 ч.3)")
            }
            let notice = meeting.opensAt.milliseconds(since: createdAt)
            guard notice >= minimumNotice else {
                throw DomainError(.rule, at: [.key("opens_at")], "opens_at \(meeting.opensAt.rfc3339String) must be at least 10 days after the meeting is created (\(createdAt.rfc3339String)): ЖК РФ ст. 45 ч.4")
            }
            if form == .electronic {
                let duration = meeting.closesAt.milliseconds(since: meeting.opensAt)
                guard duration >= minimumElectronicDuration, duration <= maximumElectronicDuration else {
                    throw DomainError(.rule, at: [.key("closes_at")], "electronic voting must last 7 to 60 days (ЖК РФ ст. 47.1), but opens_at to closes_at is \(describe(duration))")
                }
            }
        }
    }

    private static func describe(_ milliseconds: Int64) -> String {
        let days = milliseconds / Timestamp.millisecondsPerDay
        let rest = milliseconds % Timestamp.millisecondsPerDay
        return rest == 0 ? "\(days) days" : "\(days) days and \(rest) ms"
    }
}
