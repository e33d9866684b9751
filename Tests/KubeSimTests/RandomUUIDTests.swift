import Foundation
import Testing
@testable import KubeSim

struct RandomUUIDTests {
    @Test func uuidsAreVersion4InLowercaseCanonicalForm() {
        var seen = Set<String>()
        for _ in 0..<1_000 {
            let uuid = RandomUUID.make()
            #expect(uuid.count == 36)
            #expect(uuid.allSatisfy { "0123456789abcdef-".contains($0) })
            let groups = uuid.split(separator: "-").map(\.count)
            #expect(groups == [8, 4, 4, 4, 12])
            #expect(Array(uuid)[14] == "4")
            #expect("89ab".contains(Array(uuid)[19]))
            #expect(UUID(uuidString: uuid) != nil)
            seen.insert(uuid)
        }
        #expect(seen.count == 1_000)
    }
}
