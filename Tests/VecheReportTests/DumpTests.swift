import Foundation
import Testing
import VecheReport

@Suite struct DumpTests {
    @Test func dump() throws {
        let scenario = try standardScenario()
        let input = try scenario.input(names: ["A": "Иванов Иван Иванович"])
        for format in ProtocolFormat.allCases {
            try Data(ProtocolRenderer.render(input, as: format)).write(to: URL(fileURLWithPath: "/tmp/protocol-dump.\(format.fileExtension)"))
        }
    }
}
