import Dispatch
import Foundation
import Synchronization
import VecheCore
import VecheCrypto
import VecheLedger

/// The signed commands an ingest benchmark submits: buildings of up to 2,000 single-owner
/// flats, their owners' keys, one open meeting per building, and one ballot per owner.
///
/// Everything is signed before the timed part starts, on all cores.
struct BenchWorkload: Sendable {
    /// Owners per building (a register of 2,000 premises is ~150 KB, well under the 1 MiB limit).
    static let ownersPerBuilding = 2_000

    /// Set-up envelopes in phases: each phase may be submitted concurrently, phases in order
    /// (registers; administrators and key bindings; meetings).
    let setup: [[[UInt8]]]
    /// One `ballot.cast` envelope per owner, canonical bytes.
    let ballots: [[UInt8]]
    /// The meetings, one per building.
    let meetings: [String]

    /// Signs the workload for `ballots` owners on the ledger `origin`, with meetings open
    /// around `now` (the later of the clock and the ledger's last entry time).
    static func make(ballots count: Int, origin: String, registrar: SigningKey, now: Timestamp, run: String) throws -> BenchWorkload {
        let buildings = (count + ownersPerBuilding - 1) / ownersPerBuilding
        let keys = try parallelMap(count) { _ in try SigningKey.generate(algorithm: .ed25519) }
        let administrator = try SigningKey.generate(algorithm: .ed25519)
        func command(_ type: String, _ id: String, _ fields: [String: JSONValue]) -> JSONValue {
            var members = fields
            members["type"] = .string(type)
            members["id"] = .string(id)
            members["ledger"] = .string(origin)
            return .object(members)
        }
        func building(_ index: Int) -> String { "\(run)-B\(index)" }
        func owner(_ index: Int) -> String { "\(run)-o\(index)" }
        var registers: [JSONValue] = []
        var bindings: [JSONValue] = []
        var meetings: [JSONValue] = []
        var meetingIDs: [String] = []
        let opens = Timestamp(milliseconds: (now.milliseconds / 1000 - 60) * 1000)
        let closes = Timestamp(milliseconds: opens.milliseconds + Timestamp.millisecondsPerDay)
        let agenda: [JSONValue] = ["participants-majority", "all-majority", "all-two-thirds", "participants-majority"].enumerated().map { offset, threshold in
            ["item": .string(String(offset + 1)), "title": .string("Вопрос \(offset + 1)"), "proposal": .string("Утвердить предложение \(offset + 1)."), "threshold": .string(threshold)]
        }
        for index in 0..<buildings {
            let owners = (index * ownersPerBuilding)..<min(count, (index + 1) * ownersPerBuilding)
            let premises: [JSONValue] = owners.map { number in
                ["number": .string(String(number - owners.lowerBound + 1)), "kind": "residential", "area": .string("\(30 + number % 70).\(number % 10)0"),
                 "stakes": [["holders": [.string(owner(number))], "share": "1"]]]
            }
            registers.append(command("building.register", "\(run)-reg-\(index)", ["building": .string(building(index)), "address": .string("г. Казань, ул. Испытательная, д. \(index + 1)"), "premises": .array(premises)]))
            bindings.append(command("building.administrator", "\(run)-adm-\(index)", ["building": .string(building(index)), "keys": [.string(administrator.publicKey.string)], "organization": ["name": "ООО «УК Нагрузка»"]]))
            let meeting = "\(run)-M\(index)"
            meetingIDs.append(meeting)
            meetings.append(command("meeting.create", "\(run)-mtg-\(index)", [
                "meeting": .string(meeting), "building": .string(building(index)), "title": "Общее собрание собственников",
                "form": "electronic", "initiator": "Совет дома", "rules": "generic", "revote": "forbidden",
                "opens_at": .string(opens.rfc3339String), "closes_at": .string(closes.rfc3339String), "agenda": .array(agenda),
            ]))
        }
        for (index, key) in keys.enumerated() {
            bindings.append(command("owner.key", "\(run)-key-\(index)", ["owner": .string(owner(index)), "key": .string(key.publicKey.string), "action": "bind"]))
        }
        let marks: [JSONValue] = ["for", "for", "against", "abstain"]
        let ballotCommands: [JSONValue] = (0..<count).map { index in
            command("ballot.cast", "\(run)-bal-\(index)", [
                "meeting": .string(meetingIDs[index / ownersPerBuilding]), "owner": .string(owner(index)),
                "choices": ["1": marks[index % 4], "2": marks[(index / 4) % 4], "3": "for", "4": marks[(index / 16) % 4]],
            ])
        }
        let setupCommands = [registers, bindings, meetings]
        let setup = try setupCommands.map { phase in
            try parallelMap(phase.count) { try SignedEnvelope.sign(command: phase[$0], with: registrar).canonicalBytes }
        }
        let signed = try parallelMap(count) { try SignedEnvelope.sign(command: ballotCommands[$0], with: keys[$0]).canonicalBytes }
        return BenchWorkload(setup: setup, ballots: signed, meetings: meetingIDs)
    }

    /// A short random tag so commands of different runs on one server never collide.
    static func runTag() -> String {
        String(UInt64.random(in: 0..<(1 << 40)), radix: 36)
    }
}

/// `transform(i)` for i in 0..<count on all cores, in order.
func parallelMap<T: Sendable>(_ count: Int, _ transform: @Sendable (Int) throws -> T) throws -> [T] {
    let results = Mutex<[Int: Result<T, any Error>]>([:])
    let chunk = 64
    DispatchQueue.concurrentPerform(iterations: (count + chunk - 1) / chunk) { block in
        var local: [(Int, Result<T, any Error>)] = []
        for index in (block * chunk)..<min(count, (block + 1) * chunk) {
            local.append((index, Result { try transform(index) }))
        }
        results.withLock { results in for (index, result) in local { results[index] = result } }
    }
    return try results.withLock { results in try (0..<count).map { try results[$0]!.get() } }
}

/// Runs async work from a synchronous verb and waits for it.
func blockingAwait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        box.withLock { $0 = result }
        done.signal()
    }
    done.wait()
    return try box.withLock { $0! }.get()
}

/// CPU seconds (user + system) this process has used.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// A `veche serve` child process of this same executable, for measuring the serving process.
final class ServeChild {
    let process = Process()
    let output: URL

    init(directory: String) throws {
        output = FileManager.default.temporaryDirectory.appendingPathComponent("veche-bench-serve-\(getpid())-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["serve", directory, "--listen", "127.0.0.1:0", "--no-access-log"]
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: output)
    }

    /// The address it listens on, once it prints it.
    func listeningURL(timeout: Duration) throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") where line.hasPrefix("listening on ") {
                return String(line.dropFirst("listening on ".count))
            }
            guard process.isRunning else { throw CLIFailure("veche serve exited with status \(process.terminationStatus)") }
            usleep(10_000)
        }
        throw CLIFailure("veche serve did not start within \(timeout)")
    }

    /// Peak resident memory (VmHWM) in MiB.
    var peakResidentMiB: Double {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return (line.split(separator: " ").compactMap { Double($0) }.first ?? 0) / 1024
        }
        return 0
    }

    /// SIGTERM and wait.
    func stop() {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }
}
