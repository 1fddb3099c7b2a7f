import Foundation
import Testing
import VecheCrypto
import VecheLedger
import VecheTestSupport

/// The page's JavaScript modules, run in headless Chromium against the project's vectors.
extension BrowserTests {
    @Suite("Web page modules in Chromium against Specs/vectors")
    struct BrowserModuleTests {
        @Test func canonicalFormMatchesEveryJCSVectorAndRejectsEveryBadInput() async throws {
            let canonical = try Vectors.data("jcs/canonical.json")
            let reject = try Vectors.data("jcs/reject.json")
            let report = try await withPage { browser, _ in
                try await browser.evaluate(#"""
                    (async () => {
                      const { jcs, b64 } = window.vecheModules;
                      const canonical = \#(jsLiteral(canonical));
                      const reject = \#(jsLiteral(reject));
                      const mismatches = [];
                      for (const v of canonical.vectors) {
                        let out;
                        try { out = jcs.canonicalize(jcs.parseStrict(v.input)); } catch (e) { out = "threw " + e.message; }
                        if (out !== v.expected) mismatches.push(v.name + ": " + out);
                        // Serialising the browser's own JSON.parse result must agree too.
                        const viaNative = jcs.canonicalize(JSON.parse(v.input));
                        if (viaNative !== v.expected) mismatches.push(v.name + " (native parse): " + viaNative);
                      }
                      const wrongKinds = [];
                      for (const v of reject.vectors) {
                        try {
                          jcs.parseStrictBytes(b64.hexDecode(v.inputHex));
                          wrongKinds.push(v.name + ": accepted");
                        } catch (e) {
                          if (e.kind !== v.kind) wrongKinds.push(v.name + ": " + e.kind + " instead of " + v.kind);
                        }
                      }
                      let refusesFloat = false, refusesNull = false, refusesLoneSurrogate = false;
                      try { jcs.canonicalize({ a: 1.5 }); } catch (e) { refusesFloat = e.kind === "notInteger"; }
                      try { jcs.canonicalize({ a: null }); } catch (e) { refusesNull = e.kind === "null"; }
                      try { jcs.canonicalize({ a: "\ud800" }); } catch (e) { refusesLoneSurrogate = e.kind === "loneSurrogate"; }
                      return { checked: canonical.vectors.length, rejected: reject.vectors.length, mismatches, wrongKinds,
                               refusesFloat, refusesNull, refusesLoneSurrogate };
                    })()
                    """#)
            }
            let vectorCount = try JSONSerialization.jsonObject(with: canonical) as? [String: Any]
            #expect(report["checked"].int == (vectorCount?["vectors"] as? [Any])?.count)
            #expect(report["checked"].int ?? 0 >= 20)
            #expect(report["mismatches"].array == [], "\(report["mismatches"])")
            #expect(report["rejected"].int ?? 0 >= 40)
            #expect(report["wrongKinds"].array == [], "\(report["wrongKinds"])")
            #expect(report["refusesFloat"].bool == true)
            #expect(report["refusesNull"].bool == true)
            #expect(report["refusesLoneSurrogate"].bool == true)
        }

        @Test func merkleInclusionProofsVerifyAndTamperedOnesFail() async throws {
            let merkle = try Vectors.data("ledger/merkle.json")
            let report = try await withPage { browser, _ in
                try await browser.evaluate(#"""
                    (async () => {
                      const { merkle, b64 } = window.vecheModules;
                      const V = \#(jsLiteral(merkle));
                      const h = b64.hexDecode;
                      const roots = new Map(V.roots.map((r) => [r.size, h(r.root)]));
                      const leaves = V.leaves.map((l) => h(l.leaf_hash));
                      const failures = [];
                      let verified = 0, tamperedAccepted = 0, tamperedTried = 0;
                      for (const x of V.roots) {
                        const root = await merkle.rootFromLeafHashes(leaves.slice(0, x.size));
                        if (b64.hexEncode(root) !== x.root) failures.push("root of " + x.size);
                      }
                      for (const p of V.inclusion) {
                        const path = p.path.map(h);
                        const root = roots.get(p.size);
                        if (await merkle.verifyInclusion(leaves[p.index], p.index, p.size, path, root)) verified++;
                        else failures.push(`inclusion ${p.index} of ${p.size}`);
                        const tampered = [];
                        if (path.length > 0) {
                          const flipped = path.map((x) => x.slice());
                          flipped[0][0] ^= 1;
                          tampered.push([leaves[p.index], p.index, p.size, flipped]);
                          tampered.push([leaves[p.index], p.index, p.size, path.slice(0, -1)]);
                        }
                        tampered.push([leaves[p.index], p.index, p.size, [...path, new Uint8Array(32)]]);
                        const otherLeaf = leaves[(p.index + 1) % leaves.length];
                        tampered.push([otherLeaf, p.index, p.size, path]);
                        if (p.size > 1) tampered.push([leaves[p.index], (p.index + 1) % p.size, p.size, path]);
                        tampered.push([leaves[p.index], p.size, p.size, path]);
                        for (const [leaf, index, size, pth] of tampered) {
                          tamperedTried++;
                          if (await merkle.verifyInclusion(leaf, index, size, pth, root)) {
                            tamperedAccepted++;
                            failures.push(`tampered proof accepted: index ${index} size ${size}`);
                          }
                        }
                      }
                      const ref = V.rfc6962_reference;
                      const refLeaves = [];
                      for (const d of ref.leaves) refLeaves.push(await merkle.leafHash(h(d)));
                      for (let n = 1; n <= refLeaves.length; n++) {
                        const root = await merkle.rootFromLeafHashes(refLeaves.slice(0, n));
                        if (b64.hexEncode(root) !== ref.roots[n]) failures.push("reference root " + n);
                      }
                      return { inclusion: V.inclusion.length, verified, tamperedTried, tamperedAccepted, failures };
                    })()
                    """#)
            }
            #expect(report["inclusion"].int ?? 0 >= 100)
            #expect(report["verified"] == report["inclusion"])
            #expect(report["tamperedTried"].int ?? 0 > report["inclusion"].int ?? 0)
            #expect(report["tamperedAccepted"].int == 0)
            #expect(report["failures"].array == [], "\(report["failures"])")
        }

        @Test func checkpointNoteVerifiesWithEd25519AndFlippedBytesFail() async throws {
            let checkpoint = try Vectors.data("ledger/checkpoint.json")
            let report = try await withPage { browser, _ in
                try await browser.evaluate(#"""
                    (async () => {
                      const { note, receipt, merkle, b64 } = window.vecheModules;
                      const V = \#(jsLiteral(checkpoint));
                      const pub = b64.hexDecode(V.public_key);
                      const out = {};
                      const cp = await note.verifyCheckpoint(V.note, V.origin, pub);
                      out.size = cp.size;
                      out.root = b64.hexEncode(cp.root);
                      out.keyID = b64.hexEncode(await note.keyID(V.origin, pub));
                      const vkey = await note.parseVerifierKey(V.vkey);
                      out.vkeyMatches = vkey.name === V.origin && b64.hexEncode(vkey.publicKey) === V.public_key;
                      const g = V.go_sumdb_note;
                      const gk = await note.parseVerifierKey(g.vkey);
                      out.goNoteText = (await note.verifyNote(g.note, gk.name, gk.publicKey)).text === g.text;
                      const refusal = async (text, name = V.origin, key = pub) => {
                        try { await note.verifyCheckpoint(text, name, key); return "accepted"; } catch (e) { return e.code || e.message; }
                      };
                      // Flip one bit in the signature's base64, in the body, and use a wrong key or name.
                      const sigStart = V.note.lastIndexOf(" ") + 10;
                      const c = V.note[sigStart];
                      const flippedSig = V.note.slice(0, sigStart) + (c === "A" ? "B" : "A") + V.note.slice(sigStart + 1);
                      out.flippedSignature = await refusal(flippedSig);
                      out.flippedBody = await refusal(V.note.replace("\n13\n", "\n14\n"));
                      const otherKey = pub.slice(); otherKey[0] ^= 1;
                      out.wrongKey = await refusal(V.note, V.origin, otherKey);
                      out.wrongName = await refusal(V.note, "vote.example.ru/17", pub);
                      out.unknownExtraLineIgnored = await refusal(V.note + "\u2014 witness.example AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
                      // The receipt of the vector file: its path leads from the leaf to the signed root.
                      const proof = receipt.parseTlogProof(V.receipt.proof);
                      const head = await note.verifyCheckpoint(proof.note, V.origin, pub);
                      const leaf = b64.hexDecode(V.receipt.leaf_hash);
                      out.receiptIndex = proof.index;
                      out.receiptVerifies = await merkle.verifyInclusion(leaf, proof.index, head.size, proof.path, head.root);
                      const bad = proof.path.map((x) => x.slice()); bad[1][31] ^= 0x80;
                      out.flippedPathVerifies = await merkle.verifyInclusion(leaf, proof.index, head.size, bad, head.root);
                      const badLeaf = leaf.slice(); badLeaf[0] ^= 1;
                      out.flippedLeafVerifies = await merkle.verifyInclusion(badLeaf, proof.index, head.size, proof.path, head.root);
                      let extraRefused = false;
                      try { receipt.parseTlogProof(V.receipt.proof.replace("index 5\n", "index 5\nextra AAAA\n")); } catch { extraRefused = true; }
                      out.extraLineRefused = extraRefused;
                      return out;
                    })()
                    """#)
            }
            let vector = try JSONSerialization.jsonObject(with: checkpoint) as! [String: Any]
            #expect(report["size"].int == vector["size"] as? Int)
            #expect(report["root"].string == vector["root"] as? String)
            #expect(report["keyID"].string == vector["key_id"] as? String)
            #expect(report["vkeyMatches"].bool == true)
            #expect(report["goNoteText"].bool == true)
            #expect(report["flippedSignature"].string == "invalidSignature")
            #expect(report["flippedBody"].string == "invalidSignature")
            #expect(report["wrongKey"].string == "noTrustedSignature")
            #expect(report["wrongName"].string == "noTrustedSignature")
            #expect(report["unknownExtraLineIgnored"].string == "accepted")
            #expect(report["receiptIndex"].int == 5)
            #expect(report["receiptVerifies"].bool == true)
            #expect(report["flippedPathVerifies"].bool == false)
            #expect(report["flippedLeafVerifies"].bool == false)
            #expect(report["extraLineRefused"].bool == true)
        }

        @Test func browserSignedEnvelopesVerifyInSwiftAndTheKeyStaysNonExtractable() async throws {
            let vectors = try JSONSerialization.jsonObject(with: try Vectors.data("envelope/envelopes.json")) as! [String: Any]
            let commands = (vectors["envelopes"] as! [[String: Any]]).map { $0["command"]! }
            let commandsJSON = try JSONSerialization.data(withJSONObject: commands)
            let report = try await withPage { browser, _ in
                try await browser.evaluate(#"""
                    (async () => {
                      const { keys } = window.vecheModules;
                      const record = await keys.createKey();
                      const loaded = await keys.loadKey();
                      let exportRefused = false;
                      try { await crypto.subtle.exportKey("pkcs8", loaded.privateKey); } catch { exportRefused = true; }
                      const bodies = [];
                      for (const command of \#(jsLiteral(commandsJSON))) {
                        bodies.push(JSON.stringify(await keys.signEnvelope(command, loaded.privateKey, record.publicString)));
                      }
                      return { publicKey: record.publicString, storedSame: loaded.publicString === record.publicString,
                               extractable: loaded.privateKey.extractable, exportRefused, bodies };
                    })()
                    """#)
            }
            #expect(report["storedSame"].bool == true)
            #expect(report["extractable"].bool == false)
            #expect(report["exportRefused"].bool == true)
            let publicKey = try #require(report["publicKey"].string)
            #expect(publicKey.hasPrefix("es256:"))
            #expect(try PublicKey(string: publicKey).string == publicKey)
            let bodyValues = try #require(report["bodies"].array)
            let bodies = bodyValues.compactMap { $0.string }
            #expect(bodies.count == commands.count)
            for body in bodies {
                let envelope = try SignedEnvelope.parse(body: Array(body.utf8))
                #expect(envelope.signerString == publicKey)
                #expect(envelope.isSignatureValid)
                // The same signature over a changed command must not verify in Swift.
                let tampered = body.replacingOccurrences(of: "\"ledger\":\"vote.example.ru/16\"", with: "\"ledger\":\"vote.example.ru/17\"")
                #expect(tampered != body)
                #expect(throws: EnvelopeError.self) { try SignedEnvelope.parse(body: Array(tampered.utf8)) }
            }
        }

        @Test func browserVerifiesPythonES256EnvelopesAndSigningInputsMatch() async throws {
            let vectors = try Vectors.data("envelope/envelopes.json")
            let report = try await withPage { browser, _ in
                try await browser.evaluate(#"""
                    (async () => {
                      const { keys, b64 } = window.vecheModules;
                      const V = \#(jsLiteral(vectors));
                      const out = { inputs: 0, inputMismatches: [], es256: 0, es256Verified: 0, tamperedVerified: 0, wrongKeyVerified: 0 };
                      for (const e of V.envelopes) {
                        out.inputs++;
                        if (b64.hexEncode(keys.signingInput(e.command)) !== e.signingInputHex) out.inputMismatches.push(e.name);
                        if (e.algorithm !== "es256") continue;
                        out.es256++;
                        const env = JSON.parse(e.body);
                        if (await keys.verifyEs256Envelope(env)) out.es256Verified++;
                        const sig = b64.b64uDecode(env.signature); sig[10] ^= 1;
                        if (await keys.verifyEs256Envelope({ ...env, signature: b64.b64uEncode(sig) })) out.tamperedVerified++;
                        if (await keys.verifyEs256Envelope({ ...env, command: { ...env.command, id: env.command.id + "x" } })) out.tamperedVerified++;
                        const other = (await keys.createKey()).publicString;
                        if (await keys.verifyEs256Envelope({ ...env, signer: other })) out.wrongKeyVerified++;
                      }
                      return out;
                    })()
                    """#)
            }
            #expect(report["inputs"].int ?? 0 >= 5)
            #expect(report["inputMismatches"].array == [], "\(report["inputMismatches"])")
            #expect(report["es256"].int ?? 0 >= 3)
            #expect(report["es256Verified"] == report["es256"])
            #expect(report["tamperedVerified"].int == 0)
            #expect(report["wrongKeyVerified"].int == 0)
        }

        @Test func displayRoundingIsHalfUpFromExactFractions() async throws {
            // (amount, whole) → (decimal2(amount), percent2(amount, whole)), worked by hand.
            let cases: [(String, String, String, String)] = [
                ("2469/20", "2469/10", "123.45", "50.00"),
                ("1/8", "1", "0.13", "12.50"),
                ("1/200", "1", "0.01", "0.50"),
                ("1/201", "3", "0.00", "0.17"),
                ("0", "100", "0.00", "0.00"),
                ("1000", "2469/2", "1000.00", "81.00"),
                ("2", "3", "2.00", "66.67"),
                ("1", "3", "1.00", "33.33"),
                ("1999/2000", "1", "1.00", "99.95"),
                ("123456789012345678901234567/1000", "123456789012345678901234567/500", "123456789012345678901234.57", "50.00"),
            ]
            let json = try JSONSerialization.data(withJSONObject: cases.map { [$0.0, $0.1] })
            let report = try await withPage { browser, _ in
                try await browser.evaluate(#"""
                    (async () => {
                      const { format, charts } = window.vecheModules;
                      const values = \#(jsLiteral(json)).map(([a, w]) => [format.decimal2(a), format.percent2(a, w)]);
                      let malformedRefused = 0;
                      for (const bad of ["1.5", "-1", "1/0", "01", "1/", "", "a/b"]) {
                        try { format.parseFraction(bad); } catch { malformedRefused++; }
                      }
                      const fig = charts.turnoutChart(document, { participating: "1000", total: "2469/2", required: "1/2", reached: true });
                      const item = charts.itemChart(document, { item: "1", threshold: "all-two-thirds", for: "600", against: "300",
                        abstain: "100", invalid: "0", blank: "0", adopted: false }, { total: "2469/2", participating: "1000" });
                      return { values, malformedRefused,
                        ru: format.ru("1234567.50"),
                        fill: fig.querySelector(".bar-ok").getAttribute("data-permille"),
                        quorumLine: fig.querySelector(".threshold").getAttribute("data-permille"),
                        turnoutAlt: fig.querySelector("svg").getAttribute("aria-label"),
                        itemFor: item.querySelector(".seg-for").getAttribute("data-permille"),
                        itemLine: item.querySelector(".threshold").getAttribute("data-permille"),
                        itemCaption: item.querySelector("figcaption").textContent };
                    })()
                    """#)
            }
            let values = try #require(report["values"].array)
            for (index, expected) in cases.enumerated() {
                #expect(values[index][0].string == expected.2, "decimal2(\(expected.0))")
                #expect(values[index][1].string == expected.3, "percent2(\(expected.0), \(expected.1))")
            }
            #expect(report["malformedRefused"].int == 7)
            #expect(report["ru"].string == "1\u{202F}234\u{202F}567,50")
            // 1000 / 1234.5 = 0.8100… → 810 ‰; the quorum line at 1/2 → 500 ‰.
            #expect(report["fill"].string == "810")
            #expect(report["quorumLine"].string == "500")
            #expect(report["turnoutAlt"].string?.contains("81,00\u{A0}%") == true)
            // all-two-thirds is measured against all votes: 600 / 1234.5 → 486 ‰, line at 666 ‰.
            #expect(report["itemFor"].string == "486")
            #expect(report["itemLine"].string == "666")
            #expect(report["itemCaption"].string?.contains("Решение не принято") == true)
            #expect(report["itemCaption"].string?.contains("48,60\u{A0}%") == true)
        }

        @Test func everyRefusalGetsItsOwnRussianExplanation() async throws {
            let report = try await withPage { browser, _ in
                try await browser.evaluate(#"""
                    (async () => {
                      const { errors, api } = window.vecheModules;
                      const e = (status, reason, context = "command") => errors.explain(new api.ApiError(status,
                        reason ? { type: "https://veche.example/problems/" + reason, title: "T", status, detail: "D " + reason, field: "/command/owner" } : null,
                        "x", context));
                      const cases = {
                        network: e(0), timeout: errors.explain(new api.ApiError(0, null, "timeout", "command")),
                        badRequest: e(400, "schema"), badSignature: e(403, "bad-signature"), notAuthorised: e(403, "not-authorised"),
                        forbiddenUnknown: e(403), secondOwn: e(409, "second-own-ballot"), notOpen: e(409, "not-open-yet"),
                        over: e(409, "meeting-over"), cancelled: e(409, "meeting-cancelled"), conflict: e(409),
                        unknownOwner: e(422, "unknown-owner"), unknownMeeting: e(422, "unknown-meeting"), unprocessable: e(422),
                        tooLarge: e(413), mediaType: e(415), overloaded: e(503), serverError: e(500), meetingMissing: e(404, "", "meeting"),
                      };
                      return cases;
                    })()
                    """#)
            }
            let expectations: [(String, String)] = [
                ("network", "Нет связи"), ("timeout", "не ответил"), ("badRequest", "неправильно составленный"),
                ("badSignature", "Подпись"), ("notAuthorised", "не привязан"), ("forbiddenUnknown", "не привязан"),
                ("secondOwn", "уже принят"), ("notOpen", "ещё не началось"), ("over", "завершено"), ("cancelled", "отменено"),
                ("conflict", "противоречит"), ("unknownOwner", "не найден в реестре"), ("unknownMeeting", "не найдено"),
                ("unprocessable", "не нашёл"), ("tooLarge", "слишком велик"), ("mediaType", "application/json"),
                ("overloaded", "перегружен"), ("serverError", "500"), ("meetingMissing", "не найдено"),
            ]
            for (name, fragment) in expectations {
                let message = report[name]["message"].string ?? ""
                #expect(message.contains(fragment), "\(name): \(message)")
            }
            #expect(report["notAuthorised"]["detail"].string == "T: D not-authorised")
            #expect(report["notAuthorised"]["field"].string == "/command/owner")
            #expect(report["notAuthorised"]["reason"].string == "not-authorised")
            let messages = Set(expectations.map { report[$0.0]["message"].string ?? "" })
            #expect(messages.count >= expectations.count - 3, "explanations should be specific, not one catch-all")
        }
    }
}
