import Foundation
import Testing
import VecheTestSupport

extension BrowserTests {
    @Suite("Voting page renders on a phone")
    struct PageRenderTests {
        @Test func indexRendersAtPhoneWidthWithLargeTargetsAndLabels() async throws {
            let report = try await withPage("/") { browser, server in
                try await browser.setViewport(HeadlessChromium.phone)
                try await browser.navigate(to: server.baseURL + "/")
                _ = try await browser.evaluate("window.veche.ready")
                let png = try await browser.screenshot()
                try Data(png).write(to: screenshotFolder.appendingPathComponent("index.png"))
                let info = try #require(PNGInfo(png), "the screenshot is not a PNG")
                #expect(info.width == 780)
                #expect(info.height == 1688)
                #expect(png.count > 10_000, "a rendered page is more than a blank image")
                // At 360 px (the narrowest phones we support) nothing may scroll sideways either.
                let narrow = HeadlessChromium.Viewport(width: 360, height: 740, deviceScaleFactor: 2, mobile: true)
                try await browser.setViewport(narrow)
                let narrowOverflow = try await browser.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                try await browser.setViewport(HeadlessChromium.phone)
                return try await browser.evaluate(#"""
                    (() => {
                      const visible = (e) => e.getClientRects().length > 0;
                      const small = [...document.querySelectorAll("button, input[type=text], textarea")]
                        .filter(visible).filter((e) => e.getBoundingClientRect().height < 48).map((e) => e.id);
                      const unlabelled = [...document.querySelectorAll("input, textarea")]
                        .filter((e) => e.type !== "radio" && !document.querySelector(`label[for="${e.id}"]`)).map((e) => e.id);
                      return {
                        overflow: document.documentElement.scrollWidth - window.innerWidth,
                        lang: document.documentElement.lang,
                        small, unlabelled,
                        liveRegions: [...document.querySelectorAll("[aria-live]")].map((e) => e.id),
                        createKeyVisible: visible(document.getElementById("create-key")),
                        fontSize: parseFloat(getComputedStyle(document.body).fontSize),
                        title: document.title,
                        ids: ["owner-id", "meeting-id", "open-meeting", "sign-and-send", "receipt-status", "create-key",
                              "public-key", "copy-key", "check-binding", "review", "download-receipt", "protocol-link"]
                              .filter((id) => !document.getElementById(id)),
                        api: typeof window.veche.getPublicKey === "function" && typeof window.veche.status === "function",
                      };
                    })()
                    """#).merging(["narrowOverflow": narrowOverflow])
            }
            #expect(report["overflow"].int == 0)
            #expect(report["narrowOverflow"].int == 0)
            #expect(report["lang"].string == "ru")
            #expect(report["small"].array == [], "touch targets under 48 px: \(report["small"])")
            #expect(report["unlabelled"].array == [], "inputs without a label: \(report["unlabelled"])")
            #expect(report["liveRegions"].array?.contains(.string("status")) == true)
            #expect(report["createKeyVisible"].bool == true)
            #expect(report["fontSize"].int ?? 0 >= 18)
            #expect(report["title"].string?.contains("Вече") == true)
            #expect(report["ids"].array == [], "missing element ids: \(report["ids"])")
            #expect(report["api"].bool == true)
        }

        @Test func teardownLeavesNoChromiumProcessOrProfile() async throws {
            try requireChromium()
            let browser = try await HeadlessChromium.launch()
            let pid = browser.processID
            let profile = browser.profileDirectory
            #expect(browser.isRunning)
            #expect(FileManager.default.fileExists(atPath: profile))
            // Chromium forks helpers (zygote, GPU/network utilities, renderers) into its group.
            let helpers = processes(inGroup: pid)
            #expect(helpers.count > 1, "expected the browser's helpers in its process group")
            #expect(!processes(mentioning: profile).isEmpty)
            await browser.close()
            #expect(!browser.isRunning)
            #expect(processes(inGroup: pid).isEmpty, "left running: \(processes(inGroup: pid))")
            // Nothing that escaped the group (crashpad double-forks) may still use the profile.
            #expect(processes(mentioning: profile).isEmpty, "left running: \(processes(mentioning: profile))")
            #expect(!FileManager.default.fileExists(atPath: profile))
            await browser.close()  // twice is harmless
        }

        @Test func evaluateReportsJavaScriptErrorsAndNavigationFailures() async throws {
            try await withPage("/selftest.html") { browser, server in
                await #expect(throws: CDPError.self) { try await browser.evaluate("Promise.reject(new Error('boom'))") }
                do {
                    _ = try await browser.evaluate("(() => { throw new TypeError('bad thing') })()")
                    Issue.record("a thrown exception must fail evaluate")
                } catch let error as CDPError {
                    #expect(error.message.contains("bad thing"))
                }
                // The page keeps working after an exception.
                #expect(try await browser.evaluate("1 + 1").int == 2)
                #expect(try await browser.evaluate("({a: [1, 'x', true, null]})") == .object(["a": .array([.number(1), .string("x"), .bool(true), .null])]))
                let missing = try await browser.evaluate("fetch('\(server.baseURL)/nope.js').then((r) => r.status)")
                #expect(missing.int == 404)
                // Port 9 (discard) has no listener here: the navigation must fail, not hang.
                await #expect(throws: CDPError.self) { try await browser.navigate(to: "http://127.0.0.1:9/") }
            }
        }
    }
}

extension JSValue {
    /// This object with `other`'s members added.
    fileprivate func merging(_ other: [String: JSValue]) -> JSValue {
        guard case .object(var members) = self else { return self }
        for (key, value) in other { members[key] = value }
        return .object(members)
    }
}

/// Processes whose process group is `group` (from /proc), excluding zombies being reaped.
private func processes(inGroup group: Int32) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { Int32($0) }.filter { pid in
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state, ppid, pgrp.
        return fields.count > 3 && fields[0] != "Z" && Int32(fields[2]) == group
    }
}

/// Live processes whose command line contains `text`.
private func processes(mentioning text: String) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { Int32($0) }.filter { pid in
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty,
            let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")"),
            stat[stat.index(after: close)...].split(separator: " ").first != "Z"
        else { return false }
        return String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self).contains(text)
    }
}
