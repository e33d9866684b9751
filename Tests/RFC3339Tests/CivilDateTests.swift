import Testing
import RFC3339

struct CivilDateTests {
    @Test func knownDays() {
        let cases: [(Int64, CivilDate)] = [
            (0, CivilDate(year: 1970, month: 1, day: 1)),
            (-1, CivilDate(year: 1969, month: 12, day: 31)),
            (11_016, CivilDate(year: 2000, month: 2, day: 29)),
            (-719_528, CivilDate(year: 0, month: 1, day: 1)),
            (2_932_896, CivilDate(year: 9999, month: 12, day: 31)),
            (-719_529, CivilDate(year: -1, month: 12, day: 31)),
        ]
        for (days, date) in cases {
            #expect(CivilDate(daysSinceEpoch: days) == date, "\(days)")
            #expect(date.daysSinceEpoch == days, "\(date)")
        }
    }

    /// Every day from 0000-01-01 through 9999-12-31 converts both ways, and
    /// consecutive day numbers are consecutive calendar days.
    @Test func everyDayOfYears0000Through9999RoundTrips() {
        var expected = CivilDate(year: 0, month: 1, day: 1)
        for days in CivilDate(year: 0, month: 1, day: 1).daysSinceEpoch...CivilDate(year: 9999, month: 12, day: 31).daysSinceEpoch {
            let date = CivilDate(daysSinceEpoch: days)
            guard date == expected, date.daysSinceEpoch == days, date.isValid else {
                Issue.record("day \(days): \(date), expected \(expected)")
                return
            }
            expected = Self.next(expected)
        }
        #expect(expected == CivilDate(year: 10_000, month: 1, day: 1))
    }

    @Test func leapYears() {
        #expect(CivilDate.isLeapYear(2000) && CivilDate.isLeapYear(2024) && CivilDate.isLeapYear(0))
        #expect(!CivilDate.isLeapYear(1900) && !CivilDate.isLeapYear(2100) && !CivilDate.isLeapYear(2025))
        #expect(CivilDate(year: 2024, month: 2, day: 29).isValid)
        #expect(!CivilDate(year: 2100, month: 2, day: 29).isValid)
        #expect(!CivilDate(year: 2025, month: 4, day: 31).isValid)
        #expect(!CivilDate(year: 2025, month: 13, day: 1).isValid)
    }

    @Test func outOfRangeDaysRollOver() {
        #expect(CivilDate(daysSinceEpoch: CivilDate(year: 2026, month: 2, day: 31).daysSinceEpoch)
                == CivilDate(year: 2026, month: 3, day: 3))
    }

    @Test func describesAsISODate() {
        #expect(CivilDate(year: 2024, month: 2, day: 9).description == "2024-02-09")
        #expect(CivilDate(year: 7, month: 12, day: 31).description == "0007-12-31")
        #expect(CivilDate(year: -1, month: 1, day: 1).description == "-0001-01-01")
    }

    private static func next(_ d: CivilDate) -> CivilDate {
        if d.day < CivilDate.daysIn(month: d.month, year: d.year) { return CivilDate(year: d.year, month: d.month, day: d.day + 1) }
        if d.month < 12 { return CivilDate(year: d.year, month: d.month + 1, day: 1) }
        return CivilDate(year: d.year + 1, month: 1, day: 1)
    }
}
