import Foundation
import Testing
@testable import KubeSim

struct TimestampsTests {
    @Test func formatsRFC3339SecondsInUTC() {
        #expect(Timestamps.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(Timestamps.format(Date(timeIntervalSince1970: 1_795_000_000.9)) == "2026-11-18T11:06:40Z")
    }

    @Test func parsesWhatItFormats() {
        for t in [0.0, 86_399, 951_782_400, 1_795_000_000] {
            let date = Date(timeIntervalSince1970: t)
            #expect(Timestamps.parse(Timestamps.format(date)) == date)
        }
        #expect(Timestamps.parse("not a time") == nil)
    }
}
